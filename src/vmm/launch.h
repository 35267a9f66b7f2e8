/*
 * Executing a launch plan (src/launch/launch_plan.h) in a VM, and, for the sim TEE,
 * measuring what was loaded the way the secure processor would.
 */
#ifndef CLOISTER_VMM_LAUNCH_H
#define CLOISTER_VMM_LAUNCH_H

#include "launch/launch_plan.h"
#include "vmm/vm.h"

/* Copies the plan's pages into guest memory, which must be fresh (all zero), and
 * creates its vCPUs. */
int launch_execute(struct vm *vm, const struct launch_plan *lp);

/* The SEV-SNP digest of what is in the VM now, following the plan's page list: page
 * contents read back from guest memory, VMSAs from each vCPU's registers. */
int launch_measure_loaded(struct vm *vm, const struct launch_plan *lp, struct snp_digest *d);

#endif
