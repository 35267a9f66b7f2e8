/*
 * A relying party's verification of an AMD SEV-SNP attestation report: certificate
 * chain to a trusted AMD root, report signature, VCEK-to-report binding, policy and
 * the caller's expectations. Nothing is printed; the result says what failed.
 */
#ifndef CLOISTER_VERIFY_SNP_VERIFY_H
#define CLOISTER_VERIFY_SNP_VERIFY_H

#include "verify/snp_report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Which check failed. The order is the order in which snp_verify() runs them. */
enum snp_verify_status {
    SNP_VERIFY_OK = 0,
    SNP_VERIFY_INPUT,       /* "input": an argument is missing or unusable */
    SNP_VERIFY_REPORT,      /* "report": the bytes are not a report */
    SNP_VERIFY_CHAIN,       /* "certificate chain": ARK, ASK, VCEK */
    SNP_VERIFY_SIGNATURE,   /* "report signature" */
    SNP_VERIFY_TCB_BINDING, /* "VCEK binding": VCEK extensions vs reported_tcb, chip_id */
    SNP_VERIFY_POLICY,      /* "policy": debug */
    SNP_VERIFY_VMPL,        /* "vmpl" */
    SNP_VERIFY_MEASUREMENT, /* "measurement" */
    SNP_VERIFY_REPORT_DATA, /* "report data" */
    SNP_VERIFY_HOST_DATA,   /* "host data" */
    SNP_VERIFY_ID_KEY,      /* "ID key digest": the key that signed the image's ID block */
    SNP_VERIFY_AUTHOR_KEY,  /* "author key digest": the key that signed the ID key */
    SNP_VERIFY_MIN_TCB,     /* "minimum TCB" */
};

/*
 * What the caller trusts and expects. All-zero is a valid, strict configuration:
 * built-in AMD roots only, debug refused, VMPL 0 required, no further expectations,
 * certificate validity checked at the current time.
 */
struct snp_verify_opts {
    /*
     * Optional certificates that lead from the VCEK to the root: the ASK, the ARK, or
     * both, in any order. A missing ASK is taken from the built-in AMD pairs by the
     * VCEK's issuer name; a missing ARK from the trusted roots by the ASK's issuer.
     */
    STACK_OF(X509) * chain;
    /*
     * Optional root trusted in addition to AMD's built-in ARKs (e.g. a simulated
     * secure processor's). Borrowed, not freed. Certificates under it are held to the
     * same rules as AMD's: RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
     */
    X509 *extra_root;
    bool allow_debug; /* accept a guest policy that allows debugging */
    bool any_vmpl;    /* accept any VMPL; otherwise it must equal vmpl */
    uint32_t vmpl;
    /* Each NULL, or the exact bytes the report must hold. */
    const uint8_t *expect_measurement;       /* SNP_MEASUREMENT_SIZE bytes */
    const uint8_t *expect_report_data;       /* SNP_REPORT_DATA_SIZE bytes */
    const uint8_t *expect_host_data;         /* SNP_HOST_DATA_SIZE bytes */
    const uint8_t *expect_id_key_digest;     /* 48 bytes (a signed image's ID key) */
    const uint8_t *expect_author_key_digest; /* 48 bytes */
    /* When check_min_tcb, every component of reported_tcb must be >= min_tcb's. */
    bool check_min_tcb;
    struct snp_tcb min_tcb;
    time_t now; /* when to check certificate validity; 0 means the current time */
};

struct snp_verify_result {
    enum snp_verify_status status;
    /* "<check>: <why>", one line, e.g. "report signature: does not verify with the VCEK" */
    char message[512];
    bool report_parsed;       /* report below is valid (status is not INPUT or REPORT) */
    struct snp_report report; /* the parsed report, for printing what was verified */
    char product[32];         /* the VCEK's product name extension, e.g. "Milan-B0", or "" */
    char root[80];            /* the trusted root the chain ends in, e.g. "AMD ARK-Milan" */
};

/*
 * Verifies report (len bytes, as received) against the VCEK certificate vcek, under
 * opts (NULL: all defaults). Runs every check in the order of enum snp_verify_status
 * and stops at the first failure. Fills *res (always) and returns res->status.
 * Never takes ownership of its arguments.
 */
enum snp_verify_status snp_verify(const uint8_t *report, size_t len, X509 *vcek,
                                  const struct snp_verify_opts *opts,
                                  struct snp_verify_result *res);

/* The check's name as used in messages ("certificate chain", ...); "ok" for OK. */
const char *snp_verify_check_name(enum snp_verify_status status);

/*
 * Signs a serialized report in place, as the secure processor does: ECDSA P-384 with
 * SHA-384 over bytes 0x000-0x29f, r and s stored little-endian and zero-padded to 72
 * bytes at 0x2a0 and 0x2e8. key must be a P-384 private key. For the simulated
 * secure processor and for tests. Returns 0, or -1 if the key is unusable.
 */
int snp_report_sign(uint8_t report[SNP_REPORT_SIZE], EVP_PKEY *key);

#endif
