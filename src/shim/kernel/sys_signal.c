/*
 * Signal state: actions, mask and alternate stack are recorded and reported back as
 * Linux would. Delivery to handlers is not implemented yet; a fault kills the
 * workload with the signal's exit status (trap.c).
 */
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define SIG_BLOCK     0
#define SIG_UNBLOCK   1
#define SIG_SETMASK   2
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

static void deliver_pending(void);

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
        deliver_pending();
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
    if (new_set)
        deliver_pending();
    return 0;
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
        struct linux_stack old = {current_task()->altstack_sp, current_task()->altstack_flags, 0,
                                  current_task()->altstack_size};
        if (!current_task()->altstack_size)
            old.flags = SS_DISABLE;
        if (copy_to_user(old_stack, &old, sizeof(old)))
            return -EFAULT;
    }
    if (new_stack) {
        if (copy_from_user(&ss, new_stack, sizeof(ss)))
            return -EFAULT;
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

/* ---- raising signals at the workload itself (kill, tkill, tgkill: raise, abort) ---- */

enum default_action { ACT_TERMINATE, ACT_IGNORE };

static enum default_action default_action(int sig)
{
    switch (sig) {
    case 17: /* SIGCHLD */
    case 18: /* SIGCONT */
    case 23: /* SIGURG */
    case 28: /* SIGWINCH */
    case 19: /* SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: no job control in a VM of one process */
    case 20:
    case 21:
    case 22:
        return ACT_IGNORE;
    default:
        return ACT_TERMINATE;
    }
}

static u64 pending;

/* Acts on the pending signals that are no longer blocked and have no handler. Handled
 * signals stay pending: delivery to handlers is not implemented yet. */
static void deliver_pending(void)
{
    for (int sig = 1; sig <= NSIG; sig++) {
        u64 bit = 1ull << (sig - 1);
        if (!(pending & bit) || (current_task()->sigmask & bit))
            continue;
        u64 handler = current_process()->sigactions[sig - 1].handler;
        if (handler == 1 /* SIG_IGN */) {
            pending &= ~bit;
        } else if (handler == 0 /* SIG_DFL */) {
            pending &= ~bit;
            if (default_action(sig) == ACT_TERMINATE)
                kill_workload(sig, CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
        }
    }
}

static s64 raise_signal(u64 sig)
{
    if (sig > NSIG)
        return -EINVAL;
    if (sig == 0)
        return 0; /* existence check */
    if (sig == SIGKILL)
        kill_workload(SIGKILL, CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
    pending |= 1ull << (sig - 1);
    deliver_pending();
    return 0;
}

SYSCALL2(kill, pid_arg, sig)
{
    s64 pid = (s64)(s32)pid_arg;
    if (pid != PROC_PID && pid != 0 && pid != -1)
        return -ESRCH;
    return raise_signal(sig);
}

SYSCALL2(tkill, tid, sig)
{
    if ((s64)(s32)tid != PROC_PID)
        return (s64)(s32)tid <= 0 ? -EINVAL : -ESRCH;
    return raise_signal(sig);
}

SYSCALL3(tgkill, tgid, tid, sig)
{
    if ((s64)(s32)tgid <= 0 || (s64)(s32)tid <= 0)
        return -EINVAL;
    if ((s64)(s32)tgid != PROC_PID || (s64)(s32)tid != PROC_PID)
        return -ESRCH;
    return raise_signal(sig);
}
