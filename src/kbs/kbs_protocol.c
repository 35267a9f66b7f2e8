/*
 * The key broker's protocol (see kbs_protocol.h): payload parsing, the canonical runtime
 * data the report must bind, sessions and nonces, evidence checks through snp_verify
 * and the policy, and the encrypted release of resources.
 */
#include "kbs/kbs_protocol.h"

#include "kbs/kbs_resource.h"
#include "verify/snp_verify.h"
#include "common/hex.h"
#include "common/error_line.h"
#include "common/shown.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#define ERROR_TYPE_PREFIX "https://github.com/confidential-containers/kbs/errors/"
#define RESOURCE_PREFIX   "/kbs/v0/resource/"
#define NONCE_BYTES       32 /* as trustee's make_nonce */
#define MAX_NONCE_LEN     128
#define MAX_CERT_SIZE     (16 * 1024)
#define MAX_CERTS         8
#define JCS_MAX_DEPTH     64

struct session {
    bool live;
    enum { S_CHALLENGED, S_ATTESTED, S_SPENT } state;
    char id[KBS_SESSION_ID_LEN + 1];
    char nonce[64];
    time_t expires;
    /* Once attested: what the report proved, and the key to encrypt resources to. */
    struct kbs_tee_key key;
    uint8_t measurement[SNP_MEASUREMENT_SIZE];
    uint64_t reported_tcb;
};

struct kbs_broker {
    pthread_mutex_t lock;
    const struct kbs_policy *policy;
    int dir_fd;
    unsigned lifetime;
    time_t (*now)(void);
    struct session *sessions;
    size_t max_sessions;
    EVP_PKEY *token_key; /* signs the attestation tokens; made at start, never stored */
    json_t *token_jwk;
};

/* ---- RFC 8785 canonical JSON ---- */

struct sbuf {
    char *p;
    size_t len, cap;
    bool bad;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->bad = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* A string the way ECMAScript's JSON.stringify quotes it (RFC 8785 3.2.2.2). */
static void sb_string(struct sbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '\b':
            esc = "\\b";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof(u), "\\u%04x", c);
                esc = u;
            }
        }
        if (esc)
            sb_add(b, esc, strlen(esc));
        else
            sb_add(b, (const char *)&c, 1);
    }
    sb_add(b, "\"", 1);
}

/* The next UTF-16 code unit of valid UTF-8 text at *p (0 at its end). */
static unsigned next_utf16_unit(const unsigned char **p, unsigned *pending)
{
    if (*pending) {
        unsigned u = *pending;
        *pending = 0;
        return u;
    }
    const unsigned char *s = *p;
    if (*s == 0)
        return 0;
    unsigned n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : 4;
    uint32_t cp = n == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> n));
    for (unsigned i = 1; i < n && s[i] != 0; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    for (unsigned i = 0; i < n && **p != 0; i++)
        (*p)++;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *pending = 0xdc00 | (cp & 0x3ff);
        return 0xd800 | (cp >> 10);
    }
    return cp;
}

/* JCS orders members by the UTF-16 code units of their names (RFC 8785 3.2.3). */
static int utf16_cmp(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;
    unsigned px = 0, py = 0;
    for (;;) {
        unsigned ux = next_utf16_unit(&x, &px), uy = next_utf16_unit(&y, &py);
        if (ux != uy)
            return ux < uy ? -1 : 1;
        if (ux == 0)
            return 0;
    }
}

