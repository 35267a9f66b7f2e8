/*
 * The signal system calls: actions, masks, the alternate stack, sending (kill, tgkill,
 * sigqueueinfo) and waiting (pause, sigsuspend, sigtimedwait). Delivery happens on the
 * way back to user mode (signal_frame.c).
 */
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"
#include "arch/x86/arch.h"

#include "kernel/wait.h"
#include "kernel/sleep.h"
#include "kernel/clock.h"

#define SIG_BLOCK     0
#define SIG_UNBLOCK   1
#define SIG_SETMASK   2
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

#define UNBLOCKABLE SIG_UNBLOCKABLE

SYSCALL4(rt_sigaction, signum, new_action, old_action, sigset_size)
{
    u64 sig = signum;
    if (sigset_size != 8 || sig < 1 || sig > NSIG)
        return -EINVAL;
    if (new_action && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    struct k_sigaction *cur = &current_process()->sigactions[sig - 1];
    struct k_sigaction act;
    if (new_action && copy_from_user(&act, new_action, sizeof(act)))
        return -EFAULT;
    if (old_action && copy_to_user(old_action, cur, sizeof(*cur)))
        return -EFAULT;
    if (new_action) {
        act.mask &= ~UNBLOCKABLE;
        *cur = act;
        /* an ignored signal is discarded, pending or not (Linux) */
        if (act.handler == SIG_IGN ||
            (act.handler == SIG_DFL && !signal_default_terminates((int)sig))) {
            current_task()->sig_pending &= ~SIGBIT(sig);
            current_process()->sig_pending &= ~SIGBIT(sig);
        }
    }
    return 0;
}

SYSCALL4(rt_sigprocmask, how, new_set, old_set, sigset_size)
{
    if (sigset_size != 8)
        return -EINVAL;
    u64 set = 0, old = current_task()->sigmask;
    if (new_set) {
        if (copy_from_user(&set, new_set, sizeof(set)))
            return -EFAULT;
        switch (how) {
        case SIG_BLOCK:
            current_task()->sigmask |= set;
            break;
        case SIG_UNBLOCK:
            current_task()->sigmask &= ~set;
            break;
        case SIG_SETMASK:
            current_task()->sigmask = set;
            break;
        default:
            return -EINVAL;
        }
        current_task()->sigmask &= ~UNBLOCKABLE;
    }
    if (old_set && copy_to_user(old_set, &old, sizeof(old)))
        return -EFAULT;
    return 0; /* what it unblocked is delivered on the way out */
}

struct linux_stack {
    u64 sp;
    s32 flags;
    s32 pad;
    u64 size;
};

SYSCALL2(sigaltstack, new_stack, old_stack)
{
    struct linux_stack ss;
    if (old_stack) {
        struct task *t = current_task();
        u64 sp = arch_user_frame()->rsp;
        bool on =
            t->altstack_size && sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
        struct linux_stack old = {t->altstack_sp, t->altstack_flags | (on ? SS_ONSTACK : 0), 0,
                                  t->altstack_size};
        if (!t->altstack_size)
            old.flags = SS_DISABLE;
        if (copy_to_user(old_stack, &old, sizeof(old)))
            return -EFAULT;
    }
    if (new_stack) {
        if (copy_from_user(&ss, new_stack, sizeof(ss)))
            return -EFAULT;
        struct task *t = current_task();
        u64 sp = arch_user_frame()->rsp;
        if (t->altstack_size && sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size)
            return -EPERM; /* not while running on it */
        u32 mode = (u32)ss.flags & ~SS_AUTODISARM;
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
            return -EINVAL;
        if (mode == SS_DISABLE) {
            current_task()->altstack_sp = current_task()->altstack_size = 0;
            current_task()->altstack_flags = SS_DISABLE;
        } else {
            if (ss.size < MINSIGSTKSZ)
                return -ENOMEM;
            current_task()->altstack_sp = ss.sp;
            current_task()->altstack_size = ss.size;
            current_task()->altstack_flags = (s32)((u32)ss.flags & SS_AUTODISARM);
        }
    }
    return 0;
}

/* ---- sending ---- */

static struct linux_siginfo from_self(int code)
{
    struct linux_siginfo info = {.si_code = code};
    info.u.kill.pid = current_process()->pid;
    info.u.kill.uid = 0; /* the workload runs as root (getuid) */
    return info;
}

/* The process with that pid, or with a thread of that id (Linux's kill takes either). */
static struct process *process_or_thread(s32 pid)
{
    struct process *p = process_by_pid(pid);
    struct task *t = p ? NULL : task_by_tid(pid);
    return p ? p : t ? t->proc : NULL;
}

SYSCALL2(kill, pid_arg, sig)
{
    s32 pid = (s32)pid_arg;
    if (sig > NSIG)
        return -EINVAL;
    struct linux_siginfo info = from_self(SI_USER);
    if (pid > 0) {
        struct process *p = process_or_thread(pid);
        return p ? signal_send_to(p, (int)sig, &info) : -ESRCH;
    }
    if (pid == -2147483647 - 1)
        return -ESRCH;
    /* a group (0: the caller's), or everyone but pid 1 and the caller (-1) */
    s32 group = pid == 0 ? current_process()->pgid : -pid;
    struct process *me = current_process();
    bool any = false;
    s64 err = 0;
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (pid == -1 ? (p->pid == PROC_PID || p == me) : p->pgid != group)
            continue;
        any = true;
        /* the caller's own group includes itself: sent last, below, as a process
         * killing itself must first have told the others */
        if (p != me)
            err = signal_send_to(p, (int)sig, &info);
    }
    if (pid != -1 && me->pgid == group && !err)
        err = signal_send_to(me, (int)sig, &info);
    return any ? err : -ESRCH;
}

