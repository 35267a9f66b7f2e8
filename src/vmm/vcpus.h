/*
 * The vCPU threads of a run. One thread per vCPU, all made before the run starts (a
 * sandboxed thread may make none), each confining itself with seccomp before it
 * touches the guest. vCPU 0 runs at once; the others wait until the shim starts them
 * (CL_HC_CPU_START), because every vCPU enters the shim at the same place with the
 * same registers and the shim must hand each its own stack first. The calling thread
 * waits for the first to end (or --timeout), then stops the rest.
 */
#ifndef CLOISTER_VMM_VCPUS_H
#define CLOISTER_VMM_VCPUS_H

#include "vmm/vm.h"

struct hc_ctx;

/* Runs the VM until the workload ends (0) or something fails (-1, vm->err). */
int vcpus_run(struct vm *vm);

/* CL_HC_CPU_START and CL_HC_KICK (hc_cpu.c) */
int hc_cpu_start(struct hc_ctx *c);
int hc_kick(struct hc_ctx *c);

#endif
