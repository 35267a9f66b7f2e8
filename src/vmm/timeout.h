/*
 * Interrupting vCPU threads from outside: --timeout, a wall-clock limit on the run that
 * nothing the guest does (spinning in user mode or with interrupts off, a hypercall
 * blocked on stdin) can outlast, and the end of a run, which must stop every vCPU.
 */
#ifndef CLOISTER_VMM_TIMEOUT_H
#define CLOISTER_VMM_TIMEOUT_H

#include <pthread.h>

#include "vmm/vm.h"

/* Before the vCPU thread starts: installs the handler of the signal that interrupts it
 * (a no-op handler without SA_RESTART, so KVM_RUN and a blocked read return EINTR). */
int timeout_prepare(struct vm *vm);

/* First thing in the vCPU thread: the kick must get through even if the caller of
 * cloister_run blocks that signal (threads inherit the mask). */
void timeout_vcpu_thread_start(void);

/* Interrupts vCPU thread th once: KVM_RUN returns, the guest goes on (vcpus.c repeats
 * it until the thread ends when the run must stop). */
void timeout_kick(pthread_t th);

#endif
