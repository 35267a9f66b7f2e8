/*
 * The SEV-ES save area (VMSA) page of a vCPU, built on the host.
 *
 * Under SEV-ES/SNP a vCPU's initial registers live in an encrypted page the firmware
 * measures (SNP_LAUNCH_UPDATE, page type VMSA). Building that page from the same
 * struct cl_vcpu_init the monitor starts the vCPU with makes the measured state and the
 * started state one thing.
 */
#ifndef CLOISTER_LAUNCH_VMSA_H
#define CLOISTER_LAUNCH_VMSA_H

#include <stdint.h>

#include "launch/vcpu_init.h"

#define SNP_VMSA_PAGE_SIZE 4096

/* SEV_FEATURES bit 0: the guest runs with SNP active (required for an SNP launch). */
#define SNP_SEV_FEAT_SNP_ACTIVE (1ull << 0)

/*
 * Fills page with the save area for state s and the given SEV_FEATURES. The page is
 * zeroed first, so every field cl_vcpu_init does not carry (CPL, VMPL, FPU state, debug
 * address registers, ...) is zero, and the same inputs always give the same bytes.
 * Values are copied as given: the caller decides, for example, whether EFER carries
 * SVME as KVM's own VMSA does.
 */
void snp_vmsa_build(const struct cl_vcpu_init *s, uint64_t sev_features,
                    uint8_t page[SNP_VMSA_PAGE_SIZE]);

#endif
