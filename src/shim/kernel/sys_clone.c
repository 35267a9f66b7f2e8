/*
 * clone: threads with the flags glibc's and musl's pthread_create pass; a clone without
 * CLONE_THREAD makes a process (kernel/fork.c). clone3 is ENOSYS, and both C libraries
 * then fall back to clone. The end of a thread is in kernel/exit.c.
 */
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "kernel/fork.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define CLONE_VM             0x00000100ull
#define CLONE_FS             0x00000200ull
#define CLONE_FILES          0x00000400ull
#define CLONE_SIGHAND        0x00000800ull
#define CLONE_VFORK          0x00004000ull
#define CLONE_THREAD         0x00010000ull
#define CLONE_SYSVSEM        0x00040000ull
#define CLONE_SETTLS         0x00080000ull
#define CLONE_PARENT_SETTID  0x00100000ull
#define CLONE_CHILD_CLEARTID 0x00200000ull
#define CLONE_DETACHED       0x00400000ull
#define CLONE_CHILD_SETTID   0x01000000ull

/* what a thread shares, all of it required: we have one of each per process */
#define THREAD_SHARES (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_EXTRAS                                                                              \
    (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED |  \
     CLONE_CHILD_SETTID)

SYSCALL5(clone, flags, newsp, parent_tid, child_tid, tls)
{
    /* Linux's own consistency rules first */
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return -EINVAL;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL;
    if (!(flags & CLONE_THREAD))
        return fork_process(flags, newsp, parent_tid, child_tid, tls);
    if ((flags & THREAD_SHARES) != THREAD_SHARES)
        return -EINVAL; /* a thread shares all of these with its process */
    if (flags & ~(THREAD_SHARES | THREAD_EXTRAS | 0xffull))
        return -EINVAL; /* namespaces, ptrace, vfork of a thread... */
    if ((flags & CLONE_SETTLS) && tls >= CL_USER_TOP)
        return -EPERM;
    struct trap_frame tf = *arch_user_frame();
    tf.rax = 0; /* the child's clone returns 0 */
    if (newsp)
        tf.rsp = newsp;
    struct task *t = task_new(current_process(), 0, &tf);
    if (!t)
        return -EAGAIN;
    if (flags & CLONE_SETTLS)
        t->user_fs = tls;
    s32 tid = t->tid;
    /* one address space: both writes land where parent and child see them */
    if ((flags & CLONE_PARENT_SETTID) && copy_to_user(parent_tid, &tid, sizeof(tid)))
        goto fault;
    if ((flags & CLONE_CHILD_SETTID) && copy_to_user(child_tid, &tid, sizeof(tid)))
        goto fault;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = child_tid;
    sched_start_cpus();
    sched_make_runnable(t);
    return tid;
fault:
    /* it never ran: nothing but its memory to take back */
    t->clear_child_tid = 0;
    t->state = TASK_BLOCKED;
    task_discard(t);
    return -EFAULT;
}
