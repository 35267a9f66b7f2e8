/* Time system calls, answered from the TSC without leaving the VM (clock.h); sleeping
 * until a deadline is sleep.c's. */
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define TIMER_ABSTIME 1

static struct linux_timespec to_timespec(s64 ns)
{
    struct linux_timespec ts = {ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
    return ts;
}

SYSCALL(clock_gettime)
{
    s64 ns = clock_now(a0);
    if (ns == -EINVAL)
        return -EINVAL;
    struct linux_timespec ts = to_timespec(ns);
    return copy_to_user(a1, &ts, sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL(clock_getres)
{
    if (clock_now(a0) == -EINVAL)
        return -EINVAL;
    bool coarse = a0 == CLOCK_REALTIME_COARSE || a0 == CLOCK_MONOTONIC_COARSE;
    struct linux_timespec ts = {0, coarse ? 4000000 : 1};
    if (a1 && copy_to_user(a1, &ts, sizeof(ts)))
        return -EFAULT;
    return 0;
}

SYSCALL(gettimeofday)
{
    if (a0) {
        s64 ns = clock_realtime_ns();
        struct linux_timeval tv = {ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000};
        if (copy_to_user(a0, &tv, sizeof(tv)))
            return -EFAULT;
    }
    if (a1) {
        u32 tz[2] = {0, 0}; /* UTC, no DST: the VM has no time zone of its own */
        if (copy_to_user(a1, tz, sizeof(tz)))
            return -EFAULT;
    }
    return 0;
}

SYSCALL(time)
{
    s64 t = clock_realtime_ns() / NSEC_PER_SEC;
    if (a0 && copy_to_user(a0, &t, sizeof(t)))
        return -EFAULT;
    return t;
}

SYSCALL(nanosleep)
{
    s64 ns, err = timespec_from_user(a0, &ns);
    if (err)
        return err;
    sleep_until(CLOCK_MONOTONIC, deadline_after(CLOCK_MONOTONIC, ns));
    return 0;
}

SYSCALL(clock_nanosleep)
{
    if (a0 == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    if (clock_now(a0) == -EINVAL)
        return -EINVAL;
    s64 ns, err = timespec_from_user(a2, &ns);
    if (err)
        return err;
    sleep_until(a0, (a1 & TIMER_ABSTIME) ? ns : deadline_after(a0, ns));
    return 0;
}
