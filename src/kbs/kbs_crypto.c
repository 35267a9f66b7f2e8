/* The key broker's JOSE cryptography through OpenSSL 3 (see kbs_crypto.h). */
#include "kbs/kbs_crypto.h"
#include "common/error_line.h"
#include "common/shown.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#define CEK_SIZE     32 /* A256GCM and A256KW both take 256-bit keys */
#define GCM_IV_SIZE  12
#define GCM_TAG_SIZE 16
#define KW_OVERHEAD  8 /* AES Key Wrap adds one 64-bit block */

#define ALG_RSA_OAEP_256 "RSA-OAEP-256"
#define ALG_ECDH_ES_KW   "ECDH-ES+A256KW"
#define ENC_A256GCM      "A256GCM"

/* RSA moduli below 2048 bits are too weak to carry a secret; above 16384 is a DoS. */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384

/* The curves JWA names for ECDH-ES, with OpenSSL's names and their field sizes. */
static const struct curve {
    const char *jwk, *group;
    size_t size;
} curves[] = {
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
};
#define MAX_FIELD_SIZE 66

/* ---- base64 ---- */

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64_encode(const uint8_t *p, size_t n, const char *alphabet, bool pad)
{
    size_t full = n / 3, rest = n % 3;
    size_t out_len = 4 * full + (rest == 0 ? 0 : pad ? 4 : rest + 1);
    char *out = malloc(out_len + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < full; i++, p += 3) {
        uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (rest != 0) {
        uint32_t v = (uint32_t)p[0] << 16 | (rest == 2 ? (uint32_t)p[1] << 8 : 0);
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        if (rest == 2)
            *o++ = alphabet[(v >> 6) & 63];
        else if (pad)
            *o++ = '=';
        if (pad)
            *o++ = '=';
    }
    *o = '\0';
    return out;
}

char *kbs_b64url_encode(const uint8_t *p, size_t n)
{
    return b64_encode(p, n, url_alphabet, false);
}

char *kbs_b64_encode(const uint8_t *p, size_t n)
{
    return b64_encode(p, n, std_alphabet, true);
}

/* The 6-bit value of c in the alphabet (0 standard, 1 URL-safe), or -1. */
static int b64_value(char c, int url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

uint8_t *kbs_b64_decode(const char *s, size_t len, enum kbs_b64 form, size_t *out_len)
{
    /* Which alphabet: the URL-safe one unless a standard-only character appears. */
    int url = 1;
    if (form == KBS_B64_ANY) {
        bool has_std = memchr(s, '+', len) || memchr(s, '/', len);
        bool has_url = memchr(s, '-', len) || memchr(s, '_', len);
        if (has_std && has_url)
            return NULL;
        url = !has_std;
    }
    size_t data = len;
    while (data > 0 && s[data - 1] == '=')
        data--;
    size_t pads = len - data;
    if (pads > 0 && (form == KBS_B64_URL || len % 4 != 0 || pads > 2 || (data + pads) % 4 != 0 ||
                     (4 - data % 4) % 4 != pads))
        return NULL;
    if (data % 4 == 1)
        return NULL;

    uint8_t *out = malloc(data / 4 * 3 + 3);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data; i++) {
        int v = b64_value(s[i], url);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    /* The bits past the last whole byte must be zero, or two texts mean the same bytes. */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}

/* Decodes a JSON string member as base64url; NULL (why filled) if absent or not. */
static uint8_t *member_b64url(const json_t *obj, const char *name, size_t *len, char *err,
                              size_t err_size)
{
    const json_t *v = json_object_get(obj, name);
    if (!json_is_string(v)) {
        crypto_error_line(err, err_size, "has no \"%s\" string", name);
        return NULL;
    }
    uint8_t *b = kbs_b64_decode(json_string_value(v), json_string_length(v), KBS_B64_URL, len);
    if (b == NULL)
        crypto_error_line(err, err_size, "\"%s\" is not base64url", name);
    return b;
}

/* ---- keys ---- */

static const struct curve *curve_by_jwk_name(const char *name)
{
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
        if (strcmp(curves[i].jwk, name) == 0)
            return &curves[i];
    return NULL;
}

static const struct curve *curve_of(EVP_PKEY *pkey)
{
    char group[64];
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       NULL) != 1) {
        ERR_clear_error();
        return NULL;
    }
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
        if (strcmp(curves[i].group, group) == 0)
            return &curves[i];
    return NULL;
}

