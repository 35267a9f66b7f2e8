/* SHA-256 through BearSSL's portable implementation. */
#include "lib/sha256.h"

#include <bearssl_hash.h>

_Static_assert(sizeof(br_sha256_context) <= sizeof(struct sha256), "sha256 context size");

void sha256_init(struct sha256 *c)
{
    br_sha256_init((br_sha256_context *)c);
}

void sha256_update(struct sha256 *c, const void *data, size_t n)
{
    br_sha256_update((br_sha256_context *)c, data, n);
}

void sha256_final(struct sha256 *c, u8 out[SHA256_SIZE])
{
    br_sha256_out((const br_sha256_context *)c, out);
}

void sha256(const void *data, size_t n, u8 out[SHA256_SIZE])
{
    struct sha256 c;
    sha256_init(&c);
    sha256_update(&c, data, n);
    sha256_final(&c, out);
}
