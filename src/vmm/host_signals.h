/*
 * Forwarding the host's SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 (abi.h's
 * CL_FORWARDED_SIGNALS) to the workload
 * (CLOISTER_FORWARD_SIGNALS), so that Ctrl-C reaches the workload's own handler.
 *
 * The calling thread blocks them for the run (the vCPU threads inherit the mask) and
 * reads them from a signalfd (supervise.c). A signal is recorded for the guest and
 * wakes its CL_HC_WAIT through an eventfd in the VM's event loop (host_events.c), which
 * also interrupts a guest too busy to wait; the shim raises it in the workload
 * (kernel/signal.c). A second SIGINT stops the VM: a workload that ignores the first
 * cannot keep the user waiting.
 */
#ifndef CLOISTER_VMM_HOST_SIGNALS_H
#define CLOISTER_VMM_HOST_SIGNALS_H

#include <pthread.h>

#include "vmm/vm.h"
#include <cloister/abi.h>

/* Before the vCPU thread starts (and before the sandbox): blocks the signals, makes the
 * descriptors. Does nothing without CLOISTER_FORWARD_SIGNALS. */
int host_signals_prepare(struct vm *vm);
/* vm->sig_fd is readable: records what came for the guest; true when the VM must stop
 * (a second SIGINT). */
bool host_signals_read(struct vm *vm, bool *sigint_seen);
/* In CL_HC_WAIT (vCPU thread): takes the recorded signals as events for the guest, at
 * most max of them; how many. */
int host_signals_take(struct vm *vm, struct cl_event *out, int max);
/* Whether signals wait for the guest (then CL_HC_WAIT does not block). */
bool host_signals_pending(struct vm *vm);
/* After the run: closes the descriptors, drops what came too late, restores the mask. */
void host_signals_finish(struct vm *vm);

#endif
