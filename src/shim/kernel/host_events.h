/*
 * Readiness the host reports: a socket or the host's stdio became readable or
 * writable, a signal (CL_FORWARDED_SIGNALS) reached the monitor.
 *
 * The monitor watches its own fds on an event loop (src/vmm/host_events.c) and hands
 * the transitions over in CL_HC_WAIT's answer: edge-triggered, so a watch keeps what
 * it heard in `ready` until its owner finds the condition gone (a read that returns
 * EAGAIN clears CL_EV_IN). The host is not trusted: an event for a handle nobody
 * watches is dropped, a false one costs a spurious wake-up, never a wrong answer,
 * because the owner's next call to the host says what is really there.
 */
#ifndef SHIM_HOST_EVENTS_H
#define SHIM_HOST_EVENTS_H

#include "lib/types.h"
#include "kernel/wait.h"
#include <cloister/abi.h>

struct host_watch {
    u32 kind, handle; /* CL_EV_KIND_*, the monitor's handle (a stdio fd, a socket) */
    u32 ready;        /* CL_EV_* bits heard and not yet cleared by the owner */
    struct wait_queue wq;
    struct host_watch *next;
};

/* Starts hearing events for (kind, handle); ready starts at `initial`. */
void host_watch_add(struct host_watch *w, u32 kind, u32 handle, u32 initial);
void host_watch_remove(struct host_watch *w);

/* Asks the host for events, waiting at most ns (0: only those already there), and
 * dispatches them: sets ready bits and wakes each watch's queue, hands signals to
 * signal_from_host(). */
void host_events_wait(s64 ns);
/* The two halves, for an idle CPU that waits without the kernel lock: the events
 * copied out of this CPU's buffer (at most max; how many), then acted on. */
u32 host_events_fetch(s64 ns, struct cl_event *out, u32 max);
void host_events_dispatch(const struct cl_event *evs, u32 n);

#endif
