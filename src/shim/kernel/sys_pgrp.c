/*
 * Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid, with Linux's
 * rules (a shell puts each pipeline in a group of its own; kill(-pgid) and wait(0)
 * then address it). Pid 1 starts as the leader of session 1 and group 1, as a
 * container's first process is.
 */
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "uapi/errno.h"

static bool group_exists_in(s32 pgid, s32 sid)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == pgid && p->sid == sid && !p->zombie)
            return true;
    return false;
}

SYSCALL2(setpgid, pid_arg, pgid_arg)
{
    struct process *me = current_process();
    s32 pid = (s32)pid_arg, pgid = (s32)pgid_arg;
    if (pgid < 0)
        return -EINVAL;
    struct process *p = pid == 0 ? me : process_by_pid(pid);
    /* itself or one of its children, as Linux */
    if (!p || p->zombie || (p != me && p->parent != me))
        return -ESRCH;
    if (p != me && p->execed)
        return -EACCES;
    if (p->sid != me->sid || p->sid == p->pid)
        return -EPERM; /* another session's, or a session leader */
    if (pgid == 0)
        pgid = p->pid;
    if (pgid != p->pid && !group_exists_in(pgid, me->sid))
        return -EPERM;
    p->pgid = pgid;
    return 0;
}

SYSCALL1(getpgid, pid)
{
    struct process *p = (s32)pid == 0 ? current_process() : process_by_pid((s32)pid);
    return p ? p->pgid : -ESRCH;
}

SYSCALL0(getpgrp)
{
    return current_process()->pgid;
}

SYSCALL1(getsid, pid)
{
    struct process *p = (s32)pid == 0 ? current_process() : process_by_pid((s32)pid);
    return p ? p->sid : -ESRCH;
}

SYSCALL0(setsid)
{
    struct process *me = current_process();
    /* a group leader cannot (pid 1 is one): its group would straddle two sessions */
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == me->pid)
            return -EPERM;
    me->sid = me->pgid = me->pid;
    return me->sid;
}
