/*
 * The key broker's protocol, without HTTP: the request-challenge-attestation-response
 * (RCAR) exchange of the Confidential Containers Key Broker Service ("trustee",
 * kbs/docs/kbs_attestation_protocol.md; payloads as the kbs-types crate defines them),
 * protocol version 0.4.0, for AMD SEV-SNP evidence.
 *
 *   POST /kbs/v0/auth     Request {"version": "0.4.0", "tee": "snp", "extra-params"}
 *                         -> Challenge {"nonce": base64 of 32 random bytes,
 *                                       "extra-params": ""}
 *                            and a new session, cookie kbs-session-id
 *   POST /kbs/v0/attest   Attestation {"runtime-data": {"nonce", "tee-pubkey": JWK},
 *                                      "tee-evidence": {"primary_evidence": SNP evidence,
 *                                                       "additional_evidence": ""},
 *                                      "init-data": null}
 *                         -> {"token": JWT}, the session attested
 *   GET  /kbs/v0/resource/<repo>/<type>/<tag>
 *                         -> the resource as a JWE encrypted to the tee-pubkey
 *
 * The SNP evidence is trustee's SnpEvidence with the report as base64:
 *   {"attestation_report": base64 of the 1184-byte report,
 *    "cert_chain": [{"cert_type": "VCEK" | "ASK" | "ARK", "data": base64 DER or an
 *                    array of byte values}, ...]}
 *
 * The report binds the exchange the way trustee checks it: REPORT_DATA holds
 * SHA-384 over the RFC 8785 (JCS) canonical JSON of
 *   {"additional-evidence": <the string>, "nonce": <the challenge>,
 *    "tee-pubkey": <the JWK's kty, alg and n, e or crv, x, y>}
 * zero-padded to 64 bytes (trustee kbs/src/attestation/backend.rs builds the object,
 * attestation-service/src/lib.rs hashes its canonical form; SHA-384 for every TEE but
 * IBM SE).
 *
 * Each nonce can be attested once: the first attest request of a session spends it,
 * whatever the outcome. Sessions expire after a fixed lifetime, attested or not.
 */
#ifndef CLOISTER_KBS_KBS_PROTOCOL_H
#define CLOISTER_KBS_KBS_PROTOCOL_H

#include "kbs/kbs_crypto.h"
#include "kbs/kbs_policy.h"
#include "verify/snp_report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#define KBS_PROTOCOL_VERSION "0.4.0"
#define KBS_COOKIE_NAME      "kbs-session-id"
#define KBS_SESSION_ID_LEN   32                  /* hex digits of 16 random bytes */
#define KBS_RESOURCE_PREFIX  "/kbs/v0/resource/" /* GET it + REPO/TYPE/TAG */

#define KBS_DEFAULT_SESSION_LIFETIME 300 /* seconds, as trustee's default (5 minutes) */
#define KBS_DEFAULT_MAX_SESSIONS     1024
#define KBS_MAX_RESOURCE_SIZE        (1 << 20)

struct kbs_config {
    const struct kbs_policy *policy; /* borrowed: outlive the broker */
    const char *resources_dir;       /* DIR of DIR/<repo>/<type>/<tag> */
    unsigned session_lifetime;       /* seconds; 0: KBS_DEFAULT_SESSION_LIFETIME */
    unsigned max_sessions;           /* live sessions; 0: KBS_DEFAULT_MAX_SESSIONS */
    time_t (*now)(void);             /* the clock, for tests; NULL: time() */
};

struct kbs_broker;

/* A broker over cfg; NULL with err filled (no root trusted, unreadable directory...). */
struct kbs_broker *kbs_broker_new(const struct kbs_config *cfg, char *err, size_t err_size);
void kbs_broker_free(struct kbs_broker *b);

/* One HTTP request, as the server received it. */
struct kbs_request {
    const char *method; /* "GET", "POST", ... */
    /* The request target's path as sent, without the query string: not URL-decoded,
     * since no escape is needed in a valid path (kbs_parse_resource_path). path_len
     * bytes, then a NUL; a NUL among them is refused, not taken for the end. */
    const char *path;
    size_t path_len;
    const char *cookie; /* the kbs-session-id cookie, or NULL */
    const char *body;
    size_t body_len;
};

/* The answer, and the decision for the log. Free with kbs_response_clear. */
struct kbs_response {
    int status;           /* HTTP status */
    char *body;           /* malloc'd JSON, NUL-terminated (never NULL once handled) */
    char set_cookie[128]; /* a Set-Cookie value, or "" */
    char decision[768];   /* "refused: <why>", "released <id> (N bytes)", ... one line */
};

/*
 * Handles one request: never fails as a function, every refusal is an answer (401 for
 * authentication and attestation, 403 for a resource the policy keeps from this
 * workload, 404 for a bad path or a missing resource, 405 for a wrong method, 503 when
 * the session table is full), with trustee's ErrorInformation body {"type", "detail"}.
 * A resource never leaves unencrypted. Safe to call from several threads.
 */
void kbs_handle(struct kbs_broker *b, const struct kbs_request *req, struct kbs_response *res);
void kbs_response_clear(struct kbs_response *res);

/* ---- the parts, for tests and the fuzzer ---- */

/* A Request payload: 0 if it asks for this broker's version and "snp", else -1 + why. */
int kbs_parse_request(const char *body, size_t len, char *err, size_t err_size);

/* An Attestation payload, checked and decoded. */
struct kbs_attestation {
    char *nonce;               /* runtime-data.nonce */
    char *additional_evidence; /* tee-evidence.additional_evidence */
    struct kbs_tee_key key;    /* runtime-data.tee-pubkey */
    uint8_t report[SNP_REPORT_SIZE];
    X509 *vcek;
    STACK_OF(X509) * chain; /* the ASK and/or ARK, if given (never NULL) */
};

/* Reads an Attestation payload into *out (free with kbs_attestation_clear). 0 or -1. */
int kbs_parse_attestation(const char *body, size_t len, struct kbs_attestation *out, char *err,
                          size_t err_size);
void kbs_attestation_clear(struct kbs_attestation *a);

/*
 * "/kbs/v0/resource/<repo>/<type>/<tag>" (len bytes, then a NUL) to "repo/type/tag" (id
 * holds KBS_RESOURCE_ID_MAX bytes). Every byte must be of the component alphabet or a
 * separator: a NUL (from a decoded %00) or a '%' (an escape, which that alphabet never
 * needs) is refused by name. 0, or -1 with why.
 */
int kbs_parse_resource_path(const char *path, size_t len, char *id, char *err, size_t err_size);

/*
 * The report data that binds nonce, key and additional_evidence (see above): SHA-384
 * of the canonical runtime data in bytes 0-47, zeros after. 0, or -1 (out of memory).
 */
int kbs_runtime_data_hash(const char *nonce, const json_t *tee_pubkey,
                          const char *additional_evidence,
                          uint8_t report_data[SNP_REPORT_DATA_SIZE]);

/*
 * The RFC 8785 canonical form of v: members sorted by their UTF-16 code units, no
 * whitespace, strings escaped as ECMAScript's JSON.stringify does. Numbers must be
 * integers of magnitude below 2^53 (where JCS's form is the plain decimal). Returns the
 * malloc'd text, or NULL for a value it cannot represent.
 */
char *kbs_jcs(const json_t *v);

#endif
