/* vCPUs: creation with their boot state, and the run loop that serves their exits. */
#ifndef CLOISTER_VMM_VCPU_H
#define CLOISTER_VMM_VCPU_H

#include "launch/vcpu_init.h"
#include "vmm/vm.h"

/* The XCR0 to give the guest: the user-state components KVM supports (x87, SSE,
 * AVX, AVX-512). */
uint64_t vcpu_supported_xcr0(struct vm *vm);

/* How many guest-physical address bits KVM offers its guests (its supported CPUID,
 * launch/gpa_width.h), under SEV-SNP if snp; 0 if the ioctl fails. */
unsigned vcpu_supported_gpa_bits(struct vm *vm, bool snp);

/* Creates vCPU id with the given boot state and KVM's supported CPUID. */
int vcpu_create(struct vm *vm, unsigned id, const struct cl_vcpu_init *s);

/* Reads a vCPU's registers back into the boot-state form (what the sim TEE measures). */
int vcpu_read_state(struct vcpu *v, struct cl_vcpu_init *s);

/* TSC frequency (Hz) and the guest's TSC now, for the boot-info time base. */
int vcpu_tsc(struct vcpu *v, uint64_t *hz, uint64_t *tsc);

/* Runs the vCPU until the workload ends (vm->done) or something fails (-1, vm->err). */
int vcpu_run(struct vcpu *v);

#endif
