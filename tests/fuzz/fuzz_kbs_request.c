/*
 * libFuzzer target for what the key broker reads from the network: the JSON bodies of
 * /kbs/v0/auth and /kbs/v0/attest, resource paths, and whole requests handled by a
 * broker (sessions, cookies, every refusal path). Every input must be answered or
 * refused without a memory error or leak, and what is accepted must be consistent:
 *
 *   first byte % 7   the input's remaining bytes are
 *   0                an auth Request body
 *   1                an Attestation body; a parsed one holds a key, a report, a VCEK
 *   2                a path, NULs and all; an accepted resource id has three clean
 *                    components and is the path's whole tail, with no NUL or '%'
 *   3                JSON for the canonicalizer; its output parses back to equal JSON
 *   4                a request: method byte, path up to '\n', then the body; the answer
 *                    is JSON with a known status and a decision for the log, and a
 *                    path holding a NUL or a '%' releases nothing
 *   5                base64; what decodes re-encodes to the very same text
 *   6                a request target as sent, %XX-decoded as a URL decoder would (so
 *                    %00 becomes a NUL): the decoded path goes to the parser as in 2 and
 *                    to a GET as in 4 with the attested session, if there is one
 *
 * Built by `make fuzz-kbs_request` (tests/fuzz/fuzz.mk); tests/static/fuzz.sh runs it
 * briefly and bench/fuzz.sh for hours, from the seeds in tests/fuzz/corpus/kbs_request/
 * (tests/fuzz/README.md).
 */
#include "kbs/kbs_crypto.h"
#include "kbs/kbs_policy.h"
#include "kbs/kbs_protocol.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kbs_policy *policy;
static struct kbs_broker *broker;
static char last_cookie[KBS_SESSION_ID_LEN + 1];

/* A broker over a policy that admits one digest, and a directory with one resource. */
static void setup(void)
{
    char text[512], digest[2 * SNP_MEASUREMENT_SIZE + 1];
    memset(digest, '4', sizeof(digest) - 1);
    digest[sizeof(digest) - 1] = '\0';
    snprintf(text, sizeof(text),
             "{\"launch_digests\": [\"%s\"], \"resources\": {\"a/b/c\": {\"min_tcb\": "
             "{\"snp\": 1}}}}",
             digest);
    char dir[] = "/tmp/fuzz_kbs.XXXXXX", path[64], err[256] = "";
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/a", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/a/b", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/a/b/c", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        abort();
    fputs("secret", f);
    fclose(f);
    policy = kbs_policy_parse(text, strlen(text), "fuzz", dir, err, sizeof(err));
    struct kbs_config cfg = {.policy = policy, .resources_dir = dir, .max_sessions = 64};
    broker = policy ? kbs_broker_new(&cfg, err, sizeof(err)) : NULL;
    if (broker == NULL) {
        fprintf(stderr, "fuzz_kbs_request: setup: %s\n", err);
        abort();
    }
}

static void terminated(const char *why, size_t len)
{
    if (memchr(why, '\0', len) == NULL)
        abort();
}

static void fuzz_attestation(const char *s, size_t n)
{
    struct kbs_attestation a;
    char why[512];
    memset(why, 'x', sizeof(why));
    if (kbs_parse_attestation(s, n, &a, why, sizeof(why)) != 0) {
        terminated(why, sizeof(why));
        return;
    }
    if (a.key.pkey == NULL || a.key.jwk == NULL || a.vcek == NULL || a.nonce == NULL ||
        a.additional_evidence == NULL || sk_X509_num(a.chain) > 2)
        abort();
    uint8_t rd[SNP_REPORT_DATA_SIZE];
    if (kbs_runtime_data_hash(a.nonce, a.key.jwk, a.additional_evidence, rd) != 0)
        abort();
    kbs_attestation_clear(&a);
}

/* n bytes of s, NULs included, and a NUL after them: what a server hands the broker. */
static char *copy(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p == NULL)
        abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void fuzz_path(const char *s, size_t n)
{
    char *path = copy(s, n), id[KBS_RESOURCE_ID_MAX], why[256];
    memset(why, 'x', sizeof(why));
    if (kbs_parse_resource_path(path, n, id, why, sizeof(why)) == 0) {
        /* Three components of the allowed characters, none starting with a dot, and the
         * id is the whole rest of the path: nothing after a NUL was dropped. */
        size_t plen = strlen("/kbs/v0/resource/");
        if (kbs_resource_id_check(id, why, sizeof(why)) != 0 || id[0] == '.' ||
            strstr(id, "/.") != NULL || strlen(id) >= KBS_RESOURCE_ID_MAX ||
            memchr(path, '\0', n) != NULL || memchr(path, '%', n) != NULL ||
            strlen(id) != n - plen || memcmp(id, path + plen, n - plen) != 0)
            abort();
    } else {
        terminated(why, sizeof(why));
    }
    free(path);
}

