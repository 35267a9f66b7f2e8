/*
 * Waiting until a deadline on one of Linux's clocks: shared by the sleeping system
 * calls (sys_time.c) and timed futex waits (futex.c).
 */
#ifndef SHIM_SLEEP_H
#define SHIM_SLEEP_H

#include "lib/types.h"

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7

#define NSEC_FOREVER 0x7fffffffffffffffll /* a deadline that never comes */

/* The time on clock id in ns, or -EINVAL for an unknown clock. */
s64 clock_now(u64 id);
/* Sleeps until clock reads at least deadline (NSEC_FOREVER: never returns). */
void sleep_until(u64 clock, s64 deadline);
/* A deadline rel ns after now on clock, saturating at NSEC_FOREVER. */
s64 deadline_after(u64 clock, s64 rel);
/* Reads a struct timespec from the workload into *ns: 0, -EFAULT, or -EINVAL when it
 * is negative or its nanoseconds are out of range, as Linux checks it. Saturates. */
s64 timespec_from_user(u64 uts, s64 *ns);

#endif
