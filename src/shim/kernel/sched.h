/*
 * The scheduler: which task runs on the CPU. A task runs until it blocks
 * (task_wait), yields or exits; then the first task of a FIFO run queue takes the CPU,
 * and with none runnable the CPU waits for a timer or the host (kernel/wait.c).
 *
 * The kernel itself is never preempted: it runs with interrupts off on hardware, so
 * these structures need no lock while the workload has one vCPU.
 */
#ifndef SHIM_SCHED_H
#define SHIM_SCHED_H

#include "kernel/process.h"

/* After process_init and fpu_boot: the first task gets its FPU save area. */
void sched_init(void);
/* Puts t on the run queue (it must be TASK_BLOCKED or new). */
void sched_make_runnable(struct task *t);
/* Gives up the CPU. A TASK_RUNNING caller is put back on the run queue (a yield) and
 * returns at once if nothing else is runnable; a TASK_BLOCKED one returns once woken;
 * a TASK_DEAD one never returns. */
void schedule(void);
/* A new task of the current process: its kernel stack is set up to enter user mode
 * with *tf's registers; it is not runnable yet. NULL when memory runs out. */
struct task *task_new(const struct trap_frame *tf);
/* Frees a task that never ran (a clone that failed after task_new). */
void task_discard(struct task *t);
/* Ends the current task (not the last of its process); does not return. */
__attribute__((noreturn)) void task_exit(void);

#endif
