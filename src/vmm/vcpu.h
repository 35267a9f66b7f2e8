/* vCPUs: creation with their boot state, and the run loop that serves their exits. */
#ifndef CLOISTER_VMM_VCPU_H
#define CLOISTER_VMM_VCPU_H

#include "launch/vcpu_init.h"
#include "vmm/vm.h"

/*
 * Tells KVM the XCR0 the shim is about to set on hardware: the user-state components
 * KVM supports (x87, SSE, AVX, AVX-512). Called after the launch is measured, whose
 * XCR0 is the reset value. A hypervisor that misses the shim's XSETBV would otherwise
 * put the launch value back on every guest entry: QEMU's TCG emulating nested SVM does
 * not intercept XSETBV, so KVM in such a machine never sees it (docs/cpuid.md).
 */
int vcpu_set_user_xcr0(struct vcpu *v);

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
