/*
 * The scheduler (sched.h): a FIFO run queue and the switch between tasks.
 *
 * A switch saves what belongs to the outgoing thread and is still in the CPU (its FPU
 * and vector registers, its FS and GS bases), points system-call and trap entry at the
 * incoming task's kernel stack, and swaps kernel stacks (switch_context). A new task
 * starts on a kernel stack that holds its first trap frame; switch_context "returns"
 * into task_entry_trampoline, which leaves for user mode with it. A task that exited
 * cannot free the stack it is running on: the next task to run frees it.
 *
 * Several vCPUs: one run queue for all, under the kernel lock (klock.h). Each CPU has
 * an idle task, which runs when nothing else can; it gives up the kernel lock and waits
 * in the monitor (CL_HC_WAIT) for a timer, a host event or a kick from a CPU that made
 * a task runnable (CL_HC_KICK). The other vCPUs are started when the workload makes its
 * first thread: a single-threaded workload never pays for them.
 */
#include "kernel/sched.h"
#include "arch/x86/fpu.h"
#include "arch/x86/lapic.h"
#include "kernel/host_events.h"
#include "kernel/clock.h"
#include "kernel/sleep.h"
#include "kernel/timer.h"
#include "kernel/panic.h"
#include "kernel/klock.h"
#include "arch/x86/hcall.h"
#include "mm/kmalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "lib/lib.h"

static struct task *run_head, *run_tail;
static struct task *reap; /* a dead task whose memory the next task frees */

/* What the scheduler keeps per CPU. */
struct cpu_sched {
    struct task *idle;
    u64 armed_tsc;     /* what the timer is set to, 0 when it fired or never was */
    bool tick_due;     /* a tick came while the shim itself ran (PVM's ring-3 route) */
    bool host_due;     /* so did the monitor's VEC_HOST */
    bool idle_waiting; /* its idle task waits in the monitor: kick it to run a task */
    struct mm *mm;     /* whose root it has loaded (a reference), NULL for the boot root */
    s64 since_ns;      /* when its current task started running */
};
static struct cpu_sched cpus[CL_MAX_VCPUS];
static u32 nr_cpus = 1, nr_started = 1;

static struct cpu_sched *me(void)
{
    return &cpus[this_cpu()->cpu_id];
}

static bool fpu_alloc(struct task *t)
{
    t->fpu_alloc = kmalloc(fpu_state_size() + 63);
    if (!t->fpu_alloc)
        return false;
    t->fpu = (void *)(((u64)t->fpu_alloc + 63) & ~63ull);
    return true;
}

static __attribute__((noreturn)) void idle_loop(void);

/* An idle task for a CPU: never on the run queue, never on the process's list. With a
 * stack of its own (the boot CPU's, whose own stack the first task has) it starts in
 * idle_loop; without one it is the CPU's boot context, which calls idle_loop itself. */
static struct task *idle_task_new(bool own_stack)
{
    struct task *t = kmalloc(sizeof(*t));
    if (!t || !fpu_alloc(t))
        panic("no memory for an idle task");
    t->state = TASK_RUNNING;
    t->tid = 0;
    /* the process whose work it waits for: host events it dispatches (a forwarded
     * signal) act on it */
    t->proc = current_task()->proc;
    t->syscall_nr = -1;
    if (own_stack) {
        t->kernel_stack = kmalloc(KERNEL_STACK_SIZE);
        if (!t->kernel_stack)
            panic("no memory for an idle task");
        t->kernel_top = ((u64)t->kernel_stack + KERNEL_STACK_SIZE) & ~15ull;
        u64 *sp = (u64 *)t->kernel_top;
        *--sp = 0;              /* idle_loop's return address: it never returns */
        *--sp = (u64)idle_loop; /* where switch_context's ret lands */
        for (int i = 0; i < 6; i++)
            *--sp = 0; /* the callee-saved registers it pops */
        t->kernel_sp = (u64)sp;
    }
    fpu_init_state(t->fpu);
    return t;
}

void sched_init(u32 vcpus)
{
    if (!fpu_alloc(current_task()))
        panic("no memory for the first task's FPU state");
    nr_cpus = vcpus;
    cpus[0].idle = idle_task_new(true);
    cpus[0].since_ns = clock_monotonic_ns();
    cpus[0].mm = current_process()->mm; /* on the boot root, which is the first process's */
    mm_ref(cpus[0].mm);
    current_task()->cpu_mask = sched_cpu_mask_all();
}

/* A CPU waits in the monitor with nothing to run: wake one, if this task can use it. */
static void kick_idle_cpu(void)
{
    u32 self = this_cpu()->cpu_id;
    for (u32 i = 0; i < nr_started; i++) {
        if (i != self && cpus[i].idle_waiting) {
            cpus[i].idle_waiting = false; /* one kick per CPU is enough */
            hcall(CL_HC_KICK, i, 0, 0, 0, 0, 0);
            return;
        }
    }
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
    kick_idle_cpu();
}

