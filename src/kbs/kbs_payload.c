/*
 * The key broker's request bodies: the Request and Attestation payloads (with the
 * SNP evidence and its certificates) and resource paths, checked before the broker
 * acts on them.
 */
#include "kbs/kbs_protocol.h"
#include "kbs/kbs_resource.h"
#include "common/error_line.h"
#include "common/shown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#define MAX_NONCE_LEN 128
#define MAX_CERT_SIZE (16 * 1024)
#define MAX_CERTS     8

static json_t *load_json(const char *body, size_t len, char *err, size_t err_size)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        crypto_error_line(err, err_size, "malformed request: not JSON (line %d column %d: %s)",
                          jerr.line, jerr.column, jerr.text);
    } else if (!json_is_object(root)) {
        crypto_error_line(err, err_size, "malformed request: not a JSON object");
        json_decref(root);
        root = NULL;
    }
    return root;
}

int kbs_parse_request(const char *body, size_t len, char *err, size_t err_size)
{
    char s[SHOWN_MAX + 4];
    json_t *root = load_json(body, len, err, err_size);
    if (root == NULL)
        return -1;
    const char *version = json_string_value(json_object_get(root, "version"));
    const char *tee = json_string_value(json_object_get(root, "tee"));
    int rc = -1;
    if (version == NULL || tee == NULL)
        crypto_error_line(err, err_size,
                          "malformed request: \"version\" and \"tee\" must be strings");
    else if (strcmp(version, KBS_PROTOCOL_VERSION) != 0)
        crypto_error_line(err, err_size,
                          "protocol version %s is not supported (this broker speaks %s)",
                          shown(version, s), KBS_PROTOCOL_VERSION);
    else if (strcmp(tee, "snp") != 0)
        crypto_error_line(err, err_size,
                          "tee '%s' is not supported (this broker checks SNP evidence only)",
                          shown(tee, s));
    else
        rc = 0;
    json_decref(root);
    return rc;
}

void kbs_attestation_clear(struct kbs_attestation *a)
{
    free(a->nonce);
    free(a->additional_evidence);
    kbs_tee_key_clear(&a->key);
    X509_free(a->vcek);
    sk_X509_pop_free(a->chain, X509_free);
    memset(a, 0, sizeof(*a));
}

/* A certificate's "data": base64 of the DER, or (serde's Vec<u8>) an array of bytes. */
static X509 *parse_cert_data(const json_t *data, char *err, size_t err_size)
{
    uint8_t *der = NULL;
    size_t len = 0;
    if (json_is_string(data)) {
        if (json_string_length(data) <= 2 * MAX_CERT_SIZE)
            der = kbs_b64_decode(json_string_value(data), json_string_length(data), KBS_B64_ANY,
                                 &len);
    } else if (json_is_array(data) && json_array_size(data) <= MAX_CERT_SIZE) {
        len = json_array_size(data);
        der = malloc(len ? len : 1);
        for (size_t i = 0; der != NULL && i < len; i++) {
            const json_t *v = json_array_get(data, i);
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 255) {
                free(der);
                der = NULL;
            } else {
                der[i] = (uint8_t)json_integer_value(v);
            }
        }
    }
    if (der == NULL || len > MAX_CERT_SIZE) {
        free(der);
        crypto_error_line(err, err_size, "is not base64 or an array of bytes (at most %d)",
                          MAX_CERT_SIZE);
        return NULL;
    }
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    if (cert != NULL && p != der + len) {
        X509_free(cert);
        cert = NULL;
    }
    free(der);
    if (cert == NULL)
        crypto_error_line(err, err_size, "is not a DER certificate");
    ERR_clear_error();
    return cert;
}

