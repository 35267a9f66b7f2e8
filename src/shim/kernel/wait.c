/*
 * Wait queues and sleeping (wait.h).
 *
 * While the process has one task, only a timer or the host can wake it, so task_wait
 * runs the due timers and otherwise asks the monitor to wait (CL_HC_WAIT) until the
 * next deadline or a host event, whichever comes first: the vCPU sleeps in the host's
 * epoll_wait, costing the host nothing.
 */
#include "kernel/wait.h"
#include "kernel/host_events.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "kernel/clock.h"
#include "kernel/timer.h"
#include "uapi/errno.h"

static void enqueue(struct wait_entry *e, struct wait_queue *q)
{
    e->q = q;
    e->next = q->first;
    q->first = e;
}

void wait_prepare(struct wait_entry *e, struct wait_queue *q)
{
    e->task = current_task();
    e->fn = 0;
    e->priv = 0;
    e->task->woken = false;
    enqueue(e, q);
}

void wait_prepare_fn(struct wait_entry *e, struct wait_queue *q, void (*fn)(struct wait_entry *),
                     void *priv)
{
    e->task = 0;
    e->fn = fn;
    e->priv = priv;
    enqueue(e, q);
}

void wait_finish(struct wait_entry *e)
{
    if (!e->q)
        return;
    for (struct wait_entry **p = &e->q->first; *p; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            break;
        }
    }
    e->q = 0;
}

void wait_rearm(void)
{
    current_task()->woken = false;
}

void task_wake(struct task *t)
{
    t->woken = true;
}

void wake_up(struct wait_queue *q)
{
    /* a callback may take its own entry off the queue: step past it first */
    for (struct wait_entry *e = q->first, *next; e; e = next) {
        next = e->next;
        if (e->fn)
            e->fn(e);
        else
            task_wake(e->task);
    }
}

s64 task_wait(u64 clock, s64 deadline, bool interruptible)
{
    struct task *t = current_task();
    for (;;) {
        timers_run();
        if (t->woken)
            return 0;
        if (interruptible && signal_pending())
            return -EINTR;
        s64 now = clock_now(clock);
        if (now >= deadline)
            return -ETIMEDOUT;
        s64 wait = deadline - now;
        s64 next_timer = timer_next_deadline();
        if (next_timer != NSEC_FOREVER) {
            s64 until_timer = next_timer - clock_monotonic_ns();
            if (until_timer < wait)
                wait = until_timer;
        }
        host_events_wait(wait);
    }
}
