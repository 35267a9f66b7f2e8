/*
 * The calling thread's part of a run, while the vCPU threads run the guest: it waits
 * for the first of them to end, for --timeout, and for a second Ctrl-C, forwards the
 * host's signals (host_signals.h), and tells a guest whose vCPUs are all busy that the
 * host has events for it (host_events.h: the guest hears of them only when it asks, in
 * CL_HC_WAIT, and a busy guest does not ask).
 */
#ifndef CLOISTER_VMM_SUPERVISE_H
#define CLOISTER_VMM_SUPERVISE_H

#include "vmm/vm.h"

/* Before the vCPU threads start (and before the sandbox): the descriptors. */
int supervise_prepare(struct vm *vm);
/* Until a vCPU thread ends (supervise_vcpu_done), --timeout passes (vm->timed_out) or
 * a second SIGINT comes (vm->interrupted); vcpus.c then stops the rest. */
void supervise(struct vm *vm);
/* A vCPU thread's last act: wakes supervise(). */
void supervise_vcpu_done(struct vm *vm);
/* After the run. */
void supervise_finish(struct vm *vm);

#endif
