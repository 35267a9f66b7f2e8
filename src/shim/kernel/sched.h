/*
 * The scheduler: which task runs on the CPU. A task runs until it blocks
 * (task_wait), yields or exits; then the first task of a FIFO run queue takes the CPU,
 * and with none runnable the CPU waits for a timer or the host (kernel/wait.c).
 *
 * The local APIC's timer preempts a task that keeps the CPU longer than a time slice
 * while others wait, and fires kernel timers while the workload computes. The kernel
 * itself is never preempted: it runs with interrupts off on hardware, and a tick that
 * comes while it runs (PVM's ring-3 route) waits for the return to user mode. With
 * several vCPUs, the kernel lock (klock.h) guards these structures as all the rest.
 */
#ifndef SHIM_SCHED_H
#define SHIM_SCHED_H

#include "kernel/process.h"

/* After process_init and fpu_boot: the first task gets its FPU save area, the boot
 * CPU its idle task; vcpus is how many the launch has. */
void sched_init(u32 vcpus);
/* The launch's vCPUs, and the affinity mask of all of them. */
u32 sched_nr_cpus(void);
u64 sched_cpu_mask_all(void);
/* After sched_setaffinity: a task that may no longer run on this CPU moves off it. */
void sched_leave_cpu_if_barred(void);
/* Brings up the other vCPUs, once: when the workload makes its first thread. */
void sched_start_cpus(void);
/* Puts t on the run queue (it must be TASK_BLOCKED or new). */
void sched_make_runnable(struct task *t);
/* Gives up the CPU. A TASK_RUNNING caller is put back on the run queue (a yield) and
 * returns at once if nothing else is runnable; a TASK_BLOCKED one returns once woken;
 * a TASK_DEAD one never returns. */
void schedule(void);
/* A new task of p (the current process for a thread, a fork child) with thread id tid
 * (0: a new number): its kernel stack is set up to enter user mode with *tf's
 * registers, its FPU state and FS/GS bases are the caller's; it is not runnable yet.
 * NULL when memory or numbers run out. */
struct task *task_new(struct process *p, s32 tid, const struct trap_frame *tf);
/* The local APIC's timer fired (arch/x86/trap.c, which acknowledged it): runs due kernel timers
 * and, when the interrupt came from user mode, preempts the task if another is runnable. */
void sched_timer_interrupt(bool from_user);
/* The monitor's VEC_HOST came: host events (a socket's readiness, a forwarded signal)
 * wait while every vCPU runs. Taken at once from user mode, a woken task then runs
 * first; from the shim itself, on its way back to user mode. */
void sched_host_interrupt(bool from_user);
/* t was sent a signal: if it runs workload code on another CPU, that CPU is
 * interrupted (VEC_RESCHED) so that it delivers the signal now, as Linux's kick does. */
void sched_notify_task(struct task *t);
/* Last thing before every return to user mode: a tick deferred while the shim ran,
 * and the timer armed for the next kernel timer or the end of the time slice. */
void sched_return_to_user(void);
/* This CPU runs in mm from now on (its root loaded, unless it is already): the
 * scheduler's switch, and exec's. */
struct mm;
void sched_load_mm(struct mm *mm);
/* The CPU time t has had, the current stretch on a CPU included. */
s64 sched_task_cpu_ns(const struct task *t);
/* Frees a task that never ran (a clone that failed after task_new). */
void task_discard(struct task *t);
/* Ends the current task (not the last of its process); does not return. */
__attribute__((noreturn)) void task_exit(void);

#endif
