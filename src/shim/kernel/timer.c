/* Kernel timers (timer.h): one list sorted by deadline. A workload arms a handful (one
 * per timerfd, itimer or timed wait), so an insertion walk beats a heap's bookkeeping. */
#include "kernel/timer.h"
#include "kernel/sleep.h"
#include "kernel/clock.h"

static struct ktimer *timers;

void timer_cancel(struct ktimer *t)
{
    if (!t->armed)
        return;
    for (struct ktimer **p = &timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->armed = false;
}

void timer_arm(struct ktimer *t, s64 deadline)
{
    timer_cancel(t);
    struct ktimer **p = &timers;
    while (*p && (*p)->deadline <= deadline)
        p = &(*p)->next;
    t->deadline = deadline;
    t->next = *p;
    t->armed = true;
    *p = t;
}

unsigned timers_run(void)
{
    unsigned n = 0;
    s64 now = clock_monotonic_ns();
    while (timers && timers->deadline <= now) {
        struct ktimer *t = timers;
        timers = t->next;
        t->armed = false;
        t->fn(t); /* may re-arm t */
        n++;
    }
    return n;
}

s64 timer_next_deadline(void)
{
    return timers ? timers->deadline : NSEC_FOREVER;
}
