/*
 * The launch plan: the ordered list of page operations that launching an image
 * performs (GPA, SEV-SNP page type, contents). One function produces it; the monitor
 * executes it, `cloister measure` and `cloister build` hash it into the SEV-SNP launch
 * digest, and the sim TEE recomputes the digest from what was actually loaded. So what
 * is measured and what is run cannot drift apart.
 *
 * Order: the shim's pages, the boot page tables, the launch area (struct cl_launch and
 * the manifest), the secrets and CPUID pages, then one VMSA per vCPU, BSP first.
 */
#ifndef CLOISTER_LAUNCH_LAUNCH_PLAN_H
#define CLOISTER_LAUNCH_LAUNCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "image/cwi_read.h"
#include "launch/snp_digest.h"
#include "launch/vcpu_init.h"

struct launch_op {
    uint64_t gpa;
    enum snp_page_type type;
    const uint8_t *page; /* 4096 bytes for NORMAL and VMSA; NULL otherwise */
};

struct launch_plan {
    struct launch_op *ops;
    size_t count;
    unsigned vcpus;
    uint64_t mem_size;              /* RAM, from the manifest */
    uint64_t image_size;            /* bytes mapped at CL_GPA_FILES (the image, page-rounded) */
    struct cl_vcpu_init vcpu_state; /* every vCPU starts so (the VMSA pages hold it) */
    uint8_t *storage;               /* pages the plan built itself (tables, launch area, VMSAs) */
};

/* The plan for img with vcpus vCPUs (0: the manifest's). 0, or -1 with err. */
int launch_plan_build(const struct cwi_image *img, unsigned vcpus, struct launch_plan *lp,
                      char *err, size_t err_size);
void launch_plan_free(struct launch_plan *lp);
/* Hashes the plan into the SEV-SNP launch digest. */
void launch_plan_digest(const struct launch_plan *lp, struct snp_digest *d);

/* The SEV-SNP launch digest of img started with vcpus vCPUs (0: the manifest's). */
int cwi_launch_digest(const struct cwi_image *img, unsigned vcpus, uint8_t digest[SNP_DIGEST_SIZE],
                      char *err, size_t err_size);

/* The VMSA page for a vCPU state, as the plan measures it. */
void launch_vmsa_page(const struct cl_vcpu_init *s, uint8_t page[4096]);

#endif
