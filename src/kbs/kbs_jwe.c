/* The JWE a resource is released in, and its decryption (see kbs_crypto.h). */
#include "kbs/kbs_crypto.h"
#include "kbs/kbs_jose_internal.h"
#include "common/error_line.h"
#include "common/shown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>

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
        return kbs_prim_rsa_oaep256(1, key->pkey, cek, CEK_SIZE, wrapped, wrapped_len);
    }
    const struct curve *c = kbs_jwk_curve_of(key->pkey);
    EVP_PKEY *eph = c ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->group) : NULL;
    uint8_t kek[CEK_SIZE];
    int rc = -1;
    json_t *epk = eph ? kbs_jwk_public(eph, NULL) : NULL;
    *wrapped = malloc(CEK_SIZE + KW_OVERHEAD + 16);
    if (epk != NULL && *wrapped != NULL && kbs_prim_ecdh_es_kek(eph, key->pkey, kek) == 0 &&
        kbs_prim_aes_kw(1, kek, cek, CEK_SIZE, *wrapped, wrapped_len) == 0 &&
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
    if (kbs_prim_gcm(1, cek, iv, (const uint8_t *)protected, strlen(protected), plaintext, len, ct,
                     tag) != 0) {
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
        if (!EVP_PKEY_is_a(priv, "RSA") ||
            kbs_prim_rsa_oaep256(0, priv, wrapped, wrapped_len, &k, &k_len))
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
    EVP_PKEY *epk = kbs_jwk_ec_key(header_param(hdr, jwe, "epk"), &c, epk_why, sizeof(epk_why));
    if (epk == NULL)
        return crypto_error_line(err, err_size, "the header's epk %s", epk_why);
    uint8_t kek[CEK_SIZE], out[CEK_SIZE + 16];
    size_t out_len = 0;
    int rc = kbs_jwk_curve_of(priv) == c && wrapped_len == CEK_SIZE + KW_OVERHEAD &&
                     kbs_prim_ecdh_es_kek(priv, epk, kek) == 0 &&
                     kbs_prim_aes_kw(0, kek, wrapped, wrapped_len, out, &out_len) == 0 &&
                     out_len == CEK_SIZE
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
    if ((hdr_bytes = kbs_b64url_member(jwe, "protected", &hdr_len, member_why,
                                       sizeof(member_why))) == NULL ||
        (wrapped = kbs_b64url_member(jwe, "encrypted_key", &wrapped_len, member_why,
                                     sizeof(member_why))) == NULL ||
        (iv = kbs_b64url_member(jwe, "iv", &iv_len, member_why, sizeof(member_why))) == NULL ||
        (ct = kbs_b64url_member(jwe, "ciphertext", &ct_len, member_why, sizeof(member_why))) ==
            NULL ||
        (tag = kbs_b64url_member(jwe, "tag", &tag_len, member_why, sizeof(member_why))) == NULL) {
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
        kbs_prim_gcm(0, cek, iv, (const uint8_t *)aad, strlen(aad), ct, ct_len, pt, tag) != 0) {
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