/* The first runnable task this CPU may run (its affinity mask), off the queue. */
static struct task *take_runnable(void)
{
    u64 bit = 1ull << this_cpu()->cpu_id;
    struct task *prev = NULL;
    for (struct task *t = run_head; t; prev = t, t = t->run_next) {
        if (!(t->cpu_mask & bit))
            continue;
        if (prev)
            prev->run_next = t->run_next;
        else
            run_head = t->run_next;
        if (run_tail == t)
            run_tail = prev;
        return t;
    }
    return NULL;
}

u32 sched_nr_cpus(void)
{
    return nr_cpus;
}

u64 sched_cpu_mask_all(void)
{
    return nr_cpus >= 64 ? ~0ull : (1ull << nr_cpus) - 1;
}

static void free_task(struct task *t)
{
    kfree(t->fpu_alloc);
    kfree(t->held_more);
    /* the first task is static and runs on the boot CPU's own stack */
    if (t->kernel_stack) {
        kfree(t->kernel_stack);
        kfree(t);
    }
}

/* Runs on the incoming task's stack, right after the switch: a dead task's memory, and
 * its process's when nobody is to wait for it. */
static void after_switch(void)
{
    if (reap) {
        struct process *p = reap->proc;
        p->exited_ns += reap->run_ns;
        free_task(reap);
        reap = NULL;
        if (p->zombie && p->autoreap)
            process_free(p);
    }
}

void sched_load_mm(struct mm *mm)
{
    struct cpu_sched *c = me();
    if (mm == c->mm)
        return;
    arch_load_root(mm->pgd);
    mm_ref(mm);
    struct mm *old = c->mm;
    c->mm = mm;
    if (old)
        mm_unref(old); /* a process that ended: its root goes with the last CPU on it */
}

/* Loads the address space next runs in, unless this CPU has it loaded already. An idle
 * task runs only the shim: it keeps whatever root it finds (Linux's lazy TLB). */
static void switch_mm(struct task *next)
{
    if (next != me()->idle && next->proc->mm)
        sched_load_mm(next->proc->mm);
}

s64 sched_task_cpu_ns(const struct task *t)
{
    s64 ns = t->run_ns;
    if (t->state == TASK_RUNNING && t->tid) /* not an idle task */
        ns += clock_monotonic_ns() - cpus[t->cpu].since_ns;
    return ns;
}

static void switch_to(struct task *prev, struct task *next)
{
    struct cpu_sched *c = me();
    s64 now = clock_monotonic_ns();
    if (prev != c->idle)
        prev->run_ns += now - c->since_ns;
    c->since_ns = now;
    prev->user_fs = arch_get_user_fs();
    prev->user_gs = arch_get_user_gs();
    fpu_save(prev->fpu);
    if (prev->state == TASK_DEAD)
        reap = prev;
    next->state = TASK_RUNNING;
    next->cpu = this_cpu()->cpu_id;
    this_cpu()->current = next;
    switch_mm(next);
    arch_set_kernel_stack(next->kernel_top);
    arch_set_user_fs(next->user_fs);
    arch_set_user_gs(next->user_gs);
    fpu_restore(next->fpu);
    switch_context(&prev->kernel_sp, next->kernel_sp);
    after_switch();
}

/*
 * What a CPU does with nothing to run, with the kernel lock held on entry: run due
 * timers, take a runnable task, or give the lock up and wait in the monitor for a
 * timer, a host event or a kick. It says it waits before it lets go of the lock, so a
 * task made runnable after its last look brings a kick (the eventfd keeps it even if
 * it comes before the wait does).
 */
static void idle_loop(void)
{
    struct cpu_sched *c = me();
    struct cl_event evs[CL_HC_MAX_EVENTS];
    after_switch(); /* a fresh idle task starts here, not in switch_to */
    for (;;) {
        timers_run();
        struct task *next = take_runnable();
        if (next) {
            switch_to(c->idle, next);
            continue;
        }
        s64 at = timer_next_deadline();
        s64 wait = at == NSEC_FOREVER ? NSEC_FOREVER : at - clock_monotonic_ns();
        c->idle_waiting = true;
        kernel_unlock();
        u32 n = host_events_fetch(wait, evs, CL_HC_MAX_EVENTS);
        kernel_lock();
        c->idle_waiting = false;
        host_events_dispatch(evs, n);
    }
}

void schedule(void)
{
    struct task *prev = current_task(), *next;
    if (prev->state == TASK_RUNNING) {
        if (!run_head)
            return;
        sched_make_runnable(prev);
    }
    next = take_runnable();
    if (!next)
        next = me()->idle;
    if (next == prev) {
        prev->state = TASK_RUNNING;
        return;
    }
    switch_to(prev, next);
}

