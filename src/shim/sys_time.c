/* Time system calls, answered from the TSC without leaving the VM (clock.h). Sleeping
 * asks the monitor to wait, then checks the TSC: an early wake-up is slept again. */
#include "clock.h"
#include "errno.h"
#include "hcall.h"
#include "linux_abi.h"
#include "syscall.h"
#include "uaccess.h"

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1

static s64 start_mono = -1;

/* ns on clock id, or -EINVAL */
static s64 clock_now(u64 id)
{
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        return clock_realtime_ns();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        return clock_monotonic_ns();
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        /* the workload has its vCPU to itself: its CPU time is its run time */
        if (start_mono < 0)
            start_mono = clock_monotonic_ns();
        return clock_monotonic_ns() - start_mono;
    default:
        return -EINVAL;
    }
}

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

static s64 sleep_until(u64 clock, s64 deadline)
{
    for (;;) {
        s64 now = clock_now(clock);
        if (now >= deadline)
            return 0;
        hcall(CL_HC_SLEEP, (u64)(deadline - now), 0, 0, 0, 0, 0);
    }
}

static s64 read_timespec(u64 uts, s64 *ns)
{
    struct linux_timespec ts;
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
        return -EINVAL;
    if (ts.tv_sec > (0x7fffffffffffffffll - ts.tv_nsec) / NSEC_PER_SEC)
        *ns = 0x7fffffffffffffffll;
    else
        *ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
    return 0;
}

SYSCALL(nanosleep)
{
    s64 ns, err = read_timespec(a0, &ns);
    if (err)
        return err;
    s64 now = clock_monotonic_ns();
    return sleep_until(CLOCK_MONOTONIC, now + ns < now ? 0x7fffffffffffffffll : now + ns);
}

SYSCALL(clock_nanosleep)
{
    if (a0 == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    s64 now = clock_now(a0);
    if (now == -EINVAL)
        return -EINVAL;
    s64 ns, err = read_timespec(a2, &ns);
    if (err)
        return err;
    if (a1 & TIMER_ABSTIME)
        return sleep_until(a0, ns);
    return sleep_until(a0, now + ns < now ? 0x7fffffffffffffffll : now + ns);
}
