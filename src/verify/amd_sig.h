/*
 * ECDSA P-384 with SHA-384 in AMD's signature layout: r then s, each 72 bytes
 * little-endian and zero-padded (SEV-SNP Firmware ABI, "ECDSA Signature Format"). Used by
 * attestation reports and by ID blocks; OpenSSL speaks DER, so this converts.
 */
#ifndef CLOISTER_VERIFY_AMD_SIG_H
#define CLOISTER_VERIFY_AMD_SIG_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define AMD_SIG_COMPONENT 72u /* bytes of r, of s */
#define AMD_SIG_RS        (2 * AMD_SIG_COMPONENT)

/* Signs msg with the P-384 key into rs (r at 0, s at 72). 0, or -1. */
int amd_sig_sign(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t rs[AMD_SIG_RS]);

/* 1 if rs is key's signature of msg, 0 if not (including padding beyond 48 bytes that
 * is not zero: r and s are below the P-384 order), -1 if verification could not run. */
int amd_sig_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t rs[AMD_SIG_RS]);

#endif
