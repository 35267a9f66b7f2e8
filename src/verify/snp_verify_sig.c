/* The report's signature: ECDSA P-384 with SHA-384 by the VCEK, checked here and made
 * here for the simulated chip (snp_report_sign). */
#include "verify/snp_verify.h"
#include "verify/snp_verify_internal.h"

#include "verify/amd_sig.h"

#include <string.h>

/* The P-384 scalar size; r and s are stored zero-padded to SNP_SIG_COMPONENT_SIZE. */
#define P384_SCALAR_SIZE 48

static bool is_p384(EVP_PKEY *key)
{
    char group[32];
    return key != NULL && EVP_PKEY_is_a(key, "EC") &&
           EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) == 1 &&
           strcmp(group, "secp384r1") == 0;
}

/* ECDSA P-384/SHA-384 over the signed bytes, with the VCEK's public key. */
enum snp_verify_status snp_verify_sig_check(const uint8_t *buf, const struct snp_report *r,
                                            X509 *vcek, struct snp_verify_result *res)
{
    if (r->signing_key != SNP_SIGNING_KEY_VCEK)
        return snp_verify_failf(
            res, SNP_VERIFY_SIGNATURE,
            "the report is signed with key %u (%s), only VCEK-signed reports are "
            "supported",
            r->signing_key,
            r->signing_key == SNP_SIGNING_KEY_VLEK   ? "VLEK"
            : r->signing_key == SNP_SIGNING_KEY_NONE ? "none"
                                                     : "reserved");
    EVP_PKEY *key = X509_get0_pubkey(vcek);
    if (!is_p384(key))
        return snp_verify_failf(res, SNP_VERIFY_SIGNATURE,
                                "the VCEK's public key is not ECDSA P-384");
    /* r and s are below the P-384 order, so the padding above 48 bytes must be zero. */
    if (!snp_verify_all_zero(r->sig_r + P384_SCALAR_SIZE,
                             SNP_SIG_COMPONENT_SIZE - P384_SCALAR_SIZE) ||
        !snp_verify_all_zero(r->sig_s + P384_SCALAR_SIZE,
                             SNP_SIG_COMPONENT_SIZE - P384_SCALAR_SIZE))
        return snp_verify_failf(res, SNP_VERIFY_SIGNATURE, "r or s has nonzero bytes beyond 48");

    int ok = amd_sig_verify(key, buf, SNP_REPORT_SIGNED_SIZE, buf + SNP_REPORT_SIG_R_OFFSET);
    if (ok < 0)
        return snp_verify_failf(res, SNP_VERIFY_SIGNATURE, "cannot set up ECDSA verification");
    if (ok == 0)
        return snp_verify_failf(
            res, SNP_VERIFY_SIGNATURE,
            "does not verify with the VCEK (the signed bytes 0x000-0x29f, r or s were "
            "changed, or the VCEK is another chip's)");
    return SNP_VERIFY_OK;
}

int snp_report_sign(uint8_t report[SNP_REPORT_SIZE], EVP_PKEY *key)
{
    /* r and s are adjacent in the report, as amd_sig lays them out */
    _Static_assert(SNP_REPORT_SIG_S_OFFSET == SNP_REPORT_SIG_R_OFFSET + AMD_SIG_COMPONENT,
                   "report r, s");
    if (!is_p384(key))
        return -1;
    return amd_sig_sign(key, report, SNP_REPORT_SIGNED_SIZE, report + SNP_REPORT_SIG_R_OFFSET);
}
