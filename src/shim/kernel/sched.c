/*
 * The scheduler (sched.h): a FIFO run queue and the switch between tasks.
 *
 * A switch saves what belongs to the outgoing thread and is still in the CPU (its FPU
 * and vector registers, its FS and GS bases), points system-call and trap entry at the
 * incoming task's kernel stack, and swaps kernel stacks (switch_context). A new task
 * starts on a kernel stack that holds its first trap frame; switch_context "returns"
 * into task_entry_trampoline, which leaves for user mode with it. A task that exited
 * cannot free the stack it is running on: the next task to run frees it.
 */
#include "kernel/sched.h"
#include "arch/x86/fpu.h"
#include "kernel/host_events.h"
#include "kernel/clock.h"
#include "kernel/sleep.h"
#include "kernel/timer.h"
#include "kernel/panic.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"

static struct task *run_head, *run_tail;
static struct task *reap; /* a dead task whose memory the next task frees */

static bool fpu_alloc(struct task *t)
{
    t->fpu_alloc = kmalloc(fpu_state_size() + 63);
    if (!t->fpu_alloc)
        return false;
    t->fpu = (void *)(((u64)t->fpu_alloc + 63) & ~63ull);
    return true;
}

void sched_init(void)
{
    if (!fpu_alloc(current_task()))
        panic("no memory for the first task's FPU state");
}

void sched_make_runnable(struct task *t)
{
    t->state = TASK_RUNNABLE;
    t->run_next = NULL;
    if (run_tail)
        run_tail->run_next = t;
    else
        run_head = t;
    run_tail = t;
}

static struct task *take_runnable(void)
{
    struct task *t = run_head;
    if (t) {
        run_head = t->run_next;
        if (!run_head)
            run_tail = NULL;
    }
    return t;
}

static void free_task(struct task *t)
{
    kfree(t->fpu_alloc);
    /* the first task is static and runs on the boot CPU's own stack */
    if (t->kernel_stack) {
        kfree(t->kernel_stack);
        kfree(t);
    }
}

/* Runs on the incoming task's stack, right after the switch. */
static void after_switch(void)
{
    if (reap) {
        free_task(reap);
        reap = NULL;
    }
}

static void switch_to(struct task *prev, struct task *next)
{
    prev->user_fs = arch_get_user_fs();
    prev->user_gs = arch_get_user_gs();
    fpu_save(prev->fpu);
    if (prev->state == TASK_DEAD)
        reap = prev;
    next->state = TASK_RUNNING;
    this_cpu()->current = next;
    arch_set_kernel_stack(next->kernel_top);
    arch_set_user_fs(next->user_fs);
    arch_set_user_gs(next->user_gs);
    fpu_restore(next->fpu);
    switch_context(&prev->kernel_sp, next->kernel_sp);
    after_switch();
}

/* Nothing to run: wait for a timer or the host to make something runnable. */
static void idle_once(void)
{
    if (timers_run() || run_head)
        return;
    s64 next = timer_next_deadline();
    s64 wait = next == NSEC_FOREVER ? NSEC_FOREVER : next - clock_monotonic_ns();
    host_events_wait(wait);
}

void schedule(void)
{
    struct task *prev = current_task(), *next;
    if (prev->state == TASK_RUNNING) {
        if (!run_head)
            return;
        sched_make_runnable(prev);
    }
    while (!(next = take_runnable()))
        idle_once();
    if (next == prev) {
        prev->state = TASK_RUNNING;
        return;
    }
    switch_to(prev, next);
}

/* The first thing a new task runs (switch.S): into user mode with its frame. */
__attribute__((noreturn)) void task_first_run(struct trap_frame *tf);
void task_first_run(struct trap_frame *tf)
{
    after_switch();
    arch_enter_user(tf);
}

struct task *task_new(const struct trap_frame *tf)
{
    struct task *t = kmalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->kernel_stack = kmalloc(KERNEL_STACK_SIZE);
    if (!t->kernel_stack || !fpu_alloc(t)) {
        free_task(t);
        return NULL;
    }
    struct task *cur = current_task();
    t->proc = cur->proc;
    t->state = TASK_BLOCKED;
    t->sigmask = cur->sigmask;
    t->kernel_top = (u64)t->kernel_stack + KERNEL_STACK_SIZE;
    /* the frame at the top, as a system call from user mode leaves it; below it the
     * six callee-saved registers and the return address switch_context pops */
    struct trap_frame *frame = (struct trap_frame *)(t->kernel_top - TF_SIZE);
    *frame = *tf;
    u64 *sp = (u64 *)frame;
    *--sp = (u64)task_entry_trampoline;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    t->kernel_sp = (u64)sp;
    /* the parent's FPU state, as Linux's clone copies it */
    fpu_save(t->fpu);
    t->user_fs = arch_get_user_fs();
    t->user_gs = arch_get_user_gs();
    t->tid = cur->proc->next_tid++;
    t->all_next = cur->proc->tasks;
    cur->proc->tasks = t;
    cur->proc->nr_tasks++;
    return t;
}

static void unlink_task(struct task *t)
{
    struct process *p = t->proc;
    for (struct task **pp = &p->tasks; *pp; pp = &(*pp)->all_next) {
        if (*pp == t) {
            *pp = t->all_next;
            break;
        }
    }
    p->nr_tasks--;
}

void task_discard(struct task *t)
{
    unlink_task(t);
    free_task(t);
}

void task_exit(void)
{
    struct task *t = current_task();
    unlink_task(t);
    t->state = TASK_DEAD;
    schedule();
    panic("a dead task was scheduled");
}
