/* The keys of JOSE (see kbs_crypto.h): the TEE's public key from its JWK (EC for
 * ECDH-ES, RSA for RSA-OAEP), and a public key as a JWK. */
#include "kbs/kbs_crypto.h"
#include "kbs/kbs_jose_internal.h"
#include "common/error_line.h"
#include "common/shown.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

/* The curves JWA names for ECDH-ES, with OpenSSL's names and their field sizes. */
static const struct curve curves[] = {
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
};

/* RSA moduli below 2048 bits are too weak to carry a secret; above 16384 is a DoS. */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384

static const struct curve *curve_by_jwk_name(const char *name)
{
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
        if (strcmp(curves[i].jwk, name) == 0)
            return &curves[i];
    return NULL;
}

const struct curve *kbs_jwk_curve_of(EVP_PKEY *pkey)
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
EVP_PKEY *kbs_jwk_ec_key(const json_t *jwk, const struct curve **curve_out, char *err,
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
    uint8_t *x = kbs_b64url_member(jwk, "x", &xlen, err, err_size);
    uint8_t *y = x ? kbs_b64url_member(jwk, "y", &ylen, err, err_size) : NULL;
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
    uint8_t *n = kbs_b64url_member(jwk, "n", &nlen, err, err_size);
    uint8_t *e = n ? kbs_b64url_member(jwk, "e", &elen, err, err_size) : NULL;
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
        if ((out->pkey = kbs_jwk_ec_key(jwk, &c, err, err_size)) == NULL)
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
    } else if (ok && kbs_jwk_curve_of(pkey) != NULL) {
        const struct curve *c = kbs_jwk_curve_of(pkey);
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