static void fuzz_jcs(const char *s, size_t n)
{
    json_t *v = json_loadb(s, n, JSON_DECODE_ANY, NULL);
    char *c = v ? kbs_jcs(v) : NULL;
    if (c != NULL) {
        json_t *again = json_loads(c, JSON_DECODE_ANY, NULL);
        if (again == NULL || !json_equal(v, again))
            abort();
        json_decref(again);
    }
    free(c);
    json_decref(v);
}

/* One request through the broker: always a JSON answer with a known status, and a path
 * holding a NUL or a '%' (which no valid path needs) refused by name. */
static void handle(const char *method, const char *path, size_t plen, bool use_cookie,
                   const char *body, size_t blen)
{
    struct kbs_request req = {.method = method,
                              .path = path,
                              .path_len = plen,
                              .cookie = use_cookie ? last_cookie : NULL,
                              .body = body,
                              .body_len = blen};
    struct kbs_response res;
    kbs_handle(broker, &req, &res);
    static const int statuses[] = {200, 401, 403, 404, 405, 500, 503};
    bool known = false;
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        known = known || res.status == statuses[i];
    json_t *b = res.body ? json_loads(res.body, 0, NULL) : NULL;
    if (!known || b == NULL || res.decision[0] == '\0')
        abort();
    /* Refused for what it is, before any session or file is looked at. */
    if (memchr(path, '\0', plen) != NULL &&
        (res.status != 404 || strcmp(res.decision, "refused: the path holds a NUL byte") != 0))
        abort();
    if (memchr(path, '\0', plen) == NULL && memchr(path, '%', plen) != NULL &&
        strncmp(path, "/kbs/v0/resource/", 17) == 0 && strcmp(method, "GET") == 0 &&
        (res.status != 404 || strstr(res.decision, "it holds a '%' escape") == NULL))
        abort();
    terminated(res.decision, sizeof(res.decision));
    json_decref(b);
    if (res.set_cookie[0] != '\0')
        snprintf(last_cookie, sizeof(last_cookie), "%.32s",
                 res.set_cookie + strlen(KBS_COOKIE_NAME "="));
    kbs_response_clear(&res);
}

static void fuzz_handle(const char *s, size_t n)
{
    if (n < 1)
        return;
    static const char *const methods[] = {"GET", "POST", "PUT", "GET", "POST"};
    const char *method = methods[(unsigned char)s[0] % 5];
    bool use_cookie = s[0] & 0x80;
    const char *nl = memchr(s + 1, '\n', n - 1);
    size_t plen = nl ? (size_t)(nl - s - 1) : n - 1;
    char *path = copy(s + 1, plen);
    const char *body = nl ? nl + 1 : "";
    size_t blen = nl ? n - 1 - plen - 1 : 0;
    handle(method, path, plen, use_cookie, body, blen);
    free(path);
}

/* %XX to its byte, anything else as it is: a URL decoder's work, NULs included. */
static size_t percent_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hh[3] = {s[i + 1], s[i + 2], '\0'};
            out[o++] = (char)strtol(hh, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return o;
}

static void fuzz_decoded(const char *s, size_t n)
{
    char *path = malloc(n + 1);
    if (path == NULL)
        abort();
    size_t len = percent_decode(s, n, path);
    fuzz_path(path, len);
    handle("GET", path, len, true, "", 0);
    free(path);
}

static void fuzz_base64(const char *s, size_t n)
{
    for (int form = 0; form < 2; form++) {
        size_t len = 0;
        uint8_t *d = kbs_b64_decode(s, n, form ? KBS_B64_ANY : KBS_B64_URL, &len);
        if (d == NULL)
            continue;
        /* One spelling per value and alphabet: re-encoding gives the input back, up to
         * the padding, which when present must be complete (and absent from base64url). */
        bool std = memchr(s, '+', n) || memchr(s, '/', n);
        char *e = std ? kbs_b64_encode(d, len) : kbs_b64url_encode(d, len);
        size_t elen = strlen(e), data = n;
        while (elen > 0 && e[elen - 1] == '=')
            elen--;
        while (data > 0 && s[data - 1] == '=')
            data--;
        if (elen != data || memcmp(e, s, data) != 0 || (data != n && n % 4 != 0) ||
            (form == 0 && data != n))
            abort();
        free(e);
        free(d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (broker == NULL)
        setup();
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    char why[256];
    switch (data[0] % 7) {
    case 0:
        memset(why, 'x', sizeof(why));
        if (kbs_parse_request(s, n, why, sizeof(why)) != 0)
            terminated(why, sizeof(why));
        break;
    case 1:
        fuzz_attestation(s, n);
        break;
    case 2:
        fuzz_path(s, n);
        break;
    case 3:
        fuzz_jcs(s, n);
        break;
    case 4:
        fuzz_handle(s, n);
        break;
    case 5:
        fuzz_base64(s, n);
        break;
    case 6:
        fuzz_decoded(s, n);
        break;
    }
    return 0;
}
