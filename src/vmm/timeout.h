/*
 * --timeout: a wall-clock limit on the run, enforced from outside the vCPU thread, so
 * that nothing the guest does (spinning in user mode or with interrupts off, a
 * hypercall blocked on stdin) can outlast it.
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

/* Waits for the vCPU thread th. Without vm->timeout_ms, a plain join; with it, once the
 * limit passes, sets vm->timed_out and interrupts the thread until it has ended. */
void timeout_join(struct vm *vm, pthread_t th);

/* After vm->timed_out or vm->interrupted was set: interrupts the vCPU thread th until it
 * has ended, and joins it. */
void timeout_stop_thread(pthread_t th);
/* Interrupts the vCPU thread once (KVM_RUN returns, the guest goes on). */
void timeout_kick(pthread_t th);

#endif
