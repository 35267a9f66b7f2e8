/*
 * The SEV-SNP launch digest, computed on the host.
 *
 * SNP_LAUNCH_UPDATE extends the guest's launch digest once per page with a SHA-384 over
 * a PAGE_INFO record (SEV-SNP firmware ABI spec, "PAGE_INFO" table). Recomputing that
 * chain here lets `cloister measure` predict the digest an attestation report will
 * carry, and lets the sim TEE check the monitor's launch against it.
 */
#ifndef CLOISTER_LAUNCH_SNP_DIGEST_H
#define CLOISTER_LAUNCH_SNP_DIGEST_H

#include <stdint.h>

/* PAGE_TYPE values of SNP_LAUNCH_UPDATE, as the firmware numbers them. */
enum snp_page_type {
    SNP_PAGE_NORMAL = 1,
    SNP_PAGE_VMSA = 2,
    SNP_PAGE_ZERO = 3,
    SNP_PAGE_UNMEASURED = 4,
    SNP_PAGE_SECRETS = 5,
    SNP_PAGE_CPUID = 6,
};

#define SNP_DIGEST_SIZE 48 /* SHA-384 */
#define SNP_PAGE_SIZE   4096
/* The firmware measures every VMSA page at this GPA, whatever page KVM put it in. */
#define SNP_VMSA_GPA 0xFFFFFFFFF000ull

struct snp_digest {
    uint8_t value[SNP_DIGEST_SIZE];
};

/* Starts a chain: the digest before the first page is 48 zero bytes. */
void snp_digest_init(struct snp_digest *d);

/*
 * Extends d with one page added at gpa. contents is the page's 4096 bytes for NORMAL and
 * VMSA pages; for the other types the firmware measures no contents, so it is ignored and
 * may be NULL. The caller passes SNP_VMSA_GPA for VMSA pages (that is the GPA the
 * firmware uses). Returns 0, or -1 with d unchanged on an unknown type, NULL contents
 * where they are needed, or a gpa that is not page-aligned. Aborts only if libcrypto
 * itself fails (it cannot hash; no digest would be trustworthy).
 */
int snp_digest_add_page(struct snp_digest *d, uint64_t gpa, enum snp_page_type type,
                        const uint8_t *contents);

/* Writes d as 96 lowercase hex digits and a NUL. */
void snp_digest_hex(const struct snp_digest *d, char out[2 * SNP_DIGEST_SIZE + 1]);

#endif
