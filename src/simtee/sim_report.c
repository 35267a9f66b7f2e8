/* Makes and signs SEV-SNP attestation reports as the simulated secure processor. */
#include "simtee/sim_report.h"

#include "verify/snp_verify.h"
#include "common/error_line.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define REPORT_VERSION 2
#define MAX_VMPL       3

/* PLATFORM_INFO bit 0: simultaneous multithreading is enabled on the host. */
#define PLATFORM_INFO_SMT_EN (UINT64_C(1) << 0)

/* Policy bits the SNP ABI defined up to firmware 1.52 end at SINGLE_SOCKET (bit 20). */
#define POLICY_DEFINED_BITS (UINT64_C(0x1fffff))

int sim_report_check_policy(const struct sim_chip *c, uint64_t policy, char *err, size_t err_size)
{
    if (c == NULL)
        return error_line(err, err_size, "no simulated chip");
    if (!(policy & SNP_POLICY_RESERVED_ONE))
        return error_line(err, err_size, "guest policy 0x%llx: bit 17 must be set",
                          (unsigned long long)policy);
    if (policy & ~POLICY_DEFINED_BITS)
        return error_line(err, err_size,
                          "guest policy 0x%llx: bits above 20 are not defined by firmware %u.%u",
                          (unsigned long long)policy, c->fw_major, c->fw_minor);
    unsigned major = SNP_POLICY_ABI_MAJOR(policy), minor = SNP_POLICY_ABI_MINOR(policy);
    if (major > c->fw_major || (major == c->fw_major && minor > c->fw_minor))
        return error_line(err, err_size,
                          "guest policy 0x%llx: needs ABI %u.%u, the firmware is %u.%u",
                          (unsigned long long)policy, major, minor, c->fw_major, c->fw_minor);
    return 0;
}

int sim_report_make(const struct sim_chip *c, const struct sim_report_input *in,
                    uint8_t out[SNP_REPORT_SIZE], char *err, size_t err_size)
{
    if (c == NULL || c->vcek_key == NULL || in == NULL)
        return error_line(err, err_size, "no simulated chip or no request");
    if (sim_report_check_policy(c, in->policy, err, err_size) != 0)
        return -1;
    if (in->vmpl > MAX_VMPL)
        return error_line(err, err_size, "VMPL %u requested; VMPLs are 0 to %d", in->vmpl,
                          MAX_VMPL);
    if (in->author_signed && !in->id_signed)
        return error_line(err, err_size, "an author key is given without an ID key it signed");

    struct snp_report r;
    memset(&r, 0, sizeof(r));
    r.version = REPORT_VERSION;
    r.policy = in->policy;
    r.vmpl = in->vmpl;
    r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
    r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = c->reported_tcb;
    r.platform_info = (in->policy & SNP_POLICY_SMT) ? PLATFORM_INFO_SMT_EN : 0;
    r.author_key_en = in->author_signed;
    r.mask_chip_key = false;
    r.signing_key = SNP_SIGNING_KEY_VCEK;
    memcpy(r.report_data, in->report_data, sizeof(r.report_data));
    memcpy(r.measurement, in->measurement, sizeof(r.measurement));
    memcpy(r.host_data, in->host_data, sizeof(r.host_data));
    if (in->id_signed) {
        memcpy(r.id_key_digest, in->id_key_digest, sizeof(r.id_key_digest));
        memcpy(r.family_id, in->family_id, sizeof(r.family_id));
        memcpy(r.image_id, in->image_id, sizeof(r.image_id));
        r.guest_svn = in->guest_svn;
    }
    if (in->author_signed)
        memcpy(r.author_key_digest, in->author_key_digest, sizeof(r.author_key_digest));
    memcpy(r.report_id, in->report_id, sizeof(r.report_id));
    memset(r.report_id_ma, 0xff, sizeof(r.report_id_ma));
    memcpy(r.chip_id, c->chip_id, sizeof(r.chip_id));
    r.current_major = r.committed_major = c->fw_major;
    r.current_minor = r.committed_minor = c->fw_minor;
    r.current_build = r.committed_build = c->fw_build;

    snp_report_serialize(&r, out);
    if (snp_report_sign(out, c->vcek_key) != 0) {
        memset(out, 0, SNP_REPORT_SIZE);
        return error_line(err, err_size, "cannot sign the report with the chip's VCEK key");
    }
    return 0;
}