/* trustee's SnpEvidence: the report and the certificate table entries. */
static int parse_snp_evidence(const json_t *ev, struct kbs_attestation *out, char *err,
                              size_t err_size)
{
    char s[SHOWN_MAX + 4], w[96];
    if (!json_is_object(ev))
        return crypto_error_line(err, err_size,
                                 "malformed request: primary_evidence is not an object");
    const json_t *rep = json_object_get(ev, "attestation_report");
    if (!json_is_string(rep))
        return crypto_error_line(
            err, err_size, "malformed request: attestation_report must be the report in base64");
    size_t len = 0;
    uint8_t *bytes =
        json_string_length(rep) <= 2 * SNP_REPORT_SIZE
            ? kbs_b64_decode(json_string_value(rep), json_string_length(rep), KBS_B64_ANY, &len)
            : NULL;
    if (bytes == NULL || len != SNP_REPORT_SIZE) {
        free(bytes);
        return crypto_error_line(err, err_size,
                                 "malformed request: attestation_report is not base64 of %d bytes",
                                 SNP_REPORT_SIZE);
    }
    memcpy(out->report, bytes, SNP_REPORT_SIZE);
    free(bytes);

    const json_t *chain = json_object_get(ev, "cert_chain");
    if (!json_is_array(chain))
        return crypto_error_line(err, err_size,
                                 "evidence has no cert_chain: the VCEK is needed (this broker "
                                 "fetches nothing from AMD's KDS)");
    if (json_array_size(chain) > MAX_CERTS)
        return crypto_error_line(err, err_size, "malformed request: more than %d certificates",
                                 MAX_CERTS);
    bool have_ask = false, have_ark = false;
    for (size_t i = 0; i < json_array_size(chain); i++) {
        const json_t *entry = json_array_get(chain, i);
        const char *type = json_string_value(json_object_get(entry, "cert_type"));
        if (type == NULL)
            return crypto_error_line(
                err, err_size, "malformed request: cert_chain[%zu] has no cert_type string", i);
        if (strcmp(type, "CRL") == 0)
            continue; /* revocation is not checked (docs/kbs.md) */
        bool is_vcek = strcmp(type, "VCEK") == 0;
        bool *seen = strcmp(type, "ASK") == 0   ? &have_ask
                     : strcmp(type, "ARK") == 0 ? &have_ark
                                                : NULL;
        if (!is_vcek && seen == NULL)
            return crypto_error_line(
                err, err_size, "cert_type '%s' is not supported (VCEK, ASK, ARK%s)", shown(type, s),
                strcmp(type, "VLEK") == 0 ? "; VLEK-signed reports are not" : "");
        if (is_vcek ? out->vcek != NULL : *seen)
            return crypto_error_line(err, err_size, "malformed request: two %s certificates", type);
        X509 *cert = parse_cert_data(json_object_get(entry, "data"), w, sizeof(w));
        if (cert == NULL)
            return crypto_error_line(err, err_size, "malformed request: the %s certificate %s",
                                     type, w);
        if (is_vcek) {
            out->vcek = cert;
            continue;
        }
        /* snp_verify takes the ASK and ARK as its chain, in any order. */
        if (sk_X509_push(out->chain, cert) <= 0) {
            X509_free(cert);
            return crypto_error_line(err, err_size, "out of memory");
        }
        *seen = true;
    }
    if (out->vcek == NULL)
        return crypto_error_line(err, err_size, "evidence has no VCEK certificate in cert_chain");
    return 0;
}

int kbs_parse_attestation(const char *body, size_t len, struct kbs_attestation *out, char *err,
                          size_t err_size)
{
    char w[160];
    memset(out, 0, sizeof(*out));
    if ((out->chain = sk_X509_new_null()) == NULL)
        return crypto_error_line(err, err_size, "out of memory");
    json_t *root = load_json(body, len, err, err_size);
    if (root == NULL) {
        kbs_attestation_clear(out);
        return -1;
    }
    int rc = -1;
    const json_t *init = json_object_get(root, "init-data");
    const json_t *rt = json_object_get(root, "runtime-data");
    const json_t *ev = json_object_get(root, "tee-evidence");
    const json_t *nonce = json_object_get(rt, "nonce");
    const json_t *extra = json_object_get(ev, "additional_evidence");
    if (init != NULL && !json_is_null(init)) {
        crypto_error_line(err, err_size,
                          "init-data is not supported (nothing here checks it against the "
                          "report's host_data)");
    } else if (!json_is_object(rt) || !json_is_object(ev)) {
        crypto_error_line(
            err, err_size,
            "malformed request: \"runtime-data\" and \"tee-evidence\" must be objects (KBS "
            "protocol %s)",
            KBS_PROTOCOL_VERSION);
    } else if (!json_is_string(nonce) || json_string_length(nonce) > MAX_NONCE_LEN) {
        crypto_error_line(err, err_size, "malformed request: runtime-data has no nonce string");
    } else if (!json_is_string(extra)) {
        crypto_error_line(err, err_size,
                          "malformed request: tee-evidence has no additional_evidence string");
    } else if (json_string_length(extra) != 0) {
        crypto_error_line(err, err_size,
                          "additional evidence (other TEE devices) is not supported");
    } else if (kbs_tee_key_parse(json_object_get(rt, "tee-pubkey"), &out->key, w, sizeof(w)) != 0) {
        crypto_error_line(err, err_size, "tee-pubkey %s", w);
    } else if ((out->nonce = strdup(json_string_value(nonce))) == NULL ||
               (out->additional_evidence = strdup(json_string_value(extra))) == NULL) {
        crypto_error_line(err, err_size, "out of memory");
    } else {
        rc = parse_snp_evidence(json_object_get(ev, "primary_evidence"), out, err, err_size);
    }
    json_decref(root);
    if (rc != 0)
        kbs_attestation_clear(out);
    return rc;
}

int kbs_parse_resource_path(const char *path, size_t len, char *id, char *err, size_t err_size)
{
    size_t plen = strlen(KBS_RESOURCE_PREFIX);
    if (len < plen || memcmp(path, KBS_RESOURCE_PREFIX, plen) != 0)
        return crypto_error_line(err, err_size, "not under %s", KBS_RESOURCE_PREFIX);
    /* Named before the alphabet check, which would only see the part before a NUL. */
    if (memchr(path, '\0', len) != NULL || path[len] != '\0')
        return crypto_error_line(err, err_size, "bad resource path: it holds a NUL byte");
    if (memchr(path, '%', len) != NULL)
        return crypto_error_line(
            err, err_size,
            "bad resource path: it holds a '%%' escape ([A-Za-z0-9._-] needs none, so "
            "none is decoded)");
    char w[128];
    if (kbs_resource_id_check(path + plen, w, sizeof(w)) != 0)
        return crypto_error_line(err, err_size, "bad resource path: %s", w);
    snprintf(id, KBS_RESOURCE_ID_MAX, "%s", path + plen);
    return 0;
}
