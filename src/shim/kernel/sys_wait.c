/*
 * wait4 and waitid: a parent learns how a child ended and reaps it (docs/processes.md).
 * A child that ended is a zombie on its parent's children list; any thread of the
 * parent may reap it. The caller sleeps on its process's child_wait queue, which
 * kernel/exit.c wakes when a child ends.
 */
#include "kernel/process.h"
#include "kernel/rusage.h"
#include "uapi/errno.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"
#include "lib/lib.h"
#include "mm/uaccess.h"

#define WNOHANG     0x00000001u
#define WUNTRACED   0x00000002u /* WSTOPPED */
#define WEXITED     0x00000004u
#define WCONTINUED  0x00000008u
#define WNOWAIT     0x01000000u
#define __WNOTHREAD 0x20000000u
#define __WALL      0x40000000u
#define __WCLONE    0x80000000u

#define P_ALL  0
#define P_PID  1
#define P_PGID 2

struct wait_result {
    s32 pid;
    int wstatus; /* wait4's status word */
    int code;    /* waitid's CLD_* and si_status */
    int status;
    s64 cpu_ns;
};

/* What a child has to report to a wait with these options: 1 and *r, or 0. An ended
 * child is reaped (unless WNOWAIT); a stop or a continue is reported once. */
static int child_report(struct process *me, struct process *c, u32 options, struct wait_result *r)
{
    r->pid = c->pid;
    if (c->zombie && (options & WEXITED)) {
        r->wstatus = c->wstatus;
        r->code = wstatus_killed(c->wstatus) ? CLD_KILLED : CLD_EXITED;
        r->status = wstatus_value(c->wstatus);
        r->cpu_ns = c->exited_ns + c->children_ns;
        if (!(options & WNOWAIT)) {
            me->children_ns += r->cpu_ns; /* getrusage(RUSAGE_CHILDREN) */
            process_free(c);
        }
        return 1;
    }
    if (c->stop_report && (options & WUNTRACED)) {
        r->wstatus = (c->stop_report << 8) | 0x7f;
        r->code = CLD_STOPPED;
        r->status = c->stop_report;
        if (!(options & WNOWAIT))
            c->stop_report = 0;
        return 1;
    }
    if (c->cont_report && (options & WCONTINUED)) {
        r->wstatus = 0xffff;
        r->code = CLD_CONTINUED;
        r->status = SIGCONT;
        if (!(options & WNOWAIT))
            c->cont_report = false;
        return 1;
    }
    return 0;
}

static bool wanted(const struct process *c, u32 idtype, s32 id, u32 options)
{
    if (idtype == P_PID && c->pid != id)
        return false;
    if (idtype == P_PGID && c->pgid != id)
        return false;
    if (c->autoreap)
        return false; /* nobody waits for it: it is freed as it ends */
    /* __WCLONE: children that send another signal than SIGCHLD; __WALL: both */
    return (options & __WALL) || ((c->exit_signal != SIGCHLD) == !!(options & __WCLONE));
}

/* The first wanted child that ended, taken (reaped) unless WNOWAIT: 1 and *r; 0 if
 * some wanted child lives; -ECHILD if none is wanted. Or a wait's -ERESTARTSYS. */
static s64 do_wait(u32 idtype, s32 id, u32 options, struct wait_result *r)
{
    struct process *me = current_process();
    struct wait_entry e;
    wait_prepare(&e, &me->child_wait);
    for (;;) {
        bool any = false;
        for (struct process *c = me->children; c; c = c->sibling) {
            if (!wanted(c, idtype, id, options))
                continue;
            any = true;
            if (!child_report(me, c, options, r))
                continue;
            wait_finish(&e);
            return 1;
        }
        if (!any) {
            wait_finish(&e);
            return -ECHILD;
        }
        if (options & WNOHANG) {
            wait_finish(&e);
            return 0;
        }
        if (task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, true) < 0) {
            wait_finish(&e);
            return -ERESTARTSYS;
        }
        wait_rearm();
    }
}

SYSCALL4(wait4, pid_arg, wstatus, options, rusage)
{
    s32 pid = (s32)pid_arg;
    if (options & ~(u64)(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    if (pid == -2147483647 - 1)
        return -ESRCH; /* Linux: -INT_MIN has no group */
    u32 idtype = pid < -1 ? P_PGID : pid == -1 ? P_ALL : pid == 0 ? P_PGID : P_PID;
    s32 id = pid < -1 ? -pid : pid == 0 ? current_process()->pgid : pid;
    struct wait_result r;
    s64 ret = do_wait(idtype, id, (u32)options | WEXITED, &r);
    if (ret <= 0)
        return ret;
    if (wstatus && copy_to_user(wstatus, &r.wstatus, sizeof(r.wstatus)))
        return -EFAULT;
    if (rusage && rusage_to_user(rusage, r.cpu_ns, 0))
        return -EFAULT;
    return r.pid;
}

SYSCALL5(waitid, idtype, id, infop, options, rusage)
{
    if (options & ~(u64)(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD |
                         __WALL | __WCLONE))
        return -EINVAL;
    if (!(options & (WEXITED | WUNTRACED | WCONTINUED)))
        return -EINVAL;
    if (idtype != P_ALL && idtype != P_PID && idtype != P_PGID)
        return -EINVAL;
    if ((idtype == P_PID || idtype == P_PGID) && (s32)id <= 0) {
        if (idtype == P_PID || (s32)id < 0)
            return -EINVAL;
        id = (u64)current_process()->pgid; /* P_PGID 0: the caller's group */
    }
    struct wait_result r = {0, 0, 0, 0, 0};
    s64 ret = do_wait((u32)idtype, (s32)id, (u32)options, &r);
    if (ret < 0)
        return ret;
    if (infop) {
        /* Linux writes a zeroed siginfo when WNOHANG found nothing */
        struct linux_siginfo info;
        memzero(&info, sizeof(info));
        if (ret) {
            info.si_signo = SIGCHLD;
            info.si_code = r.code;
            info.u.kill.pid = r.pid;
            memcpy(&info.u.raw[8], &r.status, sizeof(r.status));
        }
        if (copy_to_user(infop, &info, sizeof(info)))
            return -EFAULT;
    }
    if (rusage && rusage_to_user(rusage, r.cpu_ns, 0))
        return -EFAULT;
    return 0;
}
