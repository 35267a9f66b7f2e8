/* Host events (host_events.h): a short list of watches, searched per event. A workload
 * has tens of sockets open at most in the cases we serve; a hash comes when it has
 * thousands. */
#include "kernel/host_events.h"
#include "kernel/signal.h"
#include "arch/x86/hcall.h"
#include "lib/lib.h"

static struct host_watch *watches;

void host_watch_add(struct host_watch *w, u32 kind, u32 handle, u32 initial)
{
    w->kind = kind;
    w->handle = handle;
    w->ready = initial;
    wait_queue_init(&w->wq);
    w->next = watches;
    watches = w;
}

void host_watch_remove(struct host_watch *w)
{
    for (struct host_watch **p = &watches; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            return;
        }
    }
}

static void dispatch(const struct cl_event *ev)
{
    if (ev->kind == CL_EV_KIND_SIGNAL) {
        if (ev->handle >= 1 && ev->handle <= 64)
            signal_from_host((int)ev->handle);
        return;
    }
    for (struct host_watch *w = watches; w; w = w->next) {
        if (w->kind == ev->kind && w->handle == ev->handle) {
            w->ready |= ev->events & CL_EV_ALL;
            wake_up(&w->wq);
            return;
        }
    }
}

u32 host_events_fetch(s64 ns, struct cl_event *out, u32 max)
{
    if (ns < 0)
        ns = 0;
    s64 n = hcall(CL_HC_WAIT, (u64)ns, 0, 0, 0, 0, 0);
    if (n <= 0)
        return 0;
    if (n > (s64)max)
        n = max; /* the host cannot make us read past the buffer */
    if (n > (s64)CL_HC_MAX_EVENTS)
        n = CL_HC_MAX_EVENTS;
    memcpy(out, hcall_buffer(), (size_t)n * sizeof(struct cl_event));
    return (u32)n;
}

void host_events_dispatch(const struct cl_event *evs, u32 n)
{
    for (u32 i = 0; i < n; i++)
        dispatch(&evs[i]);
}

void host_events_wait(s64 ns)
{
    struct cl_event evs[CL_HC_MAX_EVENTS];
    host_events_dispatch(evs, host_events_fetch(ns, evs, CL_HC_MAX_EVENTS));
}
