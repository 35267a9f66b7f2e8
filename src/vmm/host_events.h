/*
 * The monitor's event loop for what it holds on the guest's behalf: its sockets, and
 * later anything else the guest may wait on. One epoll instance per VM, edge-triggered;
 * a vCPU whose shim has nothing to run waits in it (CL_HC_WAIT), so an idle workload
 * costs the host nothing and no connection needs a thread of its own.
 */
#ifndef CLOISTER_VMM_HOST_EVENTS_H
#define CLOISTER_VMM_HOST_EVENTS_H

#include <stdint.h>

struct vm;
struct hc_ctx;

/* Creates the VM's epoll instance; before the sandbox, which allows no new one. */
int host_events_init(struct vm *vm);
void host_events_close(struct vm *vm);
/* Watches fd for the guest: its readiness changes are reported as (kind, handle). */
int host_events_watch(struct vm *vm, int fd, uint32_t kind, uint32_t handle);
void host_events_unwatch(struct vm *vm, int fd);

/* The calling thread's watch on the event loop (supervise.c): events_fd in epfd,
 * reported with tag; when it fires, host_events_tell_busy_guest interrupts the guest if
 * no vCPU waits for events. */
int host_events_watch_busy(struct vm *vm, int epfd, uint64_t tag);
void host_events_tell_busy_guest(struct vm *vm);

/* CL_HC_WAIT */
int hc_wait(struct hc_ctx *c);

#endif
