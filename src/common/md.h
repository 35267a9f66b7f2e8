/*
 * The digest algorithms, fetched from OpenSSL once per process. OpenSSL 3 looks an
 * algorithm up again on every call given EVP_sha256()/EVP_sha384(); at a few hundred
 * digests per launch that lookup cost more than the hashing (docs/performance.md).
 */
#ifndef CLOISTER_COMMON_MD_H
#define CLOISTER_COMMON_MD_H

#include <openssl/evp.h>

/* Never NULL: if libcrypto cannot provide them the process aborts, since a wrong or
 * missing digest is worse than stopping. */
const EVP_MD *md_sha256(void);
const EVP_MD *md_sha384(void);

#endif