void sched_leave_cpu_if_barred(void)
{
    struct task *t = current_task();
    if (t->cpu_mask & (1ull << this_cpu()->cpu_id))
        return;
    /* queued before its context is saved: no other CPU can take it before this one
     * gives up the kernel lock, which is after the switch */
    sched_make_runnable(t);
    struct task *next = take_runnable();
    switch_to(t, next ? next : me()->idle);
}

/* A vCPU's first code in kernel mode (arch_cpu_start): its boot context becomes its
 * idle task. */
static void cpu_started(void)
{
    struct cpu_sched *c = me();
    c->idle->kernel_top = this_cpu()->kernel_rsp;
    this_cpu()->current = c->idle;
    kernel_lock();
    idle_loop();
}

void sched_start_cpus(void)
{
    while (nr_started < nr_cpus) {
        u32 id = nr_started;
        /* arch_cpu_start's area, 64-byte aligned: kmalloc's large blocks are not */
        u8 *mem = kmalloc(arch_cpu_area_size() + 64);
        if (!mem)
            return;
        cpus[id].idle = idle_task_new(false);
        if (!arch_cpu_start(id, (void *)(((u64)mem + 63) & ~63ull), cpu_started)) {
            hlog("cloister shim: vCPU %u did not start; the workload runs on %u\n", id, nr_started);
            nr_cpus = nr_started;
            return;
        }
        nr_started++;
    }
}

/*
 * Preemption. Before each return to user mode the timer is armed for the earliest of
 * the next kernel timer and, when another task waits for the CPU, the end of this
 * one's time slice. The MSR write is an exit on most hosts, so an armed timer that is
 * due no later than wanted is left alone: an early tick only costs a look.
 */
#define TIME_SLICE_NS 10000000ll /* 10 ms */

static void tick(void)
{
    me()->tick_due = false;
    timers_run();
    if (run_head)
        schedule(); /* the current task goes to the back of the queue */
}

void sched_timer_interrupt(bool from_user)
{
    me()->armed_tsc = 0;
    if (from_user)
        tick();
    else
        me()->tick_due = true; /* the shim is never preempted: after it is done */
}

void sched_host_interrupt(bool from_user)
{
    if (!from_user) {
        me()->host_due = true;
        return;
    }
    host_events_wait(0);
    if (run_head)
        schedule(); /* a task the host woke runs first, as Linux's wake-up preemption */
}

void sched_notify_task(struct task *t)
{
    if (t->state == TASK_RUNNING && t->cpu != this_cpu()->cpu_id)
        lapic_send_ipi(t->cpu, VEC_RESCHED);
}

void sched_return_to_user(void)
{
    struct cpu_sched *c = me();
    if (c->host_due) {
        c->host_due = false;
        host_events_wait(0);
    }
    if (c->tick_due)
        tick();
    if (!lapic_timer_available())
        return;
    s64 want = timer_next_deadline();
    if (run_head) {
        s64 slice_end = clock_monotonic_ns() + TIME_SLICE_NS;
        if (slice_end < want)
            want = slice_end;
    }
    if (want == NSEC_FOREVER)
        return; /* a tick that is still armed is harmless */
    u64 tsc = clock_tsc_at(want);
    if (c->armed_tsc && c->armed_tsc <= tsc && c->armed_tsc > rdtsc())
        return;
    lapic_timer_set(tsc);
    c->armed_tsc = tsc;
}

/* The first thing a new task runs (switch.S): into user mode with its frame. */
__attribute__((noreturn)) void task_first_run(struct trap_frame *tf);
void task_first_run(struct trap_frame *tf)
{
    after_switch();
    struct task *t = current_task();
    if (t->proc->exiting || t->must_exit)
        task_end();         /* made as its process began to end, or exec'd */
    if (t->set_child_tid) { /* a fork child's: its own copy of the word (Linux too ignores a fault)
                             */
        s32 tid = t->tid;
        copy_to_user(t->set_child_tid, &tid, sizeof(tid));
        t->set_child_tid = 0;
    }
    sched_return_to_user();
    kernel_exit();
    arch_enter_user(tf);
}

struct task *task_new(struct process *p, s32 tid, const struct trap_frame *tf)
{
    if (!tid && !(tid = pid_alloc()))
        return NULL;
    struct task *t = kmalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->kernel_stack = kmalloc(KERNEL_STACK_SIZE);
    if (!t->kernel_stack || !fpu_alloc(t)) {
        free_task(t);
        return NULL;
    }
    struct task *cur = current_task();
    t->proc = p;
    t->state = TASK_BLOCKED;
    t->sigmask = cur->sigmask;
    t->cpu_mask = cur->cpu_mask;
    task_inherit_attrs(t, cur);
    t->syscall_nr = -1;
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
    t->tid = tid;
    t->all_next = p->tasks;
    p->tasks = t;
    p->nr_tasks++;
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
