/* Parses and serializes the SEV-SNP ATTESTATION_REPORT byte layout. */
#include "verify/snp_report.h"
#include "common/error_line.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Byte offsets of the fields, from the ABI's ATTESTATION_REPORT table. */
enum {
    OFF_VERSION = 0x000,
    OFF_GUEST_SVN = 0x004,
    OFF_POLICY = 0x008,
    OFF_FAMILY_ID = 0x010,
    OFF_IMAGE_ID = 0x020,
    OFF_VMPL = 0x030,
    OFF_SIGNATURE_ALGO = 0x034,
    OFF_CURRENT_TCB = 0x038,
    OFF_PLATFORM_INFO = 0x040,
    OFF_FLAGS = 0x048,
    OFF_REPORT_DATA = 0x050,
    OFF_MEASUREMENT = 0x090,
    OFF_HOST_DATA = 0x0c0,
    OFF_ID_KEY_DIGEST = 0x0e0,
    OFF_AUTHOR_KEY_DIGEST = 0x110,
    OFF_REPORT_ID = 0x140,
    OFF_REPORT_ID_MA = 0x160,
    OFF_REPORTED_TCB = 0x180,
    OFF_CPUID_FAM_ID = 0x188,
    OFF_CPUID_MOD_ID = 0x189,
    OFF_CPUID_STEP = 0x18a,
    OFF_CHIP_ID = 0x1a0,
    OFF_COMMITTED_TCB = 0x1e0,
    OFF_CURRENT_BUILD = 0x1e8,
    OFF_CURRENT_MINOR = 0x1e9,
    OFF_CURRENT_MAJOR = 0x1ea,
    OFF_COMMITTED_BUILD = 0x1ec,
    OFF_COMMITTED_MINOR = 0x1ed,
    OFF_COMMITTED_MAJOR = 0x1ee,
    OFF_LAUNCH_TCB = 0x1f0,
    OFF_LAUNCH_MIT_VECTOR = 0x1f8,
    OFF_CURRENT_MIT_VECTOR = 0x200,
    OFF_SIG_R = SNP_REPORT_SIG_R_OFFSET,
    OFF_SIG_S = SNP_REPORT_SIG_S_OFFSET,
};

/* Flags word (0x048) bit fields. */
#define FLAG_AUTHOR_KEY_EN   0x1u
#define FLAG_MASK_CHIP_KEY   0x2u
#define FLAG_SIGNING_KEY_SHF 2
#define FLAG_SIGNING_KEY_MSK 0x7u

_Static_assert(OFF_SIG_S + SNP_SIG_COMPONENT_SIZE <= SNP_REPORT_SIZE, "signature fits");
_Static_assert(OFF_CURRENT_MIT_VECTOR + 8 <= SNP_REPORT_SIGNED_SIZE, "fields are signed");

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *out, char *err,
                     size_t err_size)
{
    if (buf == NULL || len != SNP_REPORT_SIZE)
        return error_line(err, err_size, "report is %zu bytes, expected %d", buf ? len : 0,
                          SNP_REPORT_SIZE);

    struct snp_report r;
    memset(&r, 0, sizeof(r));
    r.version = get_le32(buf + OFF_VERSION);
    if (r.version < SNP_REPORT_MIN_VERSION)
        return error_line(err, err_size,
                          "report version %u is not supported (expected %d or later)", r.version,
                          SNP_REPORT_MIN_VERSION);
    r.signature_algo = get_le32(buf + OFF_SIGNATURE_ALGO);
    if (r.signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384)
        return error_line(err, err_size,
                          "unknown signature algorithm %u (expected %d, ECDSA P-384 with SHA-384)",
                          r.signature_algo, SNP_SIG_ALGO_ECDSA_P384_SHA384);

    r.guest_svn = get_le32(buf + OFF_GUEST_SVN);
    r.policy = get_le64(buf + OFF_POLICY);
    memcpy(r.family_id, buf + OFF_FAMILY_ID, sizeof(r.family_id));
    memcpy(r.image_id, buf + OFF_IMAGE_ID, sizeof(r.image_id));
    r.vmpl = get_le32(buf + OFF_VMPL);
    r.current_tcb = get_le64(buf + OFF_CURRENT_TCB);
    r.platform_info = get_le64(buf + OFF_PLATFORM_INFO);

    uint32_t flags = get_le32(buf + OFF_FLAGS);
    r.author_key_en = (flags & FLAG_AUTHOR_KEY_EN) != 0;
    r.mask_chip_key = (flags & FLAG_MASK_CHIP_KEY) != 0;
    r.signing_key = (uint8_t)((flags >> FLAG_SIGNING_KEY_SHF) & FLAG_SIGNING_KEY_MSK);

    memcpy(r.report_data, buf + OFF_REPORT_DATA, sizeof(r.report_data));
    memcpy(r.measurement, buf + OFF_MEASUREMENT, sizeof(r.measurement));
    memcpy(r.host_data, buf + OFF_HOST_DATA, sizeof(r.host_data));
    memcpy(r.id_key_digest, buf + OFF_ID_KEY_DIGEST, sizeof(r.id_key_digest));
    memcpy(r.author_key_digest, buf + OFF_AUTHOR_KEY_DIGEST, sizeof(r.author_key_digest));
    memcpy(r.report_id, buf + OFF_REPORT_ID, sizeof(r.report_id));
    memcpy(r.report_id_ma, buf + OFF_REPORT_ID_MA, sizeof(r.report_id_ma));
    r.reported_tcb = get_le64(buf + OFF_REPORTED_TCB);
    /* Reserved (zero) before version 3, so reading them unconditionally is harmless. */
    r.cpuid_fam_id = buf[OFF_CPUID_FAM_ID];
    r.cpuid_mod_id = buf[OFF_CPUID_MOD_ID];
    r.cpuid_step = buf[OFF_CPUID_STEP];
    memcpy(r.chip_id, buf + OFF_CHIP_ID, sizeof(r.chip_id));
    r.committed_tcb = get_le64(buf + OFF_COMMITTED_TCB);
    r.current_build = buf[OFF_CURRENT_BUILD];
    r.current_minor = buf[OFF_CURRENT_MINOR];
    r.current_major = buf[OFF_CURRENT_MAJOR];
    r.committed_build = buf[OFF_COMMITTED_BUILD];
    r.committed_minor = buf[OFF_COMMITTED_MINOR];
    r.committed_major = buf[OFF_COMMITTED_MAJOR];
    r.launch_tcb = get_le64(buf + OFF_LAUNCH_TCB);
    /* Reserved (zero) before version 5. */
    r.launch_mit_vector = get_le64(buf + OFF_LAUNCH_MIT_VECTOR);
    r.current_mit_vector = get_le64(buf + OFF_CURRENT_MIT_VECTOR);
    memcpy(r.sig_r, buf + OFF_SIG_R, sizeof(r.sig_r));
    memcpy(r.sig_s, buf + OFF_SIG_S, sizeof(r.sig_s));

    *out = r;
    return 0;
}