static int jcs_value(struct sbuf *b, const json_t *v, int depth)
{
    if (depth > JCS_MAX_DEPTH)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        const char **keys = malloc((n ? n : 1) * sizeof(*keys));
        if (keys == NULL)
            return -1;
        const char *k;
        json_t *member;
        json_object_foreach((json_t *)v, k, member)
        {
            keys[i++] = k;
        }
        qsort(keys, n, sizeof(*keys), utf16_cmp);
        int rc = 0;
        sb_add(b, "{", 1);
        for (i = 0; i < n && rc == 0; i++) {
            if (i)
                sb_add(b, ",", 1);
            sb_string(b, keys[i], strlen(keys[i]));
            sb_add(b, ":", 1);
            rc = jcs_value(b, json_object_get(v, keys[i]), depth + 1);
        }
        sb_add(b, "}", 1);
        free(keys);
        return rc;
    }
    case JSON_ARRAY:
        sb_add(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                sb_add(b, ",", 1);
            if (jcs_value(b, json_array_get(v, i), depth + 1) != 0)
                return -1;
        }
        sb_add(b, "]", 1);
        return 0;
    case JSON_STRING:
        sb_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER: {
        /* Within 2^53 a JSON number's shortest ECMAScript form is its decimal integer. */
        json_int_t i = json_integer_value(v);
        if (i >= (1LL << 53) || i <= -(1LL << 53))
            return -1;
        char d[32];
        int len = snprintf(d, sizeof(d), "%lld", (long long)i);
        sb_add(b, d, (size_t)len);
        return 0;
    }
    case JSON_REAL:
        return -1; /* ECMAScript number formatting is not reproduced here */
    case JSON_TRUE:
        sb_add(b, "true", 4);
        return 0;
    case JSON_FALSE:
        sb_add(b, "false", 5);
        return 0;
    case JSON_NULL:
        sb_add(b, "null", 4);
        return 0;
    }
    return -1;
}

char *kbs_jcs(const json_t *v)
{
    struct sbuf b = {0};
    if (v == NULL || jcs_value(&b, v, 0) != 0 || b.bad || b.p == NULL) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int kbs_runtime_data_hash(const char *nonce, const json_t *tee_pubkey,
                          const char *additional_evidence,
                          uint8_t report_data[SNP_REPORT_DATA_SIZE])
{
    /* The object trustee's KBS builds for the primary evidence (backend.rs). */
    json_t *rt = json_pack("{s:O, s:s, s:s}", "tee-pubkey", tee_pubkey, "nonce", nonce,
                           "additional-evidence", additional_evidence);
    char *text = kbs_jcs(rt);
    json_decref(rt);
    if (text == NULL)
        return -1;
    unsigned int len = 0;
    memset(report_data, 0, SNP_REPORT_DATA_SIZE);
    int ok = EVP_Digest(text, strlen(text), report_data, &len, EVP_sha384(), NULL) == 1;
    free(text);
    return ok && len == 48 ? 0 : -1;
}

/* ---- payloads ---- */

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
    size_t plen = strlen(RESOURCE_PREFIX);
    if (len < plen || memcmp(path, RESOURCE_PREFIX, plen) != 0)
        return crypto_error_line(err, err_size, "not under %s", RESOURCE_PREFIX);
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

/* ---- the broker ---- */

static time_t wall_clock(void)
{
    return time(NULL);
}

static void session_clear(struct session *s)
{
    kbs_tee_key_clear(&s->key);
    OPENSSL_cleanse(s, sizeof(*s));
}

struct kbs_broker *kbs_broker_new(const struct kbs_config *cfg, char *err, size_t err_size)
{
    const struct kbs_policy *p = cfg->policy;
    if (p == NULL || (!p->trust_amd && (p->roots == NULL || sk_X509_num(p->roots) == 0))) {
        crypto_error_line(err, err_size,
                          "the policy trusts no root (trusted_roots is empty and no --trust)");
        return NULL;
    }
    struct kbs_broker *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        crypto_error_line(err, err_size, "out of memory");
        return NULL;
    }
    b->dir_fd = -1;
    b->policy = p;
    b->lifetime = cfg->session_lifetime ? cfg->session_lifetime : KBS_DEFAULT_SESSION_LIFETIME;
    b->max_sessions = cfg->max_sessions ? cfg->max_sessions : KBS_DEFAULT_MAX_SESSIONS;
    b->now = cfg->now ? cfg->now : wall_clock;
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        free(b);
        crypto_error_line(err, err_size, "cannot create a mutex");
        return NULL;
    }
    b->dir_fd =
        open(cfg->resources_dir ? cfg->resources_dir : "", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (b->dir_fd < 0) {
        crypto_error_line(err, err_size, "resources directory %s: %s",
                          cfg->resources_dir ? cfg->resources_dir : "(none)", strerror(errno));
        kbs_broker_free(b);
        return NULL;
    }
    b->sessions = calloc(b->max_sessions, sizeof(*b->sessions));
    b->token_key = EVP_EC_gen("P-256");
    b->token_jwk = b->token_key ? kbs_jwk_public(b->token_key, "ES256") : NULL;
    if (b->sessions == NULL || b->token_jwk == NULL) {
        crypto_error_line(err, err_size, "out of memory (or no P-256 key for the tokens)");
        kbs_broker_free(b);
        return NULL;
    }
    return b;
}

