/* The cryptographic primitives under the JWE, through OpenSSL 3: Concat KDF, AES Key
 * Wrap, AES-GCM, RSA-OAEP-256 and ECDH-ES's key agreement. */
#include "kbs/kbs_crypto.h"
#include "kbs/kbs_jose_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>

int kbs_concat_kdf(const uint8_t *z, size_t z_len, const char *alg, const uint8_t *apu,
                   size_t apu_len, const uint8_t *apv, size_t apv_len, uint8_t *out, size_t out_len)
{
    size_t alg_len = strlen(alg);
    if (alg_len > 1024 || apu_len > 1024 || apv_len > 1024 || out_len > 1024)
        return -1;
    /* OtherInfo: AlgorithmID, PartyUInfo, PartyVInfo each with a 32-bit big-endian length,
     * then SuppPubInfo, the key length in bits (RFC 7518 4.6.2). */
    uint8_t info[4 * 4 + 3 * 1024], *p = info;
    const struct {
        const uint8_t *data;
        size_t len;
    } fields[] = {{(const uint8_t *)alg, alg_len}, {apu, apu_len}, {apv, apv_len}};
    for (size_t i = 0; i < 3; i++) {
        uint32_t l = (uint32_t)fields[i].len;
        *p++ = (uint8_t)(l >> 24);
        *p++ = (uint8_t)(l >> 16);
        *p++ = (uint8_t)(l >> 8);
        *p++ = (uint8_t)l;
        if (l > 0)
            memcpy(p, fields[i].data, l);
        p += l;
    }
    uint32_t bits = (uint32_t)out_len * 8;
    *p++ = (uint8_t)(bits >> 24);
    *p++ = (uint8_t)(bits >> 16);
    *p++ = (uint8_t)(bits >> 8);
    *p++ = (uint8_t)bits;

    /* SSKDF with a digest and no salt is SP 800-56C's one-step hash KDF: Concat KDF. */
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SSKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)z, z_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, (size_t)(p - info)),
        OSSL_PARAM_construct_end(),
    };
    int rc = ctx != NULL && EVP_KDF_derive(ctx, out, out_len, params) == 1 ? 0 : -1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    OPENSSL_cleanse(info, sizeof(info));
    ERR_clear_error();
    return rc;
}

/* AES-256 Key Wrap (RFC 3394) of a 32-byte key, or its unwrap; out holds in_len +- 8. */
int kbs_prim_aes_kw(int encrypt, const uint8_t kek[CEK_SIZE], const uint8_t *in, size_t in_len,
                    uint8_t *out, size_t *out_len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0, ok = 0;
    if (ctx != NULL) {
        EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
        ok = EVP_CipherInit_ex(ctx, EVP_aes_256_wrap(), NULL, kek, NULL, encrypt) == 1 &&
             EVP_CipherUpdate(ctx, out, &l1, in, (int)in_len) == 1 &&
             EVP_CipherFinal_ex(ctx, out + l1, &l2) == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    *out_len = (size_t)(l1 + l2);
    return ok ? 0 : -1;
}

/* AES-256-GCM over len bytes with aad; encrypting writes tag, decrypting checks it. */
int kbs_prim_gcm(int encrypt, const uint8_t key[CEK_SIZE], const uint8_t iv[GCM_IV_SIZE],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                 uint8_t tag[GCM_TAG_SIZE])
{
    if (len > INT_MAX || aad_len > INT_MAX)
        return -1;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l = 0, ok = ctx != NULL &&
                    EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, GCM_IV_SIZE, NULL) == 1 &&
                    EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, encrypt) == 1 &&
                    EVP_CipherUpdate(ctx, NULL, &l, aad, (int)aad_len) == 1 &&
                    EVP_CipherUpdate(ctx, out, &l, in, (int)len) == 1;
    if (ok && !encrypt)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GCM_TAG_SIZE, tag) == 1;
    int l2 = 0;
    ok = ok && EVP_CipherFinal_ex(ctx, out + l, &l2) == 1;
    if (ok && encrypt)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_SIZE, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}

/* RSAES-OAEP with SHA-256 and MGF1-SHA-256: JWA's RSA-OAEP-256. *out is malloc'd. */
int kbs_prim_rsa_oaep256(int encrypt, EVP_PKEY *key, const uint8_t *in, size_t in_len,
                         uint8_t **out, size_t *out_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    size_t len = 0;
    uint8_t *buf = NULL;
    int ok = ctx != NULL &&
             (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
             (encrypt ? EVP_PKEY_encrypt(ctx, NULL, &len, in, in_len)
                      : EVP_PKEY_decrypt(ctx, NULL, &len, in, in_len)) == 1 &&
             (buf = malloc(len ? len : 1)) != NULL &&
             (encrypt ? EVP_PKEY_encrypt(ctx, buf, &len, in, in_len)
                      : EVP_PKEY_decrypt(ctx, buf, &len, in, in_len)) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (!ok) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* The ECDH shared secret Z (the x coordinate, field-size bytes) of priv and peer. */
static int ecdh(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t z[MAX_FIELD_SIZE], size_t *z_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
    size_t len = MAX_FIELD_SIZE;
    int ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) == 1 && EVP_PKEY_derive(ctx, z, &len) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    *z_len = len;
    return ok ? 0 : -1;
}

/* ECDH-ES+A256KW's key encryption key for the pair (RFC 7518 4.6, no apu or apv). */
int kbs_prim_ecdh_es_kek(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t kek[CEK_SIZE])
{
    uint8_t z[MAX_FIELD_SIZE];
    size_t z_len = 0;
    int rc = ecdh(priv, peer, z, &z_len) == 0 &&
                     kbs_concat_kdf(z, z_len, ALG_ECDH_ES_KW, NULL, 0, NULL, 0, kek, CEK_SIZE) == 0
                 ? 0
                 : -1;
    OPENSSL_cleanse(z, sizeof(z));
    return rc;
}
