/*
 * Futex wait queues, keyed as Linux keys them, so that two address spaces using one
 * address for different words never meet, and two mapping one shared page always do:
 * a word in a shared mapping (MAP_SHARED of a tmpfs file, and of anonymous memory once
 * fork shares it), named without FUTEX_PRIVATE_FLAG, by its guest-physical address;
 * every other by (address space, user address). A private mapping's page may be copied
 * on write at any moment, so its key never names the page, as Linux's "private
 * mapping" keys do not (they differ from FUTEX_PRIVATE_FLAG's here only in name).
 *
 * A waiter lives on its thread's stack while it waits, as in Linux, and sleeps in
 * task_wait (kernel/wait.h) until a wake takes it off the queue.
 */
#ifndef SHIM_FUTEX_H
#define SHIM_FUTEX_H

#include "lib/types.h"

struct task;

struct futex_key {
    const void *space; /* the struct mm of the word's address space; NULL: word is a GPA */
    u64 word;          /* the user address, or the guest-physical one */
};

/* The key of the u32 at uaddr in the current address space; shared: the caller did not
 * say FUTEX_PRIVATE_FLAG. 0, or -EFAULT when a shared mapping's page cannot be read in. */
s64 futex_key_of(u64 uaddr, bool shared, struct futex_key *key);

struct futex_waiter {
    struct task *task;
    struct futex_key key;
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
/* The first waiter on key, left on the queue, or NULL; and whether there are two. */
struct futex_waiter *futex_first(const struct futex_key *key, bool *more);
/* Takes w off its queue and wakes it. */
void futex_wake_one(struct futex_waiter *w);
/* Wakes at most n waiters on key whose bitset meets bitset; how many. */
u32 futex_wake_key(const struct futex_key *key, u32 bitset, u32 n);
/* The kernel's own wake of the word at uaddr in the current address space (a thread's
 * clear_child_tid at exit, a robust lock whose owner died): with the shared key, as
 * Linux's; none if the word cannot be read. */
u32 futex_wake(u64 uaddr, u32 bitset, u32 n);
/* Wakes at most nwake waiters on from, moves at most nmove of the others to to; the
 * number woken plus moved. */
u32 futex_requeue(const struct futex_key *from, const struct futex_key *to, u32 nwake, u32 nmove);

/* The priority-inheritance and WAKE_OP operations (futex_ops.c), on the word at uaddr
 * (key its key, uaddr2 and key2 the second's); -errno or as Linux. */
s64 futex_lock_pi(u64 uaddr, const struct futex_key *key, u64 clock, s64 deadline, bool try_only);
s64 futex_unlock_pi(u64 uaddr, const struct futex_key *key);
s64 futex_wake_op(const struct futex_key *key, u64 uaddr2, const struct futex_key *key2,
                  u32 nr_wake, u32 nr_wake2, u32 encoded);

/* At a thread's exit: every robust lock it still holds is marked FUTEX_OWNER_DIED and
 * one of its waiters woken (futex_robust.c). */
void futex_exit_robust_list(struct task *t);

#endif
