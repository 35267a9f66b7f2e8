/*
 * Sleeping and waking: wait queues, as Linux's.
 *
 * Everything that blocks goes through here: pipes, futexes, poll and epoll, sockets,
 * timers. A waiter registers on the queues it cares about, checks its condition, and
 * only then sleeps, so a wake that comes between the check and the sleep is not lost:
 *
 *     struct wait_entry e;
 *     wait_prepare(&e, &obj->wq);
 *     while (!ready(obj)) {
 *         s64 r = task_wait(CLOCK_MONOTONIC, deadline, true);
 *         if (r < 0) { wait_finish(&e); return r; }    -ETIMEDOUT or -EINTR
 *         wait_rearm();
 *     }
 *     wait_finish(&e);
 *
 * Wake-ups may be spurious: the condition is always checked again. A wait_entry with
 * a callback (wait_prepare_fn) runs it instead of waking a task: epoll uses that to
 * hear of readiness on the files it watches.
 *
 * What can wake a task: another task (wake_up), a kernel timer (timer.h) or the host
 * (host_events.h: a socket or stdio became ready, a signal reached the monitor).
 */
#ifndef SHIM_WAIT_H
#define SHIM_WAIT_H

#include "lib/types.h"

struct task;
struct wait_entry;

struct wait_queue {
    struct wait_entry *first;
};

struct wait_entry {
    struct wait_queue *q;
    struct wait_entry *next;
    struct task *task;                /* the task to wake, when fn is NULL */
    void (*fn)(struct wait_entry *e); /* or this, called from wake_up */
    void *priv;                       /* the callback's own */
};

#define WAIT_QUEUE_INIT                                                                            \
    {                                                                                              \
        0                                                                                          \
    }

static inline void wait_queue_init(struct wait_queue *q)
{
    q->first = 0;
}

/* Puts e on q for the current task and clears the task's "woken" mark. */
void wait_prepare(struct wait_entry *e, struct wait_queue *q);
/* Puts e on q to call fn(e) at each wake_up(q). */
void wait_prepare_fn(struct wait_entry *e, struct wait_queue *q, void (*fn)(struct wait_entry *),
                     void *priv);
/* Takes e off its queue (harmless if it is off already). */
void wait_finish(struct wait_entry *e);
/* Clears the current task's "woken" mark before checking the condition again. */
void wait_rearm(void);

/* Wakes every entry on q: tasks become runnable, callbacks run. */
void wake_up(struct wait_queue *q);
/* Marks t woken and runnable. */
void task_wake(struct task *t);

/*
 * Sleeps until the current task is woken (0), clock passes deadline (-ETIMEDOUT;
 * NSEC_FOREVER never passes) or, when interruptible, a signal is pending for the task
 * (-EINTR). Returns at once if the task was woken since wait_prepare/wait_rearm.
 */
s64 task_wait(u64 clock, s64 deadline, bool interruptible);

#endif
