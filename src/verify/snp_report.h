/*
 * The AMD SEV-SNP ATTESTATION_REPORT (SEV-SNP firmware ABI, "ATTESTATION_REPORT
 * structure"): parsed from and serialized to its 1184 little-endian bytes.
 */
#ifndef CLOISTER_VERIFY_SNP_REPORT_H
#define CLOISTER_VERIFY_SNP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_REPORT_SIZE         0x4a0 /* 1184 bytes */
#define SNP_REPORT_SIGNED_SIZE  0x2a0 /* the signature covers bytes 0x000-0x29f */
#define SNP_REPORT_MIN_VERSION  2
#define SNP_SIG_COMPONENT_SIZE  72 /* r and s: little-endian, zero-padded */
#define SNP_REPORT_SIG_R_OFFSET 0x2a0
#define SNP_REPORT_SIG_S_OFFSET 0x2e8

#define SNP_MEASUREMENT_SIZE 48
#define SNP_REPORT_DATA_SIZE 64
#define SNP_HOST_DATA_SIZE   32
#define SNP_CHIP_ID_SIZE     64

/* SIGNATURE_ALGO values. Only one is defined by the ABI. */
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1

/* SIGNING_KEY values (bits 4:2 of the flags word). */
#define SNP_SIGNING_KEY_VCEK 0
#define SNP_SIGNING_KEY_VLEK 1
#define SNP_SIGNING_KEY_NONE 7

/* Guest policy bits a verifier looks at (POLICY, offset 0x08). */
#define SNP_POLICY_ABI_MINOR(p)  ((unsigned)((p)&0xff))
#define SNP_POLICY_ABI_MAJOR(p)  ((unsigned)(((p) >> 8) & 0xff))
#define SNP_POLICY_SMT           (UINT64_C(1) << 16)
#define SNP_POLICY_RESERVED_ONE  (UINT64_C(1) << 17) /* must be set by the guest owner */
#define SNP_POLICY_MIGRATE_MA    (UINT64_C(1) << 18)
#define SNP_POLICY_DEBUG         (UINT64_C(1) << 19)
#define SNP_POLICY_SINGLE_SOCKET (UINT64_C(1) << 20)

/*
 * A TCB_VERSION, decoded with the Milan and Genoa layout: byte 0 the PSP bootloader
 * SVN, byte 1 the PSP OS (TEE) SVN, bytes 2-5 reserved, byte 6 the SNP firmware SVN,
 * byte 7 the microcode patch level. (Turin and later put an FMC byte first and shift
 * the others; that layout is not decoded here.)
 */
struct snp_tcb {
    uint8_t bootloader;
    uint8_t tee;
    uint8_t snp;
    uint8_t microcode;
};

/*
 * Every field of the report, host byte order. Reserved bytes are not kept: the
 * serializer writes zeros there, which is what the firmware writes.
 */
struct snp_report {
    uint32_t version; /* 0x000: 2, 3, 5 ... (>= 2 accepted) */
    uint32_t guest_svn;
    uint64_t policy;
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t vmpl;
    uint32_t signature_algo;
    uint64_t current_tcb; /* 0x038: raw TCB_VERSION; see snp_tcb_decode() */
    uint64_t platform_info;
    /* 0x048: the flags word */
    bool author_key_en;                        /* bit 0: AUTHOR_KEY_DIGEST is present */
    bool mask_chip_key;                        /* bit 1: CHIP_ID is masked (all zero) */
    uint8_t signing_key;                       /* bits 4:2: SNP_SIGNING_KEY_* */
    uint8_t report_data[SNP_REPORT_DATA_SIZE]; /* 0x050: chosen by the guest */
    uint8_t measurement[SNP_MEASUREMENT_SIZE]; /* 0x090: launch digest */
    uint8_t host_data[SNP_HOST_DATA_SIZE];     /* 0x0c0: chosen by the host at launch */
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t report_id[32];
    uint8_t report_id_ma[32];
    uint64_t reported_tcb; /* 0x180: the TCB the VCEK was derived for */
    /* 0x188, version 3 and later (zero before): CPUID family, model, stepping */
    uint8_t cpuid_fam_id;
    uint8_t cpuid_mod_id;
    uint8_t cpuid_step;
    uint8_t chip_id[SNP_CHIP_ID_SIZE]; /* 0x1a0 */
    uint64_t committed_tcb;
    uint8_t current_build, current_minor, current_major;       /* 0x1e8 */
    uint8_t committed_build, committed_minor, committed_major; /* 0x1ec */
    uint64_t launch_tcb;                                       /* 0x1f0 */
    /* 0x1f8, version 5 and later (zero before) */
    uint64_t launch_mit_vector;
    uint64_t current_mit_vector;
    /* 0x2a0: ECDSA P-384 signature, as stored (little-endian, zero-padded) */
    uint8_t sig_r[SNP_SIG_COMPONENT_SIZE];
    uint8_t sig_s[SNP_SIG_COMPONENT_SIZE];
};

/*
 * Parses len bytes into *out. Returns 0, or -1 with a one-line reason in err (err_size
 * bytes, may be 0) when the length is not SNP_REPORT_SIZE, the version is below 2 or
 * the signature algorithm is not ECDSA P-384/SHA-384. Only the layout is checked: the
 * signature and the meaning of the fields are the verifier's business.
 */
int snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *out, char *err,
                     size_t err_size);

/* Writes the report's SNP_REPORT_SIZE bytes to out; reserved bytes become zero. */
void snp_report_serialize(const struct snp_report *r, uint8_t out[SNP_REPORT_SIZE]);

/* Splits a raw TCB_VERSION (Milan/Genoa layout) into its components, and back. */
struct snp_tcb snp_tcb_decode(uint64_t raw);
uint64_t snp_tcb_encode(struct snp_tcb tcb);

#endif
