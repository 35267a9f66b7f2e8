/*
 * Attestation reports for the workload. Under the sim TEE the secure processor lives in
 * the monitor and is asked by hypercall; under real SEV-SNP the same request goes to
 * the AMD secure processor as an encrypted guest message (a later backend). The guest
 * interfaces that use this: /dev/sev-guest (fs_dev.c) and configfs-tsm (fs_tsm.c).
 */
#ifndef SHIM_ATTEST_H
#define SHIM_ATTEST_H

#include "lib/types.h"

#define SNP_REPORT_SIZE 1184
#define SNP_CERTS_MAX   0x4000 /* Linux's SEV_FW_BLOB_MAX_SIZE */

/* Is there a secure processor to ask (a TEE launch)? */
bool attest_available(void);
void attest_init(bool available);

/*
 * A report binding report_data, at VMPL vmpl. certs (may be NULL) receives the
 * certificate table, *certs_len its length (0 when the TEE gave none). 0, or -errno:
 * -ENODEV without a TEE, -EINVAL for a bad VMPL, -EIO when the secure processor failed
 * or answered out of bounds.
 */
s64 attest_report(u32 vmpl, const u8 report_data[64], u8 report[SNP_REPORT_SIZE], u8 *certs,
                  u64 certs_cap, u64 *certs_len);

#endif
