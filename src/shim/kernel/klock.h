/*
 * The kernel lock: one lock for all of the shim's state, held by a CPU from its entry
 * from user mode (a system call, a fault, the timer) until its return, and given up
 * only while the CPU is idle. Workload code runs on every vCPU at once; the shim's own
 * code runs on one at a time, so every module written for one CPU stays correct.
 *
 * Why not finer locks yet: the shim's paths are short next to the workload's, and a
 * server's threads spend their time in user mode or blocked; the lock's cost is
 * measured in docs/performance.md. Splitting it (the run queue, the futex buckets,
 * the descriptor table first) is the way up when that measure says so.
 */
#ifndef SHIM_KLOCK_H
#define SHIM_KLOCK_H

#include "lib/types.h"

/* From user mode into the shim: takes the lock, notes that this CPU left user mode. */
void kernel_enter(void);
/* Back to user mode: this CPU's stale TLB flushed if it must be, the lock given up. */
void kernel_exit(void);
void kernel_lock(void);
void kernel_unlock(void);

#endif