void snp_report_serialize(const struct snp_report *r, uint8_t out[SNP_REPORT_SIZE])
{
    memset(out, 0, SNP_REPORT_SIZE);
    put_le32(out + OFF_VERSION, r->version);
    put_le32(out + OFF_GUEST_SVN, r->guest_svn);
    put_le64(out + OFF_POLICY, r->policy);
    memcpy(out + OFF_FAMILY_ID, r->family_id, sizeof(r->family_id));
    memcpy(out + OFF_IMAGE_ID, r->image_id, sizeof(r->image_id));
    put_le32(out + OFF_VMPL, r->vmpl);
    put_le32(out + OFF_SIGNATURE_ALGO, r->signature_algo);
    put_le64(out + OFF_CURRENT_TCB, r->current_tcb);
    put_le64(out + OFF_PLATFORM_INFO, r->platform_info);
    put_le32(out + OFF_FLAGS, (r->author_key_en ? FLAG_AUTHOR_KEY_EN : 0) |
                                  (r->mask_chip_key ? FLAG_MASK_CHIP_KEY : 0) |
                                  (uint32_t)(r->signing_key & FLAG_SIGNING_KEY_MSK)
                                      << FLAG_SIGNING_KEY_SHF);
    memcpy(out + OFF_REPORT_DATA, r->report_data, sizeof(r->report_data));
    memcpy(out + OFF_MEASUREMENT, r->measurement, sizeof(r->measurement));
    memcpy(out + OFF_HOST_DATA, r->host_data, sizeof(r->host_data));
    memcpy(out + OFF_ID_KEY_DIGEST, r->id_key_digest, sizeof(r->id_key_digest));
    memcpy(out + OFF_AUTHOR_KEY_DIGEST, r->author_key_digest, sizeof(r->author_key_digest));
    memcpy(out + OFF_REPORT_ID, r->report_id, sizeof(r->report_id));
    memcpy(out + OFF_REPORT_ID_MA, r->report_id_ma, sizeof(r->report_id_ma));
    put_le64(out + OFF_REPORTED_TCB, r->reported_tcb);
    out[OFF_CPUID_FAM_ID] = r->cpuid_fam_id;
    out[OFF_CPUID_MOD_ID] = r->cpuid_mod_id;
    out[OFF_CPUID_STEP] = r->cpuid_step;
    memcpy(out + OFF_CHIP_ID, r->chip_id, sizeof(r->chip_id));
    put_le64(out + OFF_COMMITTED_TCB, r->committed_tcb);
    out[OFF_CURRENT_BUILD] = r->current_build;
    out[OFF_CURRENT_MINOR] = r->current_minor;
    out[OFF_CURRENT_MAJOR] = r->current_major;
    out[OFF_COMMITTED_BUILD] = r->committed_build;
    out[OFF_COMMITTED_MINOR] = r->committed_minor;
    out[OFF_COMMITTED_MAJOR] = r->committed_major;
    put_le64(out + OFF_LAUNCH_TCB, r->launch_tcb);
    put_le64(out + OFF_LAUNCH_MIT_VECTOR, r->launch_mit_vector);
    put_le64(out + OFF_CURRENT_MIT_VECTOR, r->current_mit_vector);
    memcpy(out + OFF_SIG_R, r->sig_r, sizeof(r->sig_r));
    memcpy(out + OFF_SIG_S, r->sig_s, sizeof(r->sig_s));
}

struct snp_tcb snp_tcb_decode(uint64_t raw)
{
    struct snp_tcb t = {
        .bootloader = (uint8_t)raw,
        .tee = (uint8_t)(raw >> 8),
        .snp = (uint8_t)(raw >> 48),
        .microcode = (uint8_t)(raw >> 56),
    };
    return t;
}

uint64_t snp_tcb_encode(struct snp_tcb tcb)
{
    return (uint64_t)tcb.bootloader | (uint64_t)tcb.tee << 8 | (uint64_t)tcb.snp << 48 |
           (uint64_t)tcb.microcode << 56;
}
