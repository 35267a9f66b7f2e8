/*
 * getrusage and times: the CPU time of a thread, a process and its reaped children.
 *
 * The scheduler counts the time each task is on a CPU (kernel/sched.c); a process adds
 * its ended tasks' time (exited_ns) and, as each child is reaped, the child's whole
 * time (children_ns), as Linux does. The shim runs a workload's system calls on its
 * behalf, so it is all reported as user time; the fields Linux fills from the MM and
 * block layers are zero, but ru_maxrss, which `time` prints, is the resident size.
 */
#include "kernel/rusage.h"
#include "kernel/clock.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/lib.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1
#define CLK_TCK         100 /* AT_CLKTCK */

struct linux_rusage {
    s64 utime_sec, utime_usec, stime_sec, stime_usec;
    s64 maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv,
        nsignals, nvcsw, nivcsw;
};
_Static_assert(sizeof(struct linux_rusage) == 144, "struct rusage");

int rusage_to_user(u64 uaddr, s64 cpu_ns, u64 maxrss_kib)
{
    struct linux_rusage ru;
    memzero(&ru, sizeof(ru));
    ru.utime_sec = cpu_ns / NSEC_PER_SEC;
    ru.utime_usec = cpu_ns % NSEC_PER_SEC / 1000;
    ru.maxrss = (s64)maxrss_kib;
    return copy_to_user(uaddr, &ru, sizeof(ru));
}

static s64 process_cpu_ns(const struct process *p)
{
    s64 ns = p->exited_ns;
    for (const struct task *t = p->tasks; t; t = t->all_next)
        ns += sched_task_cpu_ns(t);
    return ns;
}

SYSCALL2(getrusage, who, usage)
{
    struct process *p = current_process();
    u64 rss_kib = mm_resident_pages() * 4;
    switch ((s32)who) {
    case RUSAGE_SELF:
        return rusage_to_user(usage, process_cpu_ns(p), rss_kib) ? -EFAULT : 0;
    case RUSAGE_THREAD:
        return rusage_to_user(usage, sched_task_cpu_ns(current_task()), rss_kib) ? -EFAULT : 0;
    case RUSAGE_CHILDREN:
        return rusage_to_user(usage, p->children_ns, 0) ? -EFAULT : 0;
    default:
        return -EINVAL;
    }
}

SYSCALL1(times, buf)
{
    struct process *p = current_process();
    s64 tick = NSEC_PER_SEC / CLK_TCK;
    s64 tms[4] = {process_cpu_ns(p) / tick, 0, p->children_ns / tick, 0};
    if (buf && copy_to_user(buf, tms, sizeof(tms)))
        return -EFAULT;
    return clock_monotonic_ns() / tick; /* clock ticks since an arbitrary point, as Linux */
}
