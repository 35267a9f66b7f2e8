/*
 * futex(2): the operations glibc, musl and libstdc++ use on their locks, once flags
 * and condition variables (futex.c keeps the queues). Checked in Linux's order, so
 * each error is the one Linux gives. The ones that change the futex word themselves
 * (the priority-inheritance locks, WAKE_OP) are in futex_ops.c; the requeue-to-PI pair
 * glibc uses only for condition variables on PI mutexes is -ENOSYS.
 */
#include <cloister/abi.h>

#include "uapi/errno.h"
#include "kernel/futex.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define FUTEX_WAIT             0
#define FUTEX_WAKE             1
#define FUTEX_REQUEUE          3
#define FUTEX_CMP_REQUEUE      4
#define FUTEX_WAKE_OP          5
#define FUTEX_LOCK_PI          6
#define FUTEX_UNLOCK_PI        7
#define FUTEX_TRYLOCK_PI       8
#define FUTEX_WAIT_BITSET      9
#define FUTEX_WAIT_REQUEUE_PI  11
#define FUTEX_LOCK_PI2         13
#define FUTEX_WAKE_BITSET      10
#define FUTEX_PRIVATE_FLAG     128
#define FUTEX_CLOCK_REALTIME   256
#define FUTEX_CMD_MASK         (~(u64)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/*
 * The futex word's address: u32-aligned (else -EINVAL) and in the user half (else
 * -EFAULT); and its key (futex.h). A shared futex must also be mapped, as Linux looks
 * its page up for the key; a private one is keyed by the address alone.
 */
static s64 check_addr(u64 uaddr, bool shared, struct futex_key *key)
{
    if (uaddr % sizeof(u32))
        return -EINVAL;
    if (uaddr > CL_USER_TOP - sizeof(u32))
        return -EFAULT;
    u32 v;
    if (shared && copy_from_user(&v, uaddr, sizeof(v)))
        return -EFAULT;
    return futex_key_of(uaddr, shared, key);
}

static s64 futex_wait(u64 uaddr, u32 val, u32 bitset, u64 clock, s64 deadline, bool shared)
{
    struct futex_waiter w = {.bitset = bitset};
    s64 err = check_addr(uaddr, shared, &w.key);
    if (err)
        return err;
    u32 cur;
    if (copy_from_user(&cur, uaddr, sizeof(cur)))
        return -EFAULT;
    if (cur != val)
        return -EAGAIN;
    futex_enqueue(&w);
    return futex_block(&w, clock, deadline);
}

static s64 futex_cmp_requeue(u64 uaddr, u64 uaddr2, s64 nwake, s64 nmove, bool cmp, u32 val3,
                             bool shared)
{
    if (nwake < 0 || nmove < 0)
        return -EINVAL;
    struct futex_key from, to;
    s64 err = check_addr(uaddr, shared, &from);
    if (!err)
        err = check_addr(uaddr2, shared, &to);
    if (err)
        return err;
    if (cmp) {
        u32 cur;
        if (copy_from_user(&cur, uaddr, sizeof(cur)))
            return -EFAULT;
        if (cur != val3)
            return -EAGAIN;
    }
    return futex_requeue(&from, &to, (u32)nwake, (u32)nmove);
}

static bool has_timeout(u64 cmd)
{
    return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
           cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI;
}

SYSCALL6(futex, uaddr, op, val_arg, timeout_or_val2, uaddr2, val3_arg)
{
    u64 cmd = op & FUTEX_CMD_MASK, utime = timeout_or_val2;
    u32 val = (u32)val_arg, val3 = (u32)val3_arg;
    bool shared = !(op & FUTEX_PRIVATE_FLAG), realtime = op & FUTEX_CLOCK_REALTIME;
    u64 clock = realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    s64 deadline = NSEC_FOREVER;
    /* the timeout is read before the operation is looked at, as Linux does */
    if (utime && has_timeout(cmd)) {
        s64 err = timespec_from_user(utime, &deadline);
        if (err)
            return err;
        /* FUTEX_WAIT's timeout is relative (to CLOCK_MONOTONIC), the others' absolute */
        if (cmd == FUTEX_WAIT)
            deadline = deadline_after(CLOCK_MONOTONIC, deadline);
    }
    if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI &&
        cmd != FUTEX_LOCK_PI2 && cmd != FUTEX_LOCK_PI)
        return -ENOSYS;
    if (cmd == FUTEX_LOCK_PI)
        clock = CLOCK_REALTIME; /* its timeout is always absolute on the real-time clock */
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        u32 bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
        if (!bitset)
            return -EINVAL;
        return futex_wait(uaddr, val, bitset, clock, deadline, shared);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        u32 bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
        if (!bitset)
            return -EINVAL;
        struct futex_key key;
        s64 err = check_addr(uaddr, shared, &key);
        if (err)
            return err;
        /* Linux wakes one even when asked for none or a negative number */
        return futex_wake_key(&key, bitset, (s32)val > 0 ? val : 1);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        /* the timeout argument is the number to requeue */
        return futex_cmp_requeue(uaddr, uaddr2, (s32)val, (s32)utime, cmd == FUTEX_CMP_REQUEUE,
                                 val3, shared);
    case FUTEX_WAKE_OP: {
        struct futex_key key, key2;
        s64 err = check_addr(uaddr, shared, &key);
        if (!err)
            err = check_addr(uaddr2, shared, &key2);
        /* the timeout argument is the second count */
        return err ? err : futex_wake_op(&key, uaddr2, &key2, val, (u32)utime, val3);
    }
    /* the PI calls read the word whatever the flag says: the page must be there */
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
    case FUTEX_TRYLOCK_PI: {
        struct futex_key key;
        s64 err = check_addr(uaddr, true, &key);
        if (!err && !shared)
            err = futex_key_of(uaddr, false, &key);
        return err ? err : futex_lock_pi(uaddr, &key, clock, deadline, cmd == FUTEX_TRYLOCK_PI);
    }
    case FUTEX_UNLOCK_PI: {
        struct futex_key key;
        s64 err = check_addr(uaddr, true, &key);
        if (!err && !shared)
            err = futex_key_of(uaddr, false, &key);
        return err ? err : futex_unlock_pi(uaddr, &key);
    }
    default:
        return -ENOSYS;
    }
}
