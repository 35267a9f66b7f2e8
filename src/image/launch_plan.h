/*
 * The launch plan: the ordered list of page operations that launching an image
 * performs (GPA, SEV-SNP page type, contents). One function produces it; the monitor
 * executes it, `cloister measure` and `cloister build` hash it into the SEV-SNP launch
 * digest, and the sim TEE recomputes the digest from what was actually loaded. So
 * what is measured and what is run cannot drift apart.
 */
#ifndef CLOISTER_IMAGE_LAUNCH_PLAN_H
#define CLOISTER_IMAGE_LAUNCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "image/cwi_read.h"
#include "image/snp_digest.h"

/* The SEV-SNP launch digest of img started with vcpus vCPUs (0: the manifest's). */
int cwi_launch_digest(const struct cwi_image *img, unsigned vcpus,
                      uint8_t digest[SNP_DIGEST_SIZE], char *err, size_t err_size);

#endif
