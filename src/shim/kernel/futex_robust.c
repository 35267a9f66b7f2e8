/*
 * Robust futexes: when a thread exits holding locks, the kernel marks each of them
 * FUTEX_OWNER_DIED and wakes a waiter, so the next locker gets EOWNERDEAD instead of
 * waiting forever (pthread_mutexattr_setrobust). The thread keeps the list of locks it
 * holds in its own memory (set_robust_list); the kernel walks it once, at exit.
 *
 * The list is user memory and may be garbage: every read is a checked copy, a lock is
 * changed only when its word names the dying thread, and the walk stops after
 * ROBUST_LIST_LIMIT entries, so a cyclic list cannot hold the exit forever (Linux's
 * limits, Documentation/locking/robust-futex-ABI.rst).
 */
#include "kernel/futex.h"
#include "kernel/process.h"
#include "mm/uaccess.h"

#define FUTEX_WAITERS     0x80000000u
#define FUTEX_OWNER_DIED  0x40000000u
#define FUTEX_TID_MASK    0x3fffffffu
#define ROBUST_LIST_LIMIT 2048

/* struct robust_list_head, as user space lays it out (set_robust_list checks the size) */
struct robust_list_head {
    u64 next;            /* first entry; the head's own address ends the list */
    s64 futex_offset;    /* from an entry to its lock's futex word */
    u64 list_op_pending; /* a lock being taken or released when the thread died */
};

/* Marks the lock at uaddr dead if tid owns it, and wakes one waiter to take it over. */
static void futex_owner_died(u64 uaddr, u32 tid)
{
    for (;;) {
        u32 cur, found;
        if ((uaddr & 3) || copy_from_user(&cur, uaddr, sizeof(cur)))
            return;
        if ((cur & FUTEX_TID_MASK) != tid)
            return;
        u32 dead = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if (cmpxchg_user_u32(uaddr, cur, dead, &found))
            return;
        if (found != cur)
            continue; /* a waiter set FUTEX_WAITERS meanwhile */
        /* Both kinds of waiter look at the word again when woken: a FUTEX_WAIT caller
         * in glibc's or musl's lock loop, a LOCK_PI caller in futex_lock_pi, which then
         * takes the free lock keeping FUTEX_OWNER_DIED. */
        if (cur & FUTEX_WAITERS)
            futex_wake(uaddr, ~0u, 1);
        return;
    }
}

/* The lock of list entry e (its low bit says "PI", which changes nothing here). */
static u64 entry_futex(u64 e, s64 offset)
{
    return (e & ~1ull) + (u64)offset;
}

void futex_exit_robust_list(struct task *t)
{
    struct robust_list_head h;
    u64 head = t->robust_list;
    if (!head || copy_from_user(&h, head, sizeof(h)))
        return;
    t->robust_list = 0;
    u32 tid = (u32)t->tid;
    u64 pending = h.list_op_pending & ~1ull;
    u64 e = h.next;
    for (int n = 0; e != head && n < ROBUST_LIST_LIMIT; n++) {
        u64 next;
        /* read the next entry before the lock is released: a waiter may free it */
        if (copy_from_user(&next, e & ~1ull, sizeof(next)))
            return;
        if ((e & ~1ull) != pending)
            futex_owner_died(entry_futex(e, h.futex_offset), tid);
        e = next;
    }
    if (pending)
        futex_owner_died(entry_futex(pending, h.futex_offset), tid);
}
