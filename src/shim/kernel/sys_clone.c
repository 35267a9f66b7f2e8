/*
 * clone and clone3: threads with the flags glibc's and musl's pthread_create pass; a
 * clone without CLONE_THREAD makes a process (kernel/fork.c). clone3 is clone with its
 * arguments in a structure, the child's stack given as a range, and two flags of its
 * own: CLONE_CLEAR_SIGHAND (kept) and CLONE_INTO_CGROUP (no cgroups: EINVAL). glibc
 * 2.34+ tries clone3 first for both threads and posix_spawn. The end of a thread is
 * in kernel/exit.c.
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
#define CLONE_PIDFD          0x00001000ull
#define CLONE_PARENT         0x00008000ull
#define CLONE_CLEAR_SIGHAND  0x100000000ull
#define CLONE_INTO_CGROUP    0x200000000ull

/* what a thread shares, all of it required: we have one of each per process */
#define THREAD_SHARES (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_EXTRAS                                                                              \
    (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED |  \
     CLONE_CHILD_SETTID)

/* clone's work, for both calls: a thread, or a process (fork_process) */
static s64 do_clone(u64 flags, u64 newsp, u64 parent_tid, u64 child_tid, u64 tls)
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

SYSCALL5(clone, flags, newsp, parent_tid, child_tid, tls)
{
    if (flags >> 32)
        return -EINVAL; /* clone's flags are an int: clone3's own flags need clone3 */
    return do_clone(flags, newsp, parent_tid, child_tid, tls);
}

/* IN: clone3's argument structure as Linux 5.7+ defines it; older callers pass the
 * first 64 bytes (up to tls), newer ones more, which must then be zero. */
struct clone_args {
    u64 flags;
    u64 pidfd;       /* IN: with CLONE_PIDFD (unsupported) */
    u64 child_tid;   /* IN: CLONE_CHILD_SETTID/CLEARTID's address */
    u64 parent_tid;  /* IN: CLONE_PARENT_SETTID's address */
    u64 exit_signal; /* IN: sent to the parent at the child's end */
    u64 stack;       /* IN: the lowest address of the child's stack, or 0 */
    u64 stack_size;  /* IN: its size, 0 with no stack */
    u64 tls;         /* IN: CLONE_SETTLS's FS base */
    u64 set_tid;     /* IN: the pids wanted (checkpoint/restore): unsupported */
    u64 set_tid_size;
    u64 cgroup; /* IN: CLONE_INTO_CGROUP's directory: unsupported */
};

#define CLONE_ARGS_SIZE_VER0 64 /* flags .. tls */
#define CLONE_ARGS_MAX_SIZE  4096

SYSCALL2(clone3, uargs, size)
{
    struct clone_args a = {0};
    if (size < CLONE_ARGS_SIZE_VER0)
        return -EINVAL;
    if (size > CLONE_ARGS_MAX_SIZE)
        return -E2BIG;
    if (copy_from_user(&a, uargs, size < sizeof(a) ? size : sizeof(a)))
        return -EFAULT;
    /* a newer caller's fields we do not know: only zero means "not asked" */
    for (u64 off = sizeof(a); off < size; off += 8) {
        u64 word = 0, n = size - off < 8 ? size - off : 8;
        if (copy_from_user(&word, uargs + off, n))
            return -EFAULT;
        if (word)
            return -E2BIG;
    }
    /* Linux's clone3_args_valid: the exit signal is a field, not flag bits */
    if (a.flags & (CLONE_DETACHED | 0xffull))
        return -EINVAL;
    if (a.exit_signal > NSIG)
        return -EINVAL;
    if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
        return -EINVAL;
    if ((a.flags & CLONE_CLEAR_SIGHAND) && (a.flags & CLONE_SIGHAND))
        return -EINVAL;
    if (a.flags & ~0x3ffffffffull)
        return -EINVAL; /* flags no Linux knows */
    if ((a.flags & (CLONE_PIDFD | CLONE_INTO_CGROUP)) || a.set_tid || a.set_tid_size)
        return -EINVAL; /* pidfds, cgroups, chosen pids: none here (docs/processes.md) */
    if (!a.stack != !a.stack_size)
        return -EINVAL; /* a stack is a range: both or neither */
    u64 sp = 0;
    if (a.stack) {
        if (a.stack_size > CL_USER_TOP || a.stack > CL_USER_TOP - a.stack_size)
            return -EINVAL;          /* Linux's access_ok on the range */
        sp = a.stack + a.stack_size; /* it grows down from the range's end */
    }
    return do_clone(a.flags | a.exit_signal, sp, a.parent_tid, a.child_tid, a.tls);
}
