/*
 * Kernel timers: a callback at a CLOCK_MONOTONIC deadline. They serve timed waits,
 * timerfd, alarm, setitimer and timer_create. Callbacks run from the scheduler's
 * sleep loop or the timer interrupt, never inside another callback, and must not
 * sleep: they wake tasks, set flags, re-arm themselves.
 */
#ifndef SHIM_TIMER_H
#define SHIM_TIMER_H

#include "lib/types.h"

struct ktimer {
    s64 deadline; /* CLOCK_MONOTONIC ns */
    void (*fn)(struct ktimer *t);
    void *priv;
    struct ktimer *next;
    bool armed;
};

/* Arms t (re-arms it if armed) to run t->fn at deadline. */
void timer_arm(struct ktimer *t, s64 deadline);
/* Disarms t; harmless if it is not armed. */
void timer_cancel(struct ktimer *t);
/* Runs the callbacks of every timer whose deadline has passed; how many ran. */
unsigned timers_run(void);
/* The earliest armed deadline, or NSEC_FOREVER. */
s64 timer_next_deadline(void);

#endif
