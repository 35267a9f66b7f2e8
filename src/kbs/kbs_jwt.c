/* The attestation token: a JWT signed with ES256 (see kbs_crypto.h). */
#include "kbs/kbs_crypto.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

char *kbs_jwt_es256(EVP_PKEY *key, const json_t *claims)
{
    static const char header[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
    char *claims_text = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    char *h64 = kbs_b64url_encode((const uint8_t *)header, strlen(header));
    char *c64 =
        claims_text ? kbs_b64url_encode((const uint8_t *)claims_text, strlen(claims_text)) : NULL;
    char *input = NULL, *s64 = NULL, *token = NULL;
    unsigned char *der = NULL;
    size_t der_len = 0;
    ECDSA_SIG *sig = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (h64 == NULL || c64 == NULL || md == NULL || asprintf(&input, "%s.%s", h64, c64) < 0) {
        input = NULL;
        goto out;
    }
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(md, NULL, &der_len, (const uint8_t *)input, strlen(input)) != 1 ||
        (der = OPENSSL_malloc(der_len)) == NULL ||
        EVP_DigestSign(md, der, &der_len, (const uint8_t *)input, strlen(input)) != 1)
        goto out;
    /* JWS wants r || s, each 32 bytes big-endian (RFC 7518 3.4), not OpenSSL's DER. */
    const unsigned char *p = der;
    uint8_t rs[64];
    if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL ||
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32) != 32 ||
        (s64 = kbs_b64url_encode(rs, sizeof(rs))) == NULL ||
        asprintf(&token, "%s.%s", input, s64) < 0)
        token = NULL;
out:
    ECDSA_SIG_free(sig);
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    free(s64);
    free(input);
    free(c64);
    free(h64);
    free(claims_text);
    ERR_clear_error();
    return token;
}
