/* Clocks by id and sleeping until a deadline on one (sleep.h). The monitor waits for
 * us (kernel/wait.c); an early wake-up is slept again after checking the TSC. */
#include "kernel/sleep.h"
#include "kernel/wait.h"
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "uapi/linux_abi.h"
#include "mm/uaccess.h"

static s64 start_mono = -1;

s64 clock_now(u64 id)
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

void sleep_until(u64 clock, s64 deadline)
{
    /* a wake meant for something else (a timer, a host event) just goes back to sleep */
    do
        wait_rearm();
    while (task_wait(clock, deadline, false) == 0);
}

s64 deadline_after(u64 clock, s64 rel)
{
    s64 now = clock_now(clock);
    return now + rel < now ? NSEC_FOREVER : now + rel;
}

s64 timespec_from_user(u64 uts, s64 *ns)
{
    struct linux_timespec ts;
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
        return -EINVAL;
    if (ts.tv_sec > (NSEC_FOREVER - ts.tv_nsec) / NSEC_PER_SEC)
        *ns = NSEC_FOREVER;
    else
        *ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
    return 0;
}