void kbs_broker_free(struct kbs_broker *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; b->sessions != NULL && i < b->max_sessions; i++)
        session_clear(&b->sessions[i]);
    free(b->sessions);
    if (b->dir_fd >= 0)
        close(b->dir_fd);
    EVP_PKEY_free(b->token_key);
    json_decref(b->token_jwk);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

void kbs_response_clear(struct kbs_response *res)
{
    free(res->body);
    memset(res, 0, sizeof(*res));
}

static void set_body(struct kbs_response *res, json_t *o)
{
    free(res->body);
    res->body = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
}

/* Answers with an ErrorInformation body, and records "refused: <detail>" for the log. */
__attribute__((format(printf, 4, 5))) static void refuse(struct kbs_response *res, int status,
                                                         const char *type, const char *fmt, ...)
{
    char detail[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    res->status = status;
    snprintf(res->decision, sizeof(res->decision), "refused: %s", detail);
    char url[128];
    snprintf(url, sizeof(url), ERROR_TYPE_PREFIX "%s", type);
    set_body(res, json_pack("{s:s, s:s}", "type", url, "detail", detail));
}

static void purge_expired(struct kbs_broker *b, time_t now)
{
    for (size_t i = 0; i < b->max_sessions; i++)
        if (b->sessions[i].live && now >= b->sessions[i].expires)
            session_clear(&b->sessions[i]);
}

static struct session *find_session(struct kbs_broker *b, const char *cookie)
{
    if (cookie == NULL || strlen(cookie) != KBS_SESSION_ID_LEN)
        return NULL;
    for (size_t i = 0; i < b->max_sessions; i++) {
        struct session *s = &b->sessions[i];
        if (s->live && CRYPTO_memcmp(s->id, cookie, KBS_SESSION_ID_LEN) == 0)
            return s;
    }
    return NULL;
}

/* Whether nonce was handed out and has been spent, in a session still remembered. */
static bool nonce_spent(struct kbs_broker *b, const char *nonce)
{
    for (size_t i = 0; i < b->max_sessions; i++) {
        const struct session *s = &b->sessions[i];
        if (s->live && s->state != S_CHALLENGED && strcmp(s->nonce, nonce) == 0)
            return true;
    }
    return false;
}

static void do_auth(struct kbs_broker *b, const struct kbs_request *req, struct kbs_response *res,
                    time_t now)
{
    char why[256];
    if (kbs_parse_request(req->body, req->body_len, why, sizeof(why)) != 0) {
        refuse(res, 401, "AttestationError", "%s", why);
        return;
    }
    struct session *s = NULL;
    for (size_t i = 0; i < b->max_sessions && s == NULL; i++)
        if (!b->sessions[i].live)
            s = &b->sessions[i];
    if (s == NULL) {
        refuse(res, 503, "AttestationError", "too many sessions (%zu live; each lasts %u s)",
               b->max_sessions, b->lifetime);
        return;
    }
    uint8_t id[KBS_SESSION_ID_LEN / 2], nonce[NONCE_BYTES];
    char *nonce64 = NULL;
    if (RAND_bytes(id, sizeof(id)) != 1 || RAND_bytes(nonce, sizeof(nonce)) != 1 ||
        (nonce64 = kbs_b64_encode(nonce, sizeof(nonce))) == NULL) {
        ERR_clear_error();
        refuse(res, 500, "AttestationError", "no random bytes for a nonce");
        return;
    }
    memset(s, 0, sizeof(*s));
    s->live = true;
    s->state = S_CHALLENGED;
    hex_encode(id, sizeof(id), s->id);
    snprintf(s->nonce, sizeof(s->nonce), "%s", nonce64);
    s->expires = now + (time_t)b->lifetime;
    free(nonce64);

    /* trustee answers "extra-params": "" for SNP; the client then hashes with SHA-384. */
    set_body(res, json_pack("{s:s, s:s}", "nonce", s->nonce, "extra-params", ""));
    res->status = 200;
    snprintf(res->set_cookie, sizeof(res->set_cookie),
             KBS_COOKIE_NAME "=%s; Path=/kbs/v0; Max-Age=%u; HttpOnly", s->id, b->lifetime);
    snprintf(res->decision, sizeof(res->decision), "challenged: session %.8s, expires in %u s",
             s->id, b->lifetime);
}

/*
 * Verifies the report and its chain against the policy's roots, debug and VMPL rules
 * (one snp_verify run per extra root, as it takes one at a time), then the binding to
 * this session, then the measurement and TCB. 0, or -1 with why.
 */
static int check_evidence(struct kbs_broker *b, const struct kbs_attestation *a,
                          const uint8_t want_report_data[SNP_REPORT_DATA_SIZE], time_t now,
                          struct snp_verify_result *res, char *err, size_t err_size)
{
    const struct kbs_policy *p = b->policy;
    struct snp_verify_opts o = {
        .chain = a->chain,
        .allow_debug = p->allow_debug,
        .any_vmpl = p->any_vmpl,
        .vmpl = p->vmpl,
        .now = now,
    };
    int nroots = p->roots ? sk_X509_num(p->roots) : 0;
    char first_chain_failure[sizeof(res->message)] = "";
    enum snp_verify_status st = SNP_VERIFY_CHAIN;
    for (int i = 0; i < (nroots ? nroots : 1) && st == SNP_VERIFY_CHAIN; i++) {
        o.extra_root = nroots ? sk_X509_value(p->roots, i) : NULL;
        st = snp_verify(a->report, SNP_REPORT_SIZE, a->vcek, &o, res);
        if (st == SNP_VERIFY_CHAIN && i == 0)
            snprintf(first_chain_failure, sizeof(first_chain_failure), "%s", res->message);
    }
    if (st == SNP_VERIFY_CHAIN)
        return crypto_error_line(err, err_size, "report: %s", first_chain_failure);
    /* snp_verify always trusts AMD's ARKs; the policy may not. */
    if (st > SNP_VERIFY_CHAIN || st == SNP_VERIFY_OK) {
        if (!p->trust_amd && strncmp(res->root, "AMD ", 4) == 0)
            return crypto_error_line(
                err, err_size,
                "report: certificate chain: ends in %s, which the policy does not trust",
                res->root);
    }
    if (st != SNP_VERIFY_OK)
        return crypto_error_line(err, err_size, "report: %s", res->message);
    if (CRYPTO_memcmp(res->report.report_data, want_report_data, SNP_REPORT_DATA_SIZE) != 0)
        return crypto_error_line(
            err, err_size,
            "report: report data does not bind this session's nonce and tee-pubkey "
            "(expected SHA-384 of the canonical runtime data)");
    char w[256];
    if (kbs_policy_admits(p, res->report.measurement, res->report.reported_tcb, w, sizeof(w)) != 0)
        return crypto_error_line(err, err_size, "report: %s", w);
    return 0;
}

/* The attestation token: a JWT, as trustee returns, with what the report proved. */
static char *make_token(struct kbs_broker *b, const struct session *s,
                        const struct snp_verify_result *v, time_t now)
{
    char m[2 * SNP_MEASUREMENT_SIZE + 1], h[2 * SNP_HOST_DATA_SIZE + 1], pol[24];
    hex_encode(v->report.measurement, SNP_MEASUREMENT_SIZE, m);
    hex_encode(v->report.host_data, SNP_HOST_DATA_SIZE, h);
    snprintf(pol, sizeof(pol), "0x%llx", (unsigned long long)v->report.policy);
    struct snp_tcb t = snp_tcb_decode(v->report.reported_tcb);
    json_t *claims = json_pack(
        "{s:s, s:I, s:I, s:O, s:O, s:{s:s, s:s, s:s, s:i, s:{s:i, s:i, s:i, s:i}, s:s}}", "iss",
        "cloister-kbs", "iat", (json_int_t)now, "exp", (json_int_t)s->expires, "jwk", b->token_jwk,
        "tee-pubkey", s->key.jwk, "tcb-status", "snp.measurement", m, "snp.host_data", h,
        "snp.policy", pol, "snp.vmpl", (int)v->report.vmpl, "snp.reported_tcb", "bootloader",
        t.bootloader, "tee", t.tee, "snp", t.snp, "microcode", t.microcode, "root", v->root);
    char *token = claims ? kbs_jwt_es256(b->token_key, claims) : NULL;
    json_decref(claims);
    return token;
}

static void do_attest(struct kbs_broker *b, const struct kbs_request *req, struct kbs_response *res,
                      time_t now)
{
    char why[600];
    struct kbs_attestation a;
    if (kbs_parse_attestation(req->body, req->body_len, &a, why, sizeof(why)) != 0) {
        refuse(res, 401, "AttestationError", "%s", why);
        return;
    }
    struct session *s = find_session(b, req->cookie);
    if (s == NULL) {
        refuse(res, 401, "AttestationError", "%s",
               req->cookie ? "unknown or expired session"
                           : "no session cookie (POST /kbs/v0/auth first)");
        goto out;
    }
    if (s->state != S_CHALLENGED) {
        refuse(res, 401, "AttestationError", "nonce already used");
        goto out;
    }
    /* Spent now, whatever follows: one attestation per challenge. */
    s->state = S_SPENT;
    if (strcmp(a.nonce, s->nonce) != 0) {
        refuse(res, 401, "AttestationError", "%s",
               nonce_spent(b, a.nonce) ? "nonce already used"
                                       : "nonce does not match this session's challenge");
        goto out;
    }
    uint8_t want[SNP_REPORT_DATA_SIZE];
    if (kbs_runtime_data_hash(s->nonce, a.key.jwk, a.additional_evidence, want) != 0) {
        refuse(res, 500, "AttestationError", "cannot hash the runtime data");
        goto out;
    }
    struct snp_verify_result *v = calloc(1, sizeof(*v));
    if (v == NULL) {
        refuse(res, 500, "AttestationError", "out of memory");
        goto out;
    }
    if (check_evidence(b, &a, want, now, v, why, sizeof(why)) != 0) {
        refuse(res, 401, "AttestationError", "%s", why);
        free(v);
        goto out;
    }
    s->state = S_ATTESTED;
    s->key = a.key; /* the session keeps the key */
    memset(&a.key, 0, sizeof(a.key));
    memcpy(s->measurement, v->report.measurement, SNP_MEASUREMENT_SIZE);
    s->reported_tcb = v->report.reported_tcb;
    char *token = make_token(b, s, v, now);
    if (token == NULL) {
        refuse(res, 500, "AttestationError", "cannot sign the token");
        s->state = S_SPENT;
        free(v);
        goto out;
    }
    set_body(res, json_pack("{s:s}", "token", token));
    free(token);
    res->status = 200;
    char m[2 * SNP_MEASUREMENT_SIZE + 1];
    hex_encode(s->measurement, SNP_MEASUREMENT_SIZE, m);
    snprintf(res->decision, sizeof(res->decision),
             "attested: session %.8s, measurement %s, signed under %s", s->id, m, v->root);
    free(v);
out:
    kbs_attestation_clear(&a);
}

static void do_resource(struct kbs_broker *b, const struct kbs_request *req,
                        struct kbs_response *res)
{
    char id[KBS_RESOURCE_ID_MAX], why[600];
    if (kbs_parse_resource_path(req->path, req->path_len, id, why, sizeof(why)) != 0) {
        refuse(res, 404, "InvalidRequestPath", "%s", why);
        return;
    }
    struct session *s = find_session(b, req->cookie);
    if (s == NULL) {
        refuse(res, 401, "TokenNotFound", "%s",
               req->cookie ? "unknown or expired session" : "no session cookie (attest first)");
        return;
    }
    if (s->state != S_ATTESTED) {
        refuse(res, 401, "TokenNotFound", "session %.8s is not attested", s->id);
        return;
    }
    struct kbs_rule rule = kbs_policy_rule_for(b->policy, id);
    if (kbs_rule_check(&rule, s->measurement, s->reported_tcb, why, sizeof(why)) != 0) {
        refuse(res, 403, "PolicyDeny", "%s: %s", id, why);
        return;
    }
    size_t len = 0;
    int status = 0;
    uint8_t *data = kbs_resource_read(b->dir_fd, id, &len, &status, why, sizeof(why));
    if (data == NULL) {
        refuse(res, status, status == 404 ? "InvalidRequestPath" : "PluginInternalError", "%s",
               why);
        return;
    }
    char *jwe = kbs_jwe_encrypt(&s->key, data, len, why, sizeof(why));
    OPENSSL_cleanse(data, len);
    free(data);
    if (jwe == NULL) {
        refuse(res, 500, "JweError", "%s", why);
        return;
    }
    free(res->body);
    res->body = jwe;
    res->status = 200;
    snprintf(res->decision, sizeof(res->decision), "released %s (%zu bytes) to session %.8s", id,
             len, s->id);
}

void kbs_handle(struct kbs_broker *b, const struct kbs_request *req, struct kbs_response *res)
{
    memset(res, 0, sizeof(*res));
    const char *path = req->path ? req->path : "";
    const char *method = req->method ? req->method : "";
    bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
    struct kbs_request r = *req;
    if (r.body == NULL) {
        r.body = "";
        r.body_len = 0;
    }
    if (req->path == NULL)
        r.path_len = 0;
    r.path = path;
    /* Endpoints are matched as C strings: a path that a NUL cuts short matches none. */
    bool cut = strlen(path) != r.path_len;

    pthread_mutex_lock(&b->lock);
    time_t now = b->now();
    purge_expired(b, now);
    if (cut) {
        refuse(res, 404, "InvalidRequestPath", "the path holds a NUL byte");
    } else if (strcmp(path, "/kbs/v0/auth") == 0) {
        if (post)
            do_auth(b, &r, res, now);
        else
            refuse(res, 405, "InvalidRequestPath", "%s needs POST", path);
    } else if (strcmp(path, "/kbs/v0/attest") == 0) {
        if (post)
            do_attest(b, &r, res, now);
        else
            refuse(res, 405, "InvalidRequestPath", "%s needs POST", path);
    } else if (strncmp(path, RESOURCE_PREFIX, strlen(RESOURCE_PREFIX)) == 0) {
        if (get)
            do_resource(b, &r, res);
        else
            refuse(res, 405, "InvalidRequestPath", "resources are read with GET");
    } else {
        refuse(res, 404, "InvalidRequestPath", "no such endpoint");
    }
    pthread_mutex_unlock(&b->lock);
    if (res->body == NULL) {
        /* Only when out of memory: still a well-formed (if empty) answer. */
        res->status = 500;
        res->body = strdup("{}");
    }
}
