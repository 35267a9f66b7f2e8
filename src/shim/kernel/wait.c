/*
 * Wait queues and sleeping (wait.h). A sleeping task is TASK_BLOCKED off the run
 * queue, with a kernel timer for its deadline; task_wake puts it back. With nothing
 * runnable the scheduler asks the monitor to wait (CL_HC_WAIT) until the next timer or
 * a host event: the vCPU sleeps in the host's epoll_wait, costing the host nothing.
 */
#include "kernel/wait.h"
#include "kernel/host_events.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "kernel/clock.h"
#include "kernel/timer.h"
#include "kernel/sched.h"
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
    if (t->state == TASK_BLOCKED)
        sched_make_runnable(t);
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

static void wake_sleeper(struct ktimer *k)
{
    task_wake(k->priv);
}

s64 task_wait(u64 clock, s64 deadline, bool interruptible)
{
    struct task *t = current_task();
    struct ktimer timer = {.fn = wake_sleeper, .priv = t};
    for (;;) {
        timers_run();
        if (t->woken)
            return 0;
        if (interruptible && signal_pending())
            return -EINTR;
        s64 now = clock_now(clock);
        if (now >= deadline)
            return -ETIMEDOUT;
        /* every clock runs at the TSC's rate: the deadline in monotonic time */
        if (deadline != NSEC_FOREVER)
            timer_arm(&timer, clock_monotonic_ns() + (deadline - now));
        t->state = TASK_BLOCKED;
        schedule();
        timer_cancel(&timer);
    }
}
