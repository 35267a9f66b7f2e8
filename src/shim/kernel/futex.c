/* Futex wait queues (futex.h): a small hash of singly linked lists, FIFO per address
 * as Linux wakes them. */
#include "kernel/futex.h"
#include "uapi/errno.h"
#include "kernel/sleep.h"
#include "kernel/wait.h"
#include "kernel/process.h"

#define FUTEX_BUCKETS 64u

static struct futex_waiter *buckets[FUTEX_BUCKETS];

static struct futex_waiter **bucket(u64 uaddr)
{
    return &buckets[(uaddr >> 2) % FUTEX_BUCKETS];
}

void futex_enqueue(struct futex_waiter *w)
{
    w->task = current_task();
    struct futex_waiter **p = bucket(w->uaddr);
    while (*p)
        p = &(*p)->next;
    w->woken = false;
    w->handed = false;
    w->next = NULL;
    *p = w;
}

static void dequeue(struct futex_waiter *w)
{
    for (struct futex_waiter **p = bucket(w->uaddr); *p; p = &(*p)->next) {
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

/* Takes the first waiter on uaddr (meeting bitset) off its queue, or NULL. */
static struct futex_waiter *take(u64 uaddr, u32 bitset)
{
    for (struct futex_waiter **p = bucket(uaddr); *p; p = &(*p)->next) {
        struct futex_waiter *w = *p;
        if (w->uaddr == uaddr && (w->bitset & bitset)) {
            *p = w->next;
            return w;
        }
    }
    return NULL;
}

struct futex_waiter *futex_first(u64 uaddr, bool *more)
{
    struct futex_waiter *first = NULL;
    *more = false;
    for (struct futex_waiter *w = *bucket(uaddr); w; w = w->next) {
        if (w->uaddr != uaddr)
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

u32 futex_wake(u64 uaddr, u32 bitset, u32 n)
{
    u32 woken = 0;
    struct futex_waiter *w;
    while (woken < n && (w = take(uaddr, bitset))) {
        w->woken = true;
        task_wake(w->task);
        woken++;
    }
    return woken;
}

u32 futex_requeue(u64 from, u64 to, u32 nwake, u32 nmove)
{
    u32 done = futex_wake(from, ~0u, nwake), moved = 0;
    struct futex_waiter *w;
    while (moved < nmove && (w = take(from, ~0u))) {
        w->uaddr = to;
        futex_enqueue(w);
        moved++;
    }
    return done + moved;
}
