/*
 * What the verifier's files (snp_verify.c, snp_verify_chain.c, snp_verify_sig.c,
 * snp_verify_binding.c) share among themselves and no one else: each check in the
 * order snp_verify runs them, and the helpers that word their failures. Everyone
 * else's interface is snp_verify.h.
 */
#ifndef CLOISTER_VERIFY_SNP_VERIFY_INTERNAL_H
#define CLOISTER_VERIFY_SNP_VERIFY_INTERNAL_H

#include "verify/snp_verify.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* Room for the reason a helper fills before its check records it with snp_verify_failf. */
#define WHY_SIZE 256

/* snp_verify.c: records a failure as "<check>: <why>" and returns its status. */
__attribute__((format(printf, 3, 4))) enum snp_verify_status
snp_verify_failf(struct snp_verify_result *res, enum snp_verify_status status, const char *fmt,
                 ...);
/* snp_verify.c: copies text into out, replacing anything but printable ASCII. */
void snp_verify_sanitize(const unsigned char *text, size_t len, char *out, size_t outlen);
/* snp_verify.c: n bytes at p are all zero. */
bool snp_verify_all_zero(const uint8_t *p, size_t n);

/* snp_verify_chain.c: the ASK and ARK for vcek, the ARK trusted, every link checked. */
enum snp_verify_status snp_verify_chain_check(X509 *vcek, const struct snp_verify_opts *o,
                                              struct snp_verify_result *res);
/* snp_verify_sig.c: the report's ECDSA P-384 signature by the VCEK. */
enum snp_verify_status snp_verify_sig_check(const uint8_t *buf, const struct snp_report *r,
                                            X509 *vcek, struct snp_verify_result *res);
/* snp_verify_binding.c: the VCEK's extensions name the report's chip and TCB. */
enum snp_verify_status snp_verify_binding_check(const struct snp_report *r, X509 *vcek,
                                                struct snp_verify_result *res);
/* snp_verify_binding.c: the VCEK's productName for display; "" if absent. */
void snp_verify_binding_product(X509 *vcek, char *out, size_t outlen);

#endif
