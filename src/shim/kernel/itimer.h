/* A process's signal timers (sys_itimer.c): alarm, setitimer and the POSIX timers. */
#ifndef SHIM_ITIMER_H
#define SHIM_ITIMER_H

struct process;

/* Cancels and frees every timer of p (none are inherited and none outlive it): for
 * its exit. Harmless if it never made one. */
void process_timers_release(struct process *p);

/* Deletes p's POSIX timers, as exec does (Linux's exit_itimers); alarm and setitimer's
 * ITIMER_REAL stay armed across exec, as POSIX says. */
void process_timers_exec(struct process *p);

#endif
