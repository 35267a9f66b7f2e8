/*
 * The monitor's seccomp sandbox (docs/sandbox.md): once the VM is built, the thread that
 * runs the vCPU and serves hypercalls may make only the system calls that work needs.
 */
#ifndef CLOISTER_VMM_SANDBOX_H
#define CLOISTER_VMM_SANDBOX_H

#include "vmm/vm.h"

/*
 * Confines the calling thread (and any thread it starts) for the rest of its life:
 * PR_SET_NO_NEW_PRIVS, then an allowlist whose default is to kill the whole process.
 * Only the calling thread: a program embedding libcloister keeps its own freedom and
 * may run further VMs. Returns -1 with vm->err filled if it cannot be installed.
 */
int sandbox_enter(struct vm *vm, const struct vcpu *v);

/*
 * The same filter for the thread that started the vCPU thread and waits for it, when
 * it will do nothing after the run but tear down and exit (CLOISTER_CONFINE_CALLER):
 * otherwise a subverted vCPU thread could plant code for it to run unconfined. 0 (and
 * nothing done) in sanitizer builds; -1 with vm->err filled on failure.
 */
int sandbox_confine_caller(struct vm *vm, const struct vcpu *v);

#endif
