/*
 * The end of tasks and processes (docs/processes.md).
 *
 * A thread ends alone with exit; exit_group, a fatal signal or SIGKILL end its whole
 * process: the process is marked exiting, its other tasks are woken or interrupted,
 * and each ends at its next return to user mode or interrupted wait. The last task
 * frees what the process owns (descriptors, address space), hands its children to
 * pid 1, becomes a zombie and tells its parent (the exit signal, the child_wait
 * queue), whose wait4 or waitid reaps it.
 *
 * Pid 1 is the workload: its end is the VM's, with its status, as `docker run`; the
 * processes still running end with it.
 */
#include "kernel/process.h"
#include "arch/x86/hcall.h"
#include "fs/file.h"
#include "kernel/fork.h"
#include "kernel/futex.h"
#include "kernel/itimer.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"
#include "lib/lib.h"
#include "mm/mm.h"
#include "mm/uaccess.h"

/* The workload ends with its first process. */
__attribute__((noreturn)) static void end_workload(int wstatus)
{
    if (wstatus_killed(wstatus))
        kill_workload(wstatus_value(wstatus), CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
    hcall_exit(wstatus_value(wstatus));
}

/* Marks p exiting with wstatus (the first status stays) and gets its tasks moving:
 * each ends when it next leaves the shim or an interruptible wait. */
static void begin_exit(struct process *p, int wstatus)
{
    if (p->exiting)
        return;
    p->exiting = true;
    p->wstatus = wstatus;
    struct task *me = current_task();
    for (struct task *t = p->tasks; t; t = t->all_next) {
        if (t == me)
            continue;
        task_wake(t);
        sched_notify_task(t);
    }
}

void process_kill(struct process *p, int sig)
{
    if (p->pid == PROC_PID)
        kill_workload(sig, CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
    if (!p->zombie)
        begin_exit(p, sig & 0x7f);
}

void process_exit(int wstatus)
{
    struct process *p = current_process();
    if (p->pid == PROC_PID)
        end_workload(wstatus);
    begin_exit(p, wstatus);
    task_end();
}

static void send_chld(struct process *parent, int sig, struct process *p, int code, int status)
{
    struct linux_siginfo info = {.si_code = code};
    info.u.kill.pid = p->pid;
    memcpy(&info.u.raw[8], &status, sizeof(status)); /* _sigchld's si_status */
    signal_send_to(parent, sig, &info);
}

void process_notify_parent(struct process *p, int code, int status)
{
    struct process *parent = p->parent;
    const struct k_sigaction *ka = &parent->sigactions[SIGCHLD - 1];
    if (!(ka->flags & SA_NOCLDSTOP))
        send_chld(parent, SIGCHLD, p, code, status);
    wake_up(&parent->child_wait);
}

/* Tells p's parent that p ended: its exit signal with the status (none if the parent
 * ignores SIGCHLD, which also means nobody waits: p is freed with its last task), and
 * its wait queue. */
static void notify_parent(struct process *p)
{
    struct process *parent = p->parent;
    const struct k_sigaction *ka = &parent->sigactions[SIGCHLD - 1];
    bool ignored = ka->handler == SIG_IGN;
    if (p->exit_signal == SIGCHLD && (ignored || (ka->flags & SA_NOCLDWAIT)))
        p->autoreap = true;
    if (p->exit_signal && !(p->exit_signal == SIGCHLD && ignored)) {
        send_chld(parent, (int)p->exit_signal, p,
                  wstatus_killed(p->wstatus) ? CLD_KILLED : CLD_EXITED, wstatus_value(p->wstatus));
    }
    wake_up(&parent->child_wait);
}

/* Who takes p's orphans: its nearest ancestor that asked to (PR_SET_CHILD_SUBREAPER),
 * else pid 1, as Linux. */
static struct process *new_parent_for_children_of(struct process *p)
{
    for (struct process *a = p->parent; a; a = a->parent)
        if (a->child_subreaper && !a->exiting)
            return a;
    return process_by_pid(PROC_PID);
}

/* p's children go to their new parent, which is told of those that ended already;
 * a child that asked for a signal when its parent dies (PR_SET_PDEATHSIG) gets it. */
static void reparent_children(struct process *p)
{
    struct process *heir = new_parent_for_children_of(p);
    while (p->children) {
        struct process *c = p->children;
        p->children = c->sibling;
        c->parent = heir;
        c->sibling = heir->children;
        heir->children = c;
        if (c->zombie) {
            notify_parent(c);
            continue;
        }
        for (struct task *t = c->tasks; t; t = t->all_next)
            if (t->pdeathsig) {
                struct linux_siginfo info = {.si_code = SI_USER};
                info.u.kill.pid = p->pid;
                signal_send_task(t, (int)t->pdeathsig, &info);
            }
    }
}

/* The last task of p, which is exiting: p keeps only what wait reads. */
__attribute__((noreturn)) static void finish_process(struct process *p)
{
    fdtable_free(p->files);
    p->files = NULL;
    process_timers_release(p);
    fork_release_vfork_parent(p);
    /* this CPU keeps the root loaded (a reference) until it switches away */
    mm_release(p->mm);
    p->mm = NULL;
    reparent_children(p);
    p->zombie = true;
    notify_parent(p);
    task_exit();
}

void task_end(void)
{
    struct task *t = current_task();
    struct process *p = t->proc;
    if (p->nr_tasks == 1) {
        if (p->pid == PROC_PID)
            end_workload(p->exiting ? p->wstatus : 0);
        finish_process(p);
    }
    wake_up(&p->threads_gone); /* an exec waiting for the others to go */
    futex_exit_robust_list(t); /* before the join futex, as Linux */
    /* pthread_join's futex: zero the thread id and wake a joiner, as Linux does */
    if (t->clear_child_tid) {
        s32 zero = 0;
        if (!copy_to_user(t->clear_child_tid, &zero, sizeof(zero)))
            futex_wake(t->clear_child_tid, ~0u, 1);
    }
    task_exit();
}

SYSCALL1(exit, status)
{
    struct process *p = current_process();
    if (p->nr_tasks == 1 && !p->exiting) {
        p->exiting = true; /* the last thread: the process ends with this status */
        p->wstatus = (int)((status & 0xff) << 8);
    }
    task_end();
}

SYSCALL1(exit_group, status)
{
    process_exit((int)((status & 0xff) << 8));
}
