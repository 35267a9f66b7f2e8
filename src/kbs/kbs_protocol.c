/*
 * The key broker's protocol (see kbs_protocol.h): sessions and nonces, evidence checks
 * through snp_verify and the policy, and the encrypted release of resources. The bodies
 * it receives are parsed by kbs_payload.c; the runtime data they bind by kbs_jcs.c.
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
#define NONCE_BYTES       32 /* as trustee's make_nonce */

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
    } else if (strncmp(path, KBS_RESOURCE_PREFIX, strlen(KBS_RESOURCE_PREFIX)) == 0) {
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
