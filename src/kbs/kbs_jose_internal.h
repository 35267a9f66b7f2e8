/*
 * What the JOSE files (kbs_base64.c, kbs_jwk.c, kbs_primitives.c, kbs_jwe.c, kbs_jwt.c)
 * share among themselves and no one else: the algorithm names and sizes, the curves,
 * and the helpers one file offers the others. The broker's interface is kbs_crypto.h.
 */
#ifndef CLOISTER_KBS_KBS_JOSE_INTERNAL_H
#define CLOISTER_KBS_KBS_JOSE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#define CEK_SIZE     32 /* A256GCM and A256KW both take 256-bit keys */
#define GCM_IV_SIZE  12
#define GCM_TAG_SIZE 16
#define KW_OVERHEAD  8 /* AES Key Wrap adds one 64-bit block */

#define ALG_RSA_OAEP_256 "RSA-OAEP-256"
#define ALG_ECDH_ES_KW   "ECDH-ES+A256KW"
#define ENC_A256GCM      "A256GCM"

/* A curve JWA names for ECDH-ES, with OpenSSL's name and its field size. */
struct curve {
    const char *jwk, *group;
    size_t size;
};
#define MAX_FIELD_SIZE 66

/* kbs_base64.c: decodes a JSON string member as base64url; NULL (why filled) if absent or
 * not. */
uint8_t *kbs_b64url_member(const json_t *obj, const char *name, size_t *len, char *err,
                           size_t err_size);

/* kbs_jwk.c: pkey's curve among those JWA names, or NULL. */
const struct curve *kbs_jwk_curve_of(EVP_PKEY *pkey);
/* kbs_jwk.c: reads crv, x and y of an EC JWK into a checked public key; NULL with why
 * filled. */
EVP_PKEY *kbs_jwk_ec_key(const json_t *jwk, const struct curve **curve_out, char *err,
                         size_t err_size);

/* kbs_primitives.c: AES-256 Key Wrap (RFC 3394) of a 32-byte key, or its unwrap; out
 * holds in_len +- 8. */
int kbs_prim_aes_kw(int encrypt, const uint8_t kek[CEK_SIZE], const uint8_t *in, size_t in_len,
                    uint8_t *out, size_t *out_len);
/* kbs_primitives.c: AES-256-GCM over len bytes with aad; encrypting writes tag,
 * decrypting checks it. */
int kbs_prim_gcm(int encrypt, const uint8_t key[CEK_SIZE], const uint8_t iv[GCM_IV_SIZE],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                 uint8_t tag[GCM_TAG_SIZE]);
/* kbs_primitives.c: RSAES-OAEP with SHA-256 and MGF1-SHA-256, JWA's RSA-OAEP-256; *out is
 * malloc'd. */
int kbs_prim_rsa_oaep256(int encrypt, EVP_PKEY *key, const uint8_t *in, size_t in_len,
                         uint8_t **out, size_t *out_len);
/* kbs_primitives.c: ECDH-ES+A256KW's key encryption key for the pair (RFC 7518 4.6, no
 * apu or apv). */
int kbs_prim_ecdh_es_kek(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t kek[CEK_SIZE]);

#endif
