/* Futex keys and wait queues (futex.h): a small hash of singly linked lists, FIFO per
 * key as Linux wakes them. */
#include "kernel/futex.h"
#include "uapi/errno.h"
#include "arch/x86/paging.h"
#include "kernel/sleep.h"
#include "kernel/wait.h"
#include "kernel/process.h"
#include "mm/mm.h"
#include "mm/uaccess.h"

#define FUTEX_BUCKETS 64u

static struct futex_waiter *buckets[FUTEX_BUCKETS];

s64 futex_key_of(u64 uaddr, bool shared, struct futex_key *key)
{
    struct mm *mm = mm_current();
    const struct vma *v = shared ? mm_find(uaddr) : NULL;
    if (!v || !v->shared) {
        *key = (struct futex_key){mm, uaddr};
        return 0;
    }
    /* the page, faulted in as a read of the word does, then found in the tables */
    u32 word;
    if (copy_from_user(&word, uaddr, sizeof(word)))
        return -EFAULT;
    u64 *pte = pte_lookup(mm->pgd, uaddr & ~(PAGE_SIZE - 1), false);
    if (!pte || !(*pte & PTE_P))
        return -EFAULT;
    *key = (struct futex_key){NULL, (*pte & PTE_ADDR_MASK) | (uaddr & (PAGE_SIZE - 1))};
    return 0;
}

static bool same_key(const struct futex_key *a, const struct futex_key *b)
{
    return a->space == b->space && a->word == b->word;
}

static struct futex_waiter **bucket(const struct futex_key *key)
{
    u64 h = key->word >> 2 ^ (u64)key->space >> 6;
    return &buckets[h % FUTEX_BUCKETS];
}

void futex_enqueue(struct futex_waiter *w)
{
    w->task = current_task();
    struct futex_waiter **p = bucket(&w->key);
    while (*p)
        p = &(*p)->next;
    w->woken = false;
    w->handed = false;
    w->next = NULL;
    *p = w;
}

static void dequeue(struct futex_waiter *w)
{
    for (struct futex_waiter **p = bucket(&w->key); *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            return;
        }
    }
}

s64 futex_block(struct futex_waiter *w, u64 clock, s64 deadline)
{
    s64 r = 0;
    wait_rearm();
    while (!w->woken && (r = task_wait(clock, deadline, true)) == 0)
        wait_rearm();
    if (w->woken)
        return 0;
    dequeue(w);
    if (r == -EINTR && deadline == NSEC_FOREVER)
        return -ERESTARTSYS;
    return r;
}

/* Takes the first waiter on key (meeting bitset) off its queue, or NULL. */
static struct futex_waiter *take(const struct futex_key *key, u32 bitset)
{
    for (struct futex_waiter **p = bucket(key); *p; p = &(*p)->next) {
        struct futex_waiter *w = *p;
        if (same_key(&w->key, key) && (w->bitset & bitset)) {
            *p = w->next;
            return w;
        }
    }
    return NULL;
}

struct futex_waiter *futex_first(const struct futex_key *key, bool *more)
{
    struct futex_waiter *first = NULL;
    *more = false;
    for (struct futex_waiter *w = *bucket(key); w; w = w->next) {
        if (!same_key(&w->key, key))
            continue;
        if (first) {
            *more = true;
            break;
        }
        first = w;
    }
    return first;
}

void futex_wake_one(struct futex_waiter *w)
{
    dequeue(w);
    w->woken = true;
    task_wake(w->task);
}

u32 futex_wake_key(const struct futex_key *key, u32 bitset, u32 n)
{
    u32 woken = 0;
    struct futex_waiter *w;
    while (woken < n && (w = take(key, bitset))) {
        w->woken = true;
        task_wake(w->task);
        woken++;
    }
    return woken;
}

u32 futex_wake(u64 uaddr, u32 bitset, u32 n)
{
    struct futex_key key;
    return futex_key_of(uaddr, true, &key) ? 0 : futex_wake_key(&key, bitset, n);
}

u32 futex_requeue(const struct futex_key *from, const struct futex_key *to, u32 nwake, u32 nmove)
{
    u32 done = futex_wake_key(from, ~0u, nwake), moved = 0;
    struct futex_waiter *w;
    while (moved < nmove && (w = take(from, ~0u))) {
        w->key = *to;
        futex_enqueue(w);
        moved++;
    }
    return done + moved;
}
