/*
 * The futex operations that change the futex word itself: priority-inheritance locks
 * (glibc's PTHREAD_PRIO_INHERIT mutexes, and its robust ones) and FUTEX_WAKE_OP. The
 * word is shared with the workload's threads running on other vCPUs, so every change
 * is a compare-and-exchange on it (cmpxchg_user_u32), retried when user code got there
 * first, as Linux does.
 *
 * "Priority inheritance" has no priorities to pass on here (one scheduling class, FIFO
 * time slices); what the calls keep is the protocol: the word holds the owner's thread
 * id and FUTEX_WAITERS, and an unlock hands the lock straight to the first waiter.
 */
#include "kernel/futex.h"
#include "kernel/process.h"
#include "uapi/errno.h"
#include "mm/uaccess.h"

#define FUTEX_WAITERS    0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK   0x3fffffffu

static int read_word(u64 uaddr, u32 *v)
{
    return copy_from_user(v, uaddr, sizeof(*v)) ? -EFAULT : 0;
}

s64 futex_lock_pi(u64 uaddr, const struct futex_key *key, u64 clock, s64 deadline, bool try_only)
{
    u32 tid = (u32)current_task()->tid;
    for (;;) {
        u32 cur, found;
        s64 err = read_word(uaddr, &cur);
        if (err)
            return err;
        u32 owner = cur & FUTEX_TID_MASK;
        if (owner == 0) {
            bool more;
            u32 mine =
                tid | (cur & FUTEX_OWNER_DIED) | (futex_first(key, &more) ? FUTEX_WAITERS : 0);
            if ((err = cmpxchg_user_u32(uaddr, cur, mine, &found)))
                return err;
            if (found == cur)
                return 0;
            continue; /* user code changed it: look again */
        }
        if (owner == tid)
            return -EDEADLK;
        if (try_only)
            return -EAGAIN;
        if (!task_by_tid((s32)owner) && !(cur & FUTEX_OWNER_DIED))
            return -ESRCH; /* an owner that does not exist */
        if (!(cur & FUTEX_WAITERS)) {
            if ((err = cmpxchg_user_u32(uaddr, cur, cur | FUTEX_WAITERS, &found)))
                return err;
            if (found != cur)
                continue;
        }
        struct futex_waiter w = {.key = *key, .bitset = ~0u};
        futex_enqueue(&w);
        s64 r = futex_block(&w, clock, deadline);
        if (w.handed)
            return 0; /* the unlocker wrote our id into the word */
        if (r < 0)
            return r;
    }
}

s64 futex_unlock_pi(u64 uaddr, const struct futex_key *key)
{
    u32 tid = (u32)current_task()->tid;
    for (;;) {
        u32 cur, found;
        s64 err = read_word(uaddr, &cur);
        if (err)
            return err;
        if ((cur & FUTEX_TID_MASK) != tid)
            return -EPERM;
        bool more;
        struct futex_waiter *w = futex_first(key, &more);
        u32 next = w ? (u32)w->task->tid | (more ? FUTEX_WAITERS : 0) : 0;
        if ((err = cmpxchg_user_u32(uaddr, cur, next, &found)))
            return err;
        if (found != cur)
            continue;
        if (w) {
            w->handed = true;
            futex_wake_one(w);
        }
        return 0;
    }
}

static s32 sign_extend12(u32 v)
{
    return (s32)(v << 20) >> 20;
}

s64 futex_wake_op(const struct futex_key *key, u64 uaddr2, const struct futex_key *key2,
                  u32 nr_wake, u32 nr_wake2, u32 encoded)
{
    u32 op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    s32 oparg = sign_extend12((encoded >> 12) & 0xfff), cmparg = sign_extend12(encoded & 0xfff);
    if (encoded & (8u << 28))
        oparg = (s32)(1u << (oparg & 31)); /* FUTEX_OP_OPARG_SHIFT */
    if (op > 4 || cmp > 5)
        return -ENOSYS;
    u32 old, found;
    for (;;) {
        s64 err = read_word(uaddr2, &old);
        if (err)
            return err;
        u32 a = (u32)oparg, v;
        switch (op) {
        case 0:
            v = a;
            break;
        case 1:
            v = old + a;
            break;
        case 2:
            v = old | a;
            break;
        case 3:
            v = old & ~a;
            break;
        default:
            v = old ^ a;
            break;
        }
        if ((err = cmpxchg_user_u32(uaddr2, old, v, &found)))
            return err;
        if (found == old)
            break;
    }
    s64 n = futex_wake_key(key, ~0u, nr_wake);
    s32 o = (s32)old;
    bool hit = cmp == 0   ? o == cmparg
               : cmp == 1 ? o != cmparg
               : cmp == 2 ? o < cmparg
               : cmp == 3 ? o <= cmparg
               : cmp == 4 ? o > cmparg
                          : o >= cmparg;
    if (hit)
        n += futex_wake_key(key2, ~0u, nr_wake2);
    return n;
}