/* Runs OpenSSL's public-key validation (point on the curve, RSA modulus sanity). */
static bool public_key_ok(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    bool ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

static EVP_PKEY *key_from_params(const char *type, OSSL_PARAM *params)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return pkey;
}

/* An EC public key from its JWK coordinates (each exactly the field size), or NULL. */
static EVP_PKEY *ec_key(const struct curve *c, const uint8_t *x, const uint8_t *y)
{
    uint8_t point[1 + 2 * MAX_FIELD_SIZE];
    point[0] = 0x04; /* uncompressed, SEC 1 2.3.3 */
    memcpy(point + 1, x, c->size);
    memcpy(point + 1 + c->size, y, c->size);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)c->group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * c->size),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY *pkey = key_from_params("EC", params);
    if (pkey != NULL && !public_key_ok(pkey)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/* Reads crv, x and y of an EC JWK into a checked public key; NULL with why filled. */
static EVP_PKEY *ec_key_from_jwk(const json_t *jwk, const struct curve **curve_out, char *err,
                                 size_t err_size)
{
    char s[SHOWN_MAX + 4];
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    if (crv == NULL) {
        crypto_error_line(err, err_size, "has no \"crv\" string");
        return NULL;
    }
    const struct curve *c = curve_by_jwk_name(crv);
    if (c == NULL) {
        crypto_error_line(err, err_size, "curve '%s' is not supported (P-256, P-384 or P-521)",
                          shown(crv, s));
        return NULL;
    }
    size_t xlen = 0, ylen = 0;
    EVP_PKEY *pkey = NULL;
    uint8_t *x = member_b64url(jwk, "x", &xlen, err, err_size);
    uint8_t *y = x ? member_b64url(jwk, "y", &ylen, err, err_size) : NULL;
    if (x != NULL && y != NULL) {
        if (xlen != c->size || ylen != c->size)
            crypto_error_line(err, err_size, "coordinates of a %s point must be %zu bytes each",
                              c->jwk, c->size);
        else if ((pkey = ec_key(c, x, y)) == NULL)
            crypto_error_line(err, err_size, "is not a point on %s", c->jwk);
    }
    free(x);
    free(y);
    *curve_out = c;
    return pkey;
}

static EVP_PKEY *rsa_key_from_jwk(const json_t *jwk, char *err, size_t err_size)
{
    size_t nlen = 0, elen = 0;
    uint8_t *n = member_b64url(jwk, "n", &nlen, err, err_size);
    uint8_t *e = n ? member_b64url(jwk, "e", &elen, err, err_size) : NULL;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *pkey = NULL;
    if (n == NULL || e == NULL)
        goto out;
    bn_n = BN_bin2bn(n, (int)nlen, NULL);
    bn_e = BN_bin2bn(e, (int)elen, NULL);
    if (bn_n == NULL || bn_e == NULL || nlen > RSA_MAX_BITS / 8 + 1 || elen > 8) {
        crypto_error_line(err, err_size, "\"n\" or \"e\" is out of range");
        goto out;
    }
    int bits = BN_num_bits(bn_n);
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
        crypto_error_line(err, err_size, "an RSA modulus of %d bits is refused (%d to %d)", bits,
                          RSA_MIN_BITS, RSA_MAX_BITS);
        goto out;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1 ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        crypto_error_line(err, err_size, "out of memory");
        goto out;
    }
    pkey = key_from_params("RSA", params);
    if (pkey == NULL || !public_key_ok(pkey)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
        crypto_error_line(err, err_size, "is not a valid RSA public key");
    }
out:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    free(n);
    free(e);
    return pkey;
}

