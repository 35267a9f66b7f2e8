/*
 * The key broker's cryptography, all of it through OpenSSL 3: the TEE's public key as
 * a JSON Web Key, the resource response as a flattened JWE encrypted to that key, the
 * attestation token (a JWT signed with ES256), and the base64 forms these use.
 *
 * Key management algorithms, as trustee's KBS (kbs/src/jwe) and the Key Broker
 * Client (guest-components, kbs_protocol/src/keypair.rs) use them:
 *
 *   RSA keys  "alg": "RSA-OAEP-256"    RSAES-OAEP, SHA-256 and MGF1-SHA-256 (RFC 7518 4.3)
 *   EC keys   "alg": "ECDH-ES+A256KW"  ephemeral-static ECDH on the key's curve (P-256,
 *                                      P-384 or P-521), Concat KDF with SHA-256, the CEK
 *                                      wrapped with AES-256 Key Wrap (RFC 7518 4.6)
 *
 * and for the content always "enc": "A256GCM" (AES-256-GCM, 96-bit IV, 128-bit tag,
 * the additional data being ASCII(BASE64URL(protected header)), RFC 7516 5.1).
 * RSA1_5, which trustee still accepts with a deprecation warning, is refused.
 */
#ifndef CLOISTER_KBS_KBS_CRYPTO_H
#define CLOISTER_KBS_KBS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

/* ---- base64 ---- */

enum kbs_b64 {
    KBS_B64_URL, /* the URL-safe alphabet without padding: JOSE's base64url (RFC 7515 2) */
    KBS_B64_ANY, /* either alphabet (not mixed), padding optional but correct if present */
};

/* base64url without padding; malloc'd and NUL-terminated, NULL only if out of memory. */
char *kbs_b64url_encode(const uint8_t *p, size_t n);
/* The standard alphabet with padding (RFC 4648 4), as trustee encodes its nonces. */
char *kbs_b64_encode(const uint8_t *p, size_t n);
/*
 * Decodes len characters of s. Refuses anything that is not the canonical encoding of
 * some bytes in the chosen form (stray characters, bad padding, non-zero unused bits),
 * so that one value has one spelling. Returns malloc'd bytes (never NULL on success,
 * even for zero bytes) with their count in *out_len, or NULL.
 */
uint8_t *kbs_b64_decode(const char *s, size_t len, enum kbs_b64 form, size_t *out_len);

/* ---- the TEE's key ---- */

enum kbs_key_alg {
    KBS_ALG_RSA_OAEP_256,
    KBS_ALG_ECDH_ES_A256KW,
};

struct kbs_tee_key {
    enum kbs_key_alg alg;
    EVP_PKEY *pkey;
    /*
     * The members of the JWK that kbs-types' TeePubKey defines, and only those, with the
     * values as sent: {"kty": "RSA", "alg", "n", "e"} or {"kty": "EC", "crv", "alg",
     * "x", "y"}. The runtime data the report binds is hashed over this object, as
     * trustee re-serializes the key it parsed (other members the client sent are
     * dropped there too).
     */
    json_t *jwk;
};

/*
 * Reads a tee-pubkey JWK. Accepts RSA keys of 2048 to 16384 bits with "alg"
 * "RSA-OAEP-256", and P-256, P-384 and P-521 points (on the curve) with "alg"
 * "ECDH-ES+A256KW". Returns 0 with *out filled (free with kbs_tee_key_clear), or -1
 * with a one-line reason in why.
 */
int kbs_tee_key_parse(const json_t *jwk, struct kbs_tee_key *out, char *err, size_t err_size);
void kbs_tee_key_clear(struct kbs_tee_key *k);

/*
 * The public JWK of pkey (RSA: kty, alg, n, e; EC: kty, crv, alg, x, y with
 * coordinates padded to the field size), with "alg" set to alg. For clients and tests,
 * and for the token's "jwk" claim. NULL if the key is neither RSA nor a NIST curve.
 */
json_t *kbs_jwk_public(EVP_PKEY *pkey, const char *alg);

/* ---- the resource response ---- */

/*
 * Encrypts len bytes to key as the flattened JWE JSON object that kbs-types' Response
 * defines: {"protected", "encrypted_key", "iv", "ciphertext", "tag"}, every member
 * base64url. The protected header is {"alg", "enc"} and, for ECDH-ES, "epk" with its
 * members sorted, written without spaces so that a client re-serializing the header
 * it parsed (as the Key Broker Client does to compute the AAD) gets the same bytes.
 * Returns the malloc'd JSON text, or NULL with why filled.
 */
char *kbs_jwe_encrypt(const struct kbs_tee_key *key, const uint8_t *plaintext, size_t len,
                      char *err, size_t err_size);

/*
 * The TEE's side: decrypts a flattened JWE (as above, or with an "aad" member) with the
 * private key priv. Returns 0 with the malloc'd plaintext in *out (*out_len bytes), or
 * -1 with why filled; a changed byte anywhere fails the GCM tag.
 */
int kbs_jwe_decrypt(EVP_PKEY *priv, const char *jwe, size_t jwe_len, uint8_t **out, size_t *out_len,
                    char *err, size_t err_size);

/*
 * The Concat KDF of NIST SP 800-56A as JWA uses it (RFC 7518 4.6.2): SHA-256 over
 * counter || Z || len(alg) || alg || len(apu) || apu || len(apv) || apv || keydatalen,
 * through OpenSSL's SSKDF. out_len bytes (keydatalen = 8 * out_len bits). 0 or -1.
 */
int kbs_concat_kdf(const uint8_t *z, size_t z_len, const char *alg, const uint8_t *apu,
                   size_t apu_len, const uint8_t *apv, size_t apv_len, uint8_t *out,
                   size_t out_len);

/* ---- the attestation token ---- */

/*
 * A compact JWS of claims with header {"alg": "ES256", "typ": "JWT"}, signed with the
 * P-256 key: the JWT the attest endpoint answers with. malloc'd, or NULL.
 */
char *kbs_jwt_es256(EVP_PKEY *key, const json_t *claims);

#endif
