/*
 * Futex wait queues, keyed by the futex word's user address (the workload is one
 * process, so private and shared futexes have the same key). A waiter lives on its
 * thread's stack while it waits, as in Linux, and sleeps in task_wait (kernel/wait.h)
 * until a wake takes it off the queue.
 */
#ifndef SHIM_FUTEX_H
#define SHIM_FUTEX_H

#include "lib/types.h"

struct task;

struct futex_waiter {
    struct task *task;
    u64 uaddr;
    u32 bitset; /* FUTEX_WAIT_BITSET's mask; all ones for FUTEX_WAIT */
    bool woken;
    bool handed; /* FUTEX_UNLOCK_PI made this waiter the lock's owner */
    struct futex_waiter *next;
};

void futex_enqueue(struct futex_waiter *w);
/* Waits until w is woken (0), clock passes deadline (-ETIMEDOUT) or a signal comes
 * (-ERESTARTSYS without a timeout, -EINTR with one, as Linux); w is off its queue on
 * return. deadline NSEC_FOREVER: no timeout. */
s64 futex_block(struct futex_waiter *w, u64 clock, s64 deadline);
/* The first waiter on uaddr, left on the queue, or NULL; and whether there are two. */
struct futex_waiter *futex_first(u64 uaddr, bool *more);
/* Takes w off its queue and wakes it. */
void futex_wake_one(struct futex_waiter *w);
/* Wakes at most n waiters on uaddr whose bitset meets bitset; how many. */
u32 futex_wake(u64 uaddr, u32 bitset, u32 n);
/* Wakes at most nwake waiters on from, moves at most nmove of the others to to; the
 * number woken plus moved. */
u32 futex_requeue(u64 from, u64 to, u32 nwake, u32 nmove);

/* The priority-inheritance and WAKE_OP operations (futex_ops.c); -errno or as Linux. */
s64 futex_lock_pi(u64 uaddr, u64 clock, s64 deadline, bool try_only);
s64 futex_unlock_pi(u64 uaddr);
s64 futex_wake_op(u64 uaddr, u64 uaddr2, u32 nr_wake, u32 nr_wake2, u32 encoded);

/* At a thread's exit: every robust lock it still holds is marked FUTEX_OWNER_DIED and
 * one of its waiters woken (futex_robust.c). */
void futex_exit_robust_list(struct task *t);

#endif
