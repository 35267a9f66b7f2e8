/* SHA-256 for the shim, from BearSSL (built with the shim's flags, see the Makefile). */
#ifndef SHIM_SHA256_H
#define SHIM_SHA256_H

#include "lib/types.h"

#define SHA256_SIZE 32

struct sha256 {
    u64 state[16]; /* br_sha256_context is 104 bytes with 8-byte alignment */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, u8 out[SHA256_SIZE]);
void sha256(const void *data, size_t n, u8 out[SHA256_SIZE]);

#endif
