/* Time system calls, answered from the TSC without leaving the VM (clock.h); sleeping
 * until a deadline is sleep.c's. */
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"
#include "kernel/sleep.h"
#include "kernel/wait.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define TIMER_ABSTIME 1

static struct linux_timespec to_timespec(s64 ns)
{
    struct linux_timespec ts = {ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
    return ts;
}

SYSCALL2(clock_gettime, clockid, tp)
{
    s64 ns = clock_now(clockid);
    if (ns == -EINVAL)
        return -EINVAL;
    struct linux_timespec ts = to_timespec(ns);
    return copy_to_user(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL2(clock_getres, clockid, res)
{
    if (clock_now(clockid) == -EINVAL)
        return -EINVAL;
    bool coarse = clockid == CLOCK_REALTIME_COARSE || clockid == CLOCK_MONOTONIC_COARSE;
    struct linux_timespec ts = {0, coarse ? 4000000 : 1};
    if (res && copy_to_user(res, &ts, sizeof(ts)))
        return -EFAULT;
    return 0;
}

SYSCALL2(gettimeofday, tv, tz)
{
    if (tv) {
        s64 ns = clock_realtime_ns();
        struct linux_timeval now = {ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000};
        if (copy_to_user(tv, &now, sizeof(now)))
            return -EFAULT;
    }
    if (tz) {
        u32 utc[2] = {0, 0}; /* UTC, no DST: the VM has no time zone of its own */
        if (copy_to_user(tz, utc, sizeof(utc)))
            return -EFAULT;
    }
    return 0;
}

SYSCALL1(time, tloc)
{
    s64 t = clock_realtime_ns() / NSEC_PER_SEC;
    if (tloc && copy_to_user(tloc, &t, sizeof(t)))
        return -EFAULT;
    return t;
}

/* Sleeps until deadline on clock; a signal ends it early, as on Linux: the time left
 * goes to *remain (relative sleeps only) and the call says ERESTART_RESTARTBLOCK, which
 * becomes EINTR when a handler runs. */
static s64 sleep_interruptible(u64 clock, s64 deadline, u64 remain)
{
    for (;;) {
        wait_rearm();
        s64 r = task_wait(clock, deadline, true);
        if (r == -ETIMEDOUT)
            return 0;
        if (r != -EINTR)
            continue; /* a wake meant for something else */
        if (remain) {
            s64 left = deadline - clock_now(clock);
            if (left < 0)
                left = 0;
            struct linux_timespec ts = {left / NSEC_PER_SEC, left % NSEC_PER_SEC};
            if (copy_to_user(remain, &ts, sizeof(ts)))
                return -EFAULT;
        }
        return -ERESTART_RESTARTBLOCK;
    }
}

SYSCALL2(nanosleep, request, remain)
{
    s64 ns, err = timespec_from_user(request, &ns);
    if (err)
        return err;
    return sleep_interruptible(CLOCK_MONOTONIC, deadline_after(CLOCK_MONOTONIC, ns), remain);
}

SYSCALL4(clock_nanosleep, clockid, flags, request, remain)
{
    if (clockid == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    if (clock_now(clockid) == -EINVAL)
        return -EINVAL;
    s64 ns, err = timespec_from_user(request, &ns);
    if (err)
        return err;
    if (flags & TIMER_ABSTIME) {
        s64 r = sleep_interruptible(clockid, ns, 0);
        return r == -ERESTART_RESTARTBLOCK ? -ERESTARTNOHAND : r;
    }
    /* a relative sleep does not move with CLOCK_REALTIME (POSIX): measure it on the
     * monotonic clock, which runs at the same rate */
    u64 clock = clockid == CLOCK_REALTIME ? CLOCK_MONOTONIC : clockid;
    return sleep_interruptible(clock, deadline_after(clock, ns), remain);
}