int kbs_tee_key_parse(const json_t *jwk, struct kbs_tee_key *out, char *err, size_t err_size)
{
    char s[SHOWN_MAX + 4];
    memset(out, 0, sizeof(*out));
    if (!json_is_object(jwk))
        return crypto_error_line(err, err_size, "is not a JSON object");
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *alg = json_string_value(json_object_get(jwk, "alg"));
    if (kty == NULL)
        return crypto_error_line(err, err_size, "has no \"kty\" string");
    if (alg == NULL)
        return crypto_error_line(err, err_size, "has no \"alg\" string");

    if (strcmp(kty, "RSA") == 0) {
        if (strcmp(alg, ALG_RSA_OAEP_256) != 0)
            return crypto_error_line(err, err_size, "RSA key algorithm '%s' is refused (only %s)",
                                     shown(alg, s), ALG_RSA_OAEP_256);
        if ((out->pkey = rsa_key_from_jwk(jwk, err, err_size)) == NULL)
            return -1;
        out->alg = KBS_ALG_RSA_OAEP_256;
        out->jwk = json_pack("{s:s, s:s, s:O, s:O}", "kty", kty, "alg", alg, "n",
                             json_object_get(jwk, "n"), "e", json_object_get(jwk, "e"));
    } else if (strcmp(kty, "EC") == 0) {
        const struct curve *c = NULL;
        if (strcmp(alg, ALG_ECDH_ES_KW) != 0)
            return crypto_error_line(err, err_size, "EC key algorithm '%s' is refused (only %s)",
                                     shown(alg, s), ALG_ECDH_ES_KW);
        if ((out->pkey = ec_key_from_jwk(jwk, &c, err, err_size)) == NULL)
            return -1;
        out->alg = KBS_ALG_ECDH_ES_A256KW;
        out->jwk =
            json_pack("{s:s, s:O, s:s, s:O, s:O}", "kty", kty, "crv", json_object_get(jwk, "crv"),
                      "alg", alg, "x", json_object_get(jwk, "x"), "y", json_object_get(jwk, "y"));
    } else {
        return crypto_error_line(err, err_size, "key type '%s' is not supported (RSA or EC)",
                                 shown(kty, s));
    }
    if (out->jwk == NULL) {
        kbs_tee_key_clear(out);
        return crypto_error_line(err, err_size, "out of memory");
    }
    return 0;
}

void kbs_tee_key_clear(struct kbs_tee_key *k)
{
    EVP_PKEY_free(k->pkey);
    json_decref(k->jwk);
    memset(k, 0, sizeof(*k));
}

/* A BIGNUM key parameter as base64url of its big-endian bytes, padded to pad (0: minimal). */
static json_t *bn_param_b64(EVP_PKEY *pkey, const char *param, size_t pad)
{
    BIGNUM *bn = NULL;
    json_t *v = NULL;
    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1) {
        ERR_clear_error();
        return NULL;
    }
    size_t len = pad ? pad : (size_t)BN_num_bytes(bn);
    uint8_t *buf = malloc(len ? len : 1);
    if (buf != NULL && BN_bn2binpad(bn, buf, (int)len) == (int)len) {
        char *s = kbs_b64url_encode(buf, len);
        v = s ? json_string(s) : NULL;
        free(s);
    }
    free(buf);
    BN_free(bn);
    return v;
}

json_t *kbs_jwk_public(EVP_PKEY *pkey, const char *alg)
{
    json_t *jwk = json_object();
    bool ok = jwk != NULL;
    if (ok && EVP_PKEY_is_a(pkey, "RSA")) {
        ok = json_object_set_new(jwk, "kty", json_string("RSA")) == 0;
        if (ok && alg)
            ok = json_object_set_new(jwk, "alg", json_string(alg)) == 0;
        ok = ok && json_object_set_new(jwk, "n", bn_param_b64(pkey, OSSL_PKEY_PARAM_RSA_N, 0)) == 0;
        ok = ok && json_object_set_new(jwk, "e", bn_param_b64(pkey, OSSL_PKEY_PARAM_RSA_E, 0)) == 0;
    } else if (ok && curve_of(pkey) != NULL) {
        const struct curve *c = curve_of(pkey);
        ok = json_object_set_new(jwk, "kty", json_string("EC")) == 0 &&
             json_object_set_new(jwk, "crv", json_string(c->jwk)) == 0;
        if (ok && alg)
            ok = json_object_set_new(jwk, "alg", json_string(alg)) == 0;
        ok = ok && json_object_set_new(jwk, "x",
                                       bn_param_b64(pkey, OSSL_PKEY_PARAM_EC_PUB_X, c->size)) == 0;
        ok = ok && json_object_set_new(jwk, "y",
                                       bn_param_b64(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, c->size)) == 0;
    } else {
        ok = false;
    }
    if (!ok) {
        json_decref(jwk);
        return NULL;
    }
    return jwk;
}

