/* AMD-layout ECDSA P-384 signatures (amd_sig.h). */
#include "verify/amd_sig.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>

#define P384_BYTES 48u

int amd_sig_sign(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t rs[AMD_SIG_RS])
{
    int rc = -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    ECDSA_SIG *sig = NULL;
    size_t der_len = 0;
    if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key) != 1 ||
        EVP_DigestSign(md, NULL, &der_len, msg, len) != 1)
        goto out;
    der = OPENSSL_malloc(der_len);
    if (der == NULL || EVP_DigestSign(md, der, &der_len, msg, len) != 1)
        goto out;
    const unsigned char *p = der;
    sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (sig == NULL ||
        BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), rs, AMD_SIG_COMPONENT) != AMD_SIG_COMPONENT ||
        BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), rs + AMD_SIG_COMPONENT, AMD_SIG_COMPONENT) !=
            AMD_SIG_COMPONENT)
        goto out;
    rc = 0;
out:
    ECDSA_SIG_free(sig);
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    if (rc != 0)
        ERR_clear_error();
    return rc;
}

static int zero_tail(const uint8_t *p)
{
    uint8_t acc = 0;
    for (size_t i = P384_BYTES; i < AMD_SIG_COMPONENT; i++)
        acc |= p[i];
    return acc == 0;
}

int amd_sig_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t rs[AMD_SIG_RS])
{
    if (!zero_tail(rs) || !zero_tail(rs + AMD_SIG_COMPONENT))
        return 0;
    int rc = -1;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_lebin2bn(rs, P384_BYTES, NULL);
    BIGNUM *bs = BN_lebin2bn(rs + AMD_SIG_COMPONENT, P384_BYTES, NULL);
    unsigned char *der = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (sig == NULL || br == NULL || bs == NULL || md == NULL || !ECDSA_SIG_set0(sig, br, bs)) {
        BN_free(br);
        BN_free(bs);
        goto out;
    }
    int der_len = i2d_ECDSA_SIG(sig, &der);
    if (der_len <= 0 || EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) != 1)
        goto out;
    rc = EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1 ? 1 : 0;
out:
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return rc;
}
