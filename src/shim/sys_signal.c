/*
 * Signal state: actions, mask and alternate stack are recorded and reported back as
 * Linux would. Delivery to handlers is not implemented yet; a fault kills the
 * workload with the signal's exit status (trap.c).
 */
#include "errno.h"
#include "proc.h"
#include "signal.h"
#include "syscall.h"
#include "uaccess.h"

#define SIG_BLOCK     0
#define SIG_UNBLOCK   1
#define SIG_SETMASK   2
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

SYSCALL(rt_sigaction)
{
    u64 sig = a0;
    if (a3 != 8 || sig < 1 || sig > NSIG)
        return -EINVAL;
    if (a1 && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    struct k_sigaction *cur = &proc.sigactions[sig - 1];
    struct k_sigaction act;
    if (a1 && copy_from_user(&act, a1, sizeof(act)))
        return -EFAULT;
    if (a2 && copy_to_user(a2, cur, sizeof(*cur)))
        return -EFAULT;
    if (a1) {
        act.mask &= ~UNBLOCKABLE;
        *cur = act;
    }
    return 0;
}

SYSCALL(rt_sigprocmask)
{
    if (a3 != 8)
        return -EINVAL;
    u64 set = 0, old = proc.sigmask;
    if (a1) {
        if (copy_from_user(&set, a1, sizeof(set)))
            return -EFAULT;
        switch (a0) {
        case SIG_BLOCK:
            proc.sigmask |= set;
            break;
        case SIG_UNBLOCK:
            proc.sigmask &= ~set;
            break;
        case SIG_SETMASK:
            proc.sigmask = set;
            break;
        default:
            return -EINVAL;
        }
        proc.sigmask &= ~UNBLOCKABLE;
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

struct linux_stack {
    u64 sp;
    s32 flags;
    s32 pad;
    u64 size;
};

SYSCALL(sigaltstack)
{
    struct linux_stack ss;
    if (a1) {
        struct linux_stack old = {proc.altstack_sp, proc.altstack_flags, 0, proc.altstack_size};
        if (!proc.altstack_size)
            old.flags = SS_DISABLE;
        if (copy_to_user(a1, &old, sizeof(old)))
            return -EFAULT;
    }
    if (a0) {
        if (copy_from_user(&ss, a0, sizeof(ss)))
            return -EFAULT;
        u32 mode = (u32)ss.flags & ~SS_AUTODISARM;
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
            return -EINVAL;
        if (mode == SS_DISABLE) {
            proc.altstack_sp = proc.altstack_size = 0;
            proc.altstack_flags = SS_DISABLE;
        } else {
            if (ss.size < MINSIGSTKSZ)
                return -ENOMEM;
            proc.altstack_sp = ss.sp;
            proc.altstack_size = ss.size;
            proc.altstack_flags = (s32)((u32)ss.flags & SS_AUTODISARM);
        }
    }
    return 0;
}