/* ---- primitives ---- */

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
static int aes_kw(int encrypt, const uint8_t kek[CEK_SIZE], const uint8_t *in, size_t in_len,
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
static int gcm(int encrypt, const uint8_t key[CEK_SIZE], const uint8_t iv[GCM_IV_SIZE],
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
static int rsa_oaep256(int encrypt, EVP_PKEY *key, const uint8_t *in, size_t in_len, uint8_t **out,
                       size_t *out_len)
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
static int ecdh_es_kek(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t kek[CEK_SIZE])
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

/* ---- the JWE ---- */

/* Sets obj[name] to base64url(data). */
static int set_b64url(json_t *obj, const char *name, const uint8_t *data, size_t len)
{
    char *s = kbs_b64url_encode(data, len);
    int rc = s != NULL && json_object_set_new(obj, name, json_string(s)) == 0 ? 0 : -1;
    free(s);
    return rc;
}

/* Wraps cek for key, filling wrapped (*wrapped_len bytes) and hdr's alg (and epk). */
static int wrap_cek(const struct kbs_tee_key *key, const uint8_t cek[CEK_SIZE], json_t *hdr,
                    uint8_t **wrapped, size_t *wrapped_len)
{
    if (key->alg == KBS_ALG_RSA_OAEP_256) {
        if (json_object_set_new(hdr, "alg", json_string(ALG_RSA_OAEP_256)) != 0)
            return -1;
        return rsa_oaep256(1, key->pkey, cek, CEK_SIZE, wrapped, wrapped_len);
    }
    const struct curve *c = curve_of(key->pkey);
    EVP_PKEY *eph = c ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->group) : NULL;
    uint8_t kek[CEK_SIZE];
    int rc = -1;
    json_t *epk = eph ? kbs_jwk_public(eph, NULL) : NULL;
    *wrapped = malloc(CEK_SIZE + KW_OVERHEAD + 16);
    if (epk != NULL && *wrapped != NULL && ecdh_es_kek(eph, key->pkey, kek) == 0 &&
        aes_kw(1, kek, cek, CEK_SIZE, *wrapped, wrapped_len) == 0 &&
        *wrapped_len == CEK_SIZE + KW_OVERHEAD &&
        json_object_set_new(hdr, "alg", json_string(ALG_ECDH_ES_KW)) == 0 &&
        json_object_set(hdr, "epk", epk) == 0)
        rc = 0;
    if (rc != 0) {
        free(*wrapped);
        *wrapped = NULL;
    }
    OPENSSL_cleanse(kek, sizeof(kek));
    json_decref(epk);
    EVP_PKEY_free(eph);
    ERR_clear_error();
    return rc;
}

char *kbs_jwe_encrypt(const struct kbs_tee_key *key, const uint8_t *plaintext, size_t len,
                      char *err, size_t err_size)
{
    uint8_t cek[CEK_SIZE], iv[GCM_IV_SIZE], tag[GCM_TAG_SIZE];
    uint8_t *wrapped = NULL, *ct = malloc(len ? len : 1);
    size_t wrapped_len = 0;
    char *hdr_text = NULL, *protected = NULL, *result = NULL;
    json_t *hdr = json_object(), *jwe = json_object();

    if (ct == NULL || hdr == NULL || jwe == NULL) {
        crypto_error_line(err, err_size, "out of memory");
        goto out;
    }
    if (RAND_bytes(cek, sizeof(cek)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1) {
        crypto_error_line(err, err_size, "no random bytes");
        goto out;
    }
    if (wrap_cek(key, cek, hdr, &wrapped, &wrapped_len) != 0) {
        crypto_error_line(err, err_size, "cannot wrap the content key to the TEE key");
        goto out;
    }
    /* Sorted keys: "alg", "enc", "epk", and epk's "crv", "kty", "x", "y" (see the .h). */
    if (json_object_set_new(hdr, "enc", json_string(ENC_A256GCM)) != 0 ||
        (hdr_text = json_dumps(hdr, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
        (protected = kbs_b64url_encode((const uint8_t *)hdr_text, strlen(hdr_text))) == NULL) {
        crypto_error_line(err, err_size, "out of memory");
        goto out;
    }
    /* The AAD is the protected header as sent: ASCII(BASE64URL(UTF8(header))). */
    if (gcm(1, cek, iv, (const uint8_t *)protected, strlen(protected), plaintext, len, ct, tag) !=
        0) {
        crypto_error_line(err, err_size, "AES-GCM encryption failed");
        goto out;
    }
    if (json_object_set_new(jwe, "protected", json_string(protected)) != 0 ||
        set_b64url(jwe, "encrypted_key", wrapped, wrapped_len) != 0 ||
        set_b64url(jwe, "iv", iv, sizeof(iv)) != 0 || set_b64url(jwe, "ciphertext", ct, len) != 0 ||
        set_b64url(jwe, "tag", tag, sizeof(tag)) != 0 ||
        (result = json_dumps(jwe, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
        crypto_error_line(err, err_size, "out of memory");
out:
    OPENSSL_cleanse(cek, sizeof(cek));
    free(wrapped);
    free(ct);
    free(hdr_text);
    free(protected);
    json_decref(hdr);
    json_decref(jwe);
    return result;
}

/*
 * A JOSE header parameter: from the protected header, else from the unprotected ones
 * (RFC 7516 7.2.1 allows both; the broker puts everything in the protected header, as
 * kbs-types' Response has no other, but other JOSE libraries put "epk" in "header").
 */
static const json_t *header_param(const json_t *hdr, const json_t *jwe, const char *name)
{
    const json_t *v = json_object_get(hdr, name);
    if (v == NULL)
        v = json_object_get(json_object_get(jwe, "unprotected"), name);
    if (v == NULL)
        v = json_object_get(json_object_get(jwe, "header"), name);
    return v;
}

/* Recovers the content key of jwe, whose protected header is hdr. */
static int unwrap_cek(EVP_PKEY *priv, const json_t *hdr, const json_t *jwe, const uint8_t *wrapped,
                      size_t wrapped_len, uint8_t cek[CEK_SIZE], char *err, size_t err_size)
{
    char s[SHOWN_MAX + 4];
    const char *alg = json_string_value(header_param(hdr, jwe, "alg"));
    if (alg == NULL)
        return crypto_error_line(err, err_size, "the header has no \"alg\"");
    if (strcmp(alg, ALG_RSA_OAEP_256) == 0) {
        uint8_t *k = NULL;
        size_t k_len = 0;
        if (!EVP_PKEY_is_a(priv, "RSA") || rsa_oaep256(0, priv, wrapped, wrapped_len, &k, &k_len))
            return crypto_error_line(err, err_size, "cannot decrypt the encrypted key");
        int rc = k_len == CEK_SIZE ? 0 : -1;
        if (rc == 0)
            memcpy(cek, k, CEK_SIZE);
        OPENSSL_cleanse(k, k_len);
        free(k);
        return rc == 0 ? 0 : crypto_error_line(err, err_size, "the content key is not 32 bytes");
    }
    if (strcmp(alg, ALG_ECDH_ES_KW) != 0)
        return crypto_error_line(err, err_size, "key algorithm '%s' is not supported",
                                 shown(alg, s));

    const struct curve *c = NULL;
    char epk_why[128];
    EVP_PKEY *epk = ec_key_from_jwk(header_param(hdr, jwe, "epk"), &c, epk_why, sizeof(epk_why));
    if (epk == NULL)
        return crypto_error_line(err, err_size, "the header's epk %s", epk_why);
    uint8_t kek[CEK_SIZE], out[CEK_SIZE + 16];
    size_t out_len = 0;
    int rc = curve_of(priv) == c && wrapped_len == CEK_SIZE + KW_OVERHEAD &&
                     ecdh_es_kek(priv, epk, kek) == 0 &&
                     aes_kw(0, kek, wrapped, wrapped_len, out, &out_len) == 0 && out_len == CEK_SIZE
                 ? 0
                 : -1;
    if (rc == 0)
        memcpy(cek, out, CEK_SIZE);
    OPENSSL_cleanse(kek, sizeof(kek));
    OPENSSL_cleanse(out, sizeof(out));
    EVP_PKEY_free(epk);
    return rc == 0 ? 0 : crypto_error_line(err, err_size, "cannot unwrap the content key");
}

int kbs_jwe_decrypt(EVP_PKEY *priv, const char *jwe_text, size_t jwe_len, uint8_t **out,
                    size_t *out_len, char *err, size_t err_size)
{
    json_t *jwe = json_loadb(jwe_text, jwe_len, JSON_REJECT_DUPLICATES, NULL), *hdr = NULL;
    uint8_t *hdr_bytes = NULL, *wrapped = NULL, *iv = NULL, *ct = NULL, *tag = NULL, *pt = NULL;
    size_t hdr_len = 0, wrapped_len = 0, iv_len = 0, ct_len = 0, tag_len = 0;
    uint8_t cek[CEK_SIZE];
    char *aad = NULL;
    int rc = -1;
    char member_why[64];

    if (!json_is_object(jwe)) {
        crypto_error_line(err, err_size, "the response is not a JSON object");
        goto out;
    }
    if ((hdr_bytes = member_b64url(jwe, "protected", &hdr_len, member_why, sizeof(member_why))) ==
            NULL ||
        (wrapped = member_b64url(jwe, "encrypted_key", &wrapped_len, member_why,
                                 sizeof(member_why))) == NULL ||
        (iv = member_b64url(jwe, "iv", &iv_len, member_why, sizeof(member_why))) == NULL ||
        (ct = member_b64url(jwe, "ciphertext", &ct_len, member_why, sizeof(member_why))) == NULL ||
        (tag = member_b64url(jwe, "tag", &tag_len, member_why, sizeof(member_why))) == NULL) {
        crypto_error_line(err, err_size, "the response %s", member_why);
        goto out;
    }
    hdr = json_loadb((const char *)hdr_bytes, hdr_len, JSON_REJECT_DUPLICATES, NULL);
    const char *enc = json_string_value(header_param(hdr, jwe, "enc"));
    if (!json_is_object(hdr) || enc == NULL || strcmp(enc, ENC_A256GCM) != 0) {
        crypto_error_line(err, err_size,
                          "the protected header is not JSON, or \"enc\" is not \"%s\"",
                          ENC_A256GCM);
        goto out;
    }
    if (iv_len != GCM_IV_SIZE || tag_len != GCM_TAG_SIZE) {
        crypto_error_line(err, err_size, "the iv or tag has the wrong size for %s", ENC_A256GCM);
        goto out;
    }
    if (unwrap_cek(priv, hdr, jwe, wrapped, wrapped_len, cek, err, err_size) != 0)
        goto out;
    /* RFC 7516 5.1 step 14: the AAD is the protected header, then "." and "aad" if any. */
    const char *prot = json_string_value(json_object_get(jwe, "protected"));
    const char *extra = json_string_value(json_object_get(jwe, "aad"));
    if (asprintf(&aad, "%s%s%s", prot, extra ? "." : "", extra ? extra : "") < 0) {
        aad = NULL;
        crypto_error_line(err, err_size, "out of memory");
        goto out;
    }
    if ((pt = malloc(ct_len ? ct_len : 1)) == NULL ||
        gcm(0, cek, iv, (const uint8_t *)aad, strlen(aad), ct, ct_len, pt, tag) != 0) {
        crypto_error_line(err, err_size,
                          "the content does not decrypt (wrong key, or changed in transit)");
        free(pt);
        goto out;
    }
    *out = pt;
    *out_len = ct_len;
    rc = 0;
out:
    OPENSSL_cleanse(cek, sizeof(cek));
    free(aad);
    free(hdr_bytes);
    free(wrapped);
    free(iv);
    free(ct);
    free(tag);
    json_decref(hdr);
    json_decref(jwe);
    return rc;
}

/* ---- the token ---- */

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