SYSCALL2(tkill, tid, sig)
{
    if ((s64)(s32)tid <= 0)
        return -EINVAL;
    if (sig > NSIG)
        return -EINVAL;
    struct task *t = task_by_tid((s32)tid);
    if (!t)
        return -ESRCH;
    struct linux_siginfo info = from_self(SI_TKILL);
    return signal_send_task(t, (int)sig, &info);
}

SYSCALL3(tgkill, tgid, tid, sig)
{
    if ((s64)(s32)tgid <= 0 || (s64)(s32)tid <= 0 || sig > NSIG)
        return -EINVAL;
    struct task *t = task_by_tid((s32)tid);
    if (!t || t->proc->pid != (s32)tgid)
        return -ESRCH;
    struct linux_siginfo info = from_self(SI_TKILL);
    return signal_send_task(t, (int)sig, &info);
}

/* sigqueue's info from the caller: to itself it may say anything but the kernel's
 * codes (Linux: EPERM for si_code >= 0 or SI_TKILL sent to another process). */
static s64 queue_info_from_user(u64 sig, u64 uinfo, struct linux_siginfo *info)
{
    if (sig > NSIG)
        return -EINVAL;
    if (copy_from_user(info, uinfo, sizeof(*info)))
        return -EFAULT;
    info->si_signo = (s32)sig;
    return 0;
}

SYSCALL3(rt_sigqueueinfo, tgid, sig, uinfo)
{
    struct linux_siginfo info;
    s64 err = queue_info_from_user(sig, uinfo, &info);
    if (err)
        return err;
    struct process *p = (s32)tgid > 0 ? process_by_pid((s32)tgid) : NULL;
    if (!p)
        return -ESRCH;
    return signal_send_to(p, (int)sig, &info);
}

SYSCALL4(rt_tgsigqueueinfo, tgid, tid, sig, uinfo)
{
    if ((s64)(s32)tgid <= 0 || (s64)(s32)tid <= 0)
        return -EINVAL;
    struct linux_siginfo info;
    s64 err = queue_info_from_user(sig, uinfo, &info);
    if (err)
        return err;
    struct task *t = task_by_tid((s32)tid);
    if (!t || t->proc->pid != (s32)tgid)
        return -ESRCH;
    return signal_send_task(t, (int)sig, &info);
}

/* ---- waiting ---- */

/* Sleeps until a signal the task does not block is pending. */
static void wait_for_signal(void)
{
    while (!signal_pending()) {
        wait_rearm();
        task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, true);
    }
}

SYSCALL0(pause)
{
    wait_for_signal();
    return -ERESTARTNOHAND;
}

SYSCALL2(rt_sigsuspend, mask, sigset_size)
{
    if (sigset_size != 8)
        return -EINVAL;
    u64 set;
    if (copy_from_user(&set, mask, sizeof(set)))
        return -EFAULT;
    struct task *t = current_task();
    /* the handler's frame saves the old mask, restored by its sigreturn */
    t->saved_sigmask = t->sigmask;
    t->saved_sigmask_valid = true;
    t->sigmask = set & ~UNBLOCKABLE;
    wait_for_signal();
    return -ERESTARTNOHAND;
}

SYSCALL2(rt_sigpending, uset, sigset_size)
{
    if (sigset_size > 8)
        return -EINVAL;
    u64 set = signal_pending_set() & current_task()->sigmask;
    if (copy_to_user(uset, &set, sigset_size))
        return -EFAULT;
    return 0;
}

SYSCALL4(rt_sigtimedwait, uset, uinfo, utimeout, sigset_size)
{
    if (sigset_size != 8)
        return -EINVAL;
    u64 set;
    if (copy_from_user(&set, uset, sizeof(set)))
        return -EFAULT;
    set &= ~UNBLOCKABLE;
    s64 deadline = NSEC_FOREVER;
    if (utimeout) {
        s64 ns, err = timespec_from_user(utimeout, &ns);
        if (err)
            return err;
        deadline = deadline_after(CLOCK_MONOTONIC, ns);
    }
    struct linux_siginfo info;
    int sig;
    for (;;) {
        struct wait_entry e;
        wait_prepare(&e, signal_wait_queue());
        sig = signal_dequeue(set, &info);
        s64 r = sig ? 0 : task_wait(CLOCK_MONOTONIC, deadline, true);
        wait_finish(&e);
        if (sig)
            break;
        if (r == -ETIMEDOUT)
            return -EAGAIN;
        if (r == -EINTR) {
            /* a signal outside the set is for a handler, unless one in it came too */
            sig = signal_dequeue(set, &info);
            if (sig)
                break;
            return -EINTR;
        }
    }
    if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
        return -EFAULT;
    return sig;
}
