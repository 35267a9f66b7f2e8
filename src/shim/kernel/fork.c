/*
 * New processes: fork, vfork, and clone without CLONE_THREAD (docs/processes.md).
 *
 * The child is a copy of the calling thread only, as POSIX says: its registers (rax 0),
 * FPU state, FS/GS bases, signal mask and alternate stack; a copy of the address space
 * with private pages shared copy-on-write (mm_clone); a copy of the descriptor table
 * naming the same open files; the parent's signal actions (handled ones back to SIG_DFL
 * with clone3's CLONE_CLEAR_SIGHAND), limits, cwd and umask. With
 * CLONE_VM (vfork, posix_spawn's clone) it borrows the parent's address space instead,
 * and with CLONE_VFORK the parent sleeps until the child execs or ends.
 */
#include "kernel/fork.h"
#include "kernel/manifest.h"
#include "uapi/errno.h"
#include "fs/file.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/wait.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "mm/mm.h"
#include "mm/uaccess.h"

/* Linux's clone flags that fork.c reads */
#define CSIGNAL              0x000000ffull
#define CLONE_VM             0x00000100ull
#define CLONE_VFORK          0x00004000ull
#define CLONE_SETTLS         0x00080000ull
#define CLONE_PARENT_SETTID  0x00100000ull
#define CLONE_CHILD_CLEARTID 0x00200000ull
#define CLONE_DETACHED       0x00400000ull
#define CLONE_CHILD_SETTID   0x01000000ull
#define CLONE_CLEAR_SIGHAND  0x100000000ull /* clone3's */

/* What a new process may ask for. Sharing descriptors, cwd or signal actions with a
 * process (CLONE_FILES, CLONE_FS, CLONE_SIGHAND without CLONE_THREAD), a new parent
 * (CLONE_PARENT), namespaces and ptrace: EINVAL, as docs/processes.md says. */
#define PROCESS_FLAGS                                                                              \
    (CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID |                       \
     CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID | CLONE_CLEAR_SIGHAND)

/* The parent of a vfork child sleeps until the child lets go of its memory. The wait
 * is the parent task's own: the child may be gone (reaped) by the time it wakes. */
static void wait_for_vfork_child(struct task *me)
{
    struct wait_entry e;
    wait_prepare(&e, &me->vfork_wait);
    while (me->vfork_waiting) {
        /* uninterruptible, as Linux's: the child runs on the parent's stack */
        task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, false);
        wait_rearm();
    }
    wait_finish(&e);
}

s64 fork_process(u64 flags, u64 newsp, u64 parent_tid, u64 child_tid, u64 tls)
{
    if (flags & ~PROCESS_FLAGS)
        return -EINVAL;
    if ((flags & CSIGNAL) > NSIG)
        return -EINVAL;
    if ((flags & CLONE_SETTLS) && tls >= CL_USER_TOP)
        return -EPERM;
    if (process_count() >= manifest_current()->max_processes) {
        syscall_trace_note("the workload has as many processes as its manifest allows");
        return -EAGAIN;
    }
    struct task *cur = current_task();
    struct process *parent = cur->proc;
    struct process *child = process_new(parent);
    if (!child)
        return -ENOMEM;
    child->exit_signal = (u32)(flags & CSIGNAL);
    if (flags & CLONE_CLEAR_SIGHAND)
        signal_reset_handlers(child);
    child->cwd = parent->cwd;
    child->files = fdtable_clone(parent->files);
    if (flags & CLONE_VM) {
        child->mm = parent->mm;
        child->mm->users++;
        child->mm->refs++;
    } else {
        child->mm = mm_clone(parent->mm);
    }
    struct trap_frame tf = *arch_user_frame();
    tf.rax = 0; /* the child's clone returns 0 */
    if (newsp)
        tf.rsp = newsp;
    struct task *t = child->files && child->mm ? task_new(child, child->pid, &tf) : NULL;
    if (!t) {
        if (child->files)
            fdtable_free(child->files);
        if (child->mm)
            mm_release(child->mm);
        process_free(child);
        return -ENOMEM;
    }
    t->altstack_sp = cur->altstack_sp;
    t->altstack_size = cur->altstack_size;
    t->altstack_flags = cur->altstack_flags;
    if (flags & CLONE_SETTLS)
        t->user_fs = tls;
    if (flags & CLONE_CHILD_SETTID)
        t->set_child_tid = child_tid;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = child_tid;
    s32 pid = child->pid;
    /* in the parent's memory (and, with CLONE_VM, the child's too) */
    if (flags & CLONE_PARENT_SETTID)
        copy_to_user(parent_tid, &pid, sizeof(pid));
    if (flags & CLONE_VFORK) {
        child->vfork_parent = cur;
        cur->vfork_waiting = true;
    }
    sched_start_cpus();
    sched_make_runnable(t);
    if (flags & CLONE_VFORK)
        wait_for_vfork_child(cur);
    return pid;
}

void fork_release_vfork_parent(struct process *p)
{
    struct task *parent = p->vfork_parent;
    if (!parent)
        return;
    p->vfork_parent = NULL;
    parent->vfork_waiting = false;
    wake_up(&parent->vfork_wait);
}

SYSCALL0(fork)
{
    return fork_process(SIGCHLD, 0, 0, 0, 0);
}

SYSCALL0(vfork)
{
    return fork_process(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
