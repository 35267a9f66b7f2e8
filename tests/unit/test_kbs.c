/*
 * Unit tests for `cloister kbs`: the key broker's encodings (base64, RFC 8785 JSON,
 * Concat KDF against RFC 7518's example), its JWE in both directions, the policy file,
 * the payload parsers, and the whole protocol over HTTP on 127.0.0.1 with a small
 * socket client: a workload attests with an SNP report made and signed here (a test
 * ARK/ASK/VCEK chain whose ARK the policy trusts), gets a resource and decrypts it;
 * then every refusal, each with its log line.
 */
#include "common/hex.h"
#include "kbs/kbs_crypto.h"
#include "kbs/kbs_policy.h"
#include "kbs/kbs_protocol.h"
#include "kbs/kbs_server.h"
#include "verify/snp_verify.h"
#include "unit.h"

/*
 * The command is not part of libcloister (tests link the library's folders, not
 * src/cli), so the test compiles it in to call cmd_kbs() directly.
 */
#include "cli/cmd_kbs.c"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- a chip of our own: ARK, ASK and VCEK the way AMD makes them ---- */

struct chain {
    EVP_PKEY *ark_key, *ask_key, *vcek_key;
    X509 *ark, *ask, *vcek;
};

static struct chain trusted, untrusted;
static const struct snp_tcb test_tcb = {.bootloader = 4, .tee = 1, .snp = 22, .microcode = 0xd1};
static uint8_t test_chip[SNP_CHIP_ID_SIZE];

static void sign_pss(X509 *x, EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384());
    X509_sign_ctx(x, md);
    EVP_MD_CTX_free(md);
}

static void add_ext_der(X509 *x, const char *oid, const unsigned char *der, int len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, der, len);
    X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
}

static void add_spl(X509 *x, const char *oid, long v)
{
    ASN1_INTEGER *ai = ASN1_INTEGER_new();
    unsigned char *der = NULL;
    ASN1_INTEGER_set(ai, v);
    int len = i2d_ASN1_INTEGER(ai, &der);
    add_ext_der(x, oid, der, len);
    OPENSSL_free(der);
    ASN1_INTEGER_free(ai);
}

static void add_v3(X509 *x, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, NULL, nid, value);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

static X509 *new_cert(const char *subject, const char *issuer, EVP_PKEY *pub, long serial)
{
    X509 *x = X509_new();
    X509_NAME *s = X509_NAME_new(), *i = X509_NAME_new();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_NAME_add_entry_by_txt(s, "CN", MBSTRING_ASC, (const unsigned char *)subject, -1, -1, 0);
    X509_NAME_add_entry_by_txt(i, "CN", MBSTRING_ASC, (const unsigned char *)issuer, -1, -1, 0);
    X509_set_subject_name(x, s);
    X509_set_issuer_name(x, i);
    X509_set_pubkey(x, pub);
    X509_NAME_free(s);
    X509_NAME_free(i);
    return x;
}

static int make_chain(struct chain *c, const char *ark_name, const char *ask_name)
{
    c->ark_key = EVP_RSA_gen(2048);
    c->ask_key = EVP_RSA_gen(2048);
    c->vcek_key = EVP_EC_gen("P-384");
    if (!c->ark_key || !c->ask_key || !c->vcek_key)
        return -1;
    c->ark = new_cert(ark_name, ark_name, c->ark_key, 1);
    c->ask = new_cert(ask_name, ark_name, c->ask_key, 2);
    for (X509 **ca = (X509 *[]){c->ark, c->ask, NULL}; *ca; ca++) {
        add_v3(*ca, NID_basic_constraints, "critical,CA:TRUE");
        add_v3(*ca, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    sign_pss(c->ark, c->ark_key);
    sign_pss(c->ask, c->ark_key);
    c->vcek = new_cert("SEV-VCEK", ask_name, c->vcek_key, 3);
    add_spl(c->vcek, "1.3.6.1.4.1.3704.1.3.1", test_tcb.bootloader);
    add_spl(c->vcek, "1.3.6.1.4.1.3704.1.3.2", test_tcb.tee);
    add_spl(c->vcek, "1.3.6.1.4.1.3704.1.3.3", test_tcb.snp);
    add_spl(c->vcek, "1.3.6.1.4.1.3704.1.3.8", test_tcb.microcode);
    add_ext_der(c->vcek, "1.3.6.1.4.1.3704.1.4", test_chip, sizeof(test_chip));
    sign_pss(c->vcek, c->ask_key);
    return 0;
}

static void free_chain(struct chain *c)
{
    X509_free(c->ark);
    X509_free(c->ask);
    X509_free(c->vcek);
    EVP_PKEY_free(c->ark_key);
    EVP_PKEY_free(c->ask_key);
    EVP_PKEY_free(c->vcek_key);
}

#define POLICY_NORMAL 0x30000ull
#define POLICY_DEBUG  (0x30000ull | SNP_POLICY_DEBUG)

/* A report as the chip of c would produce it. */
static void make_report(uint8_t out[SNP_REPORT_SIZE], const uint8_t report_data[64],
                        uint8_t measurement_byte, uint64_t policy, const struct chain *c)
{
    struct snp_report r;
    memset(&r, 0, sizeof(r));
    r.version = 2;
    r.policy = policy;
    r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
    r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = snp_tcb_encode(test_tcb);
    memcpy(r.chip_id, test_chip, sizeof(r.chip_id));
    memset(r.measurement, measurement_byte, sizeof(r.measurement));
    memcpy(r.report_data, report_data, sizeof(r.report_data));
    snp_report_serialize(&r, out);
    CHECK_EQ_INT(snp_report_sign(out, c->vcek_key), 0);
}

/* ---- files: the policy, the trusted ARK, the resources ---- */

#define MEAS_GOOD    0x4d /* in the default launch_digests */
#define MEAS_SPECIAL 0x77 /* only in default/key/special's list */
#define MEAS_BAD     0x66 /* in no list */

static char tmpdir[64], policy_path[128], resources_path[128], ark_path[128];
static uint8_t secret[32], special[48];

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static void write_pem(const char *path, X509 *c)
{
    FILE *f = fopen(path, "w");
    PEM_write_X509(f, c);
    fclose(f);
}

static void digest_hex(uint8_t byte, char out[97])
{
    uint8_t d[48];
    memset(d, byte, sizeof(d));
    hex_encode(d, sizeof(d), out);
}

static void make_files(void)
{
    char path[256], good[97], spec[97], text[1024];
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_kbs.XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    snprintf(policy_path, sizeof(policy_path), "%s/policy.json", tmpdir);
    snprintf(resources_path, sizeof(resources_path), "%s/resources", tmpdir);
    snprintf(ark_path, sizeof(ark_path), "%s/ark.pem", tmpdir);
    write_pem(ark_path, trusted.ark);
    digest_hex(MEAS_GOOD, good);
    digest_hex(MEAS_SPECIAL, spec);
    snprintf(text, sizeof(text),
             "{\"launch_digests\": [\"%s\"], \"trusted_roots\": [\"amd\", \"ark.pem\"],\n"
             " \"min_tcb\": {\"snp\": 22}, \"allow_debug\": false, \"vmpl\": 0,\n"
             " \"resources\": {\"default/key/special\": {\"launch_digests\": [\"%s\"]}}}\n",
             good, spec);
    write_file(policy_path, text, strlen(text));
    mkdir(resources_path, 0700);
    snprintf(path, sizeof(path), "%s/default", resources_path);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/default/key", resources_path);
    mkdir(path, 0700);
    RAND_bytes(secret, sizeof(secret));
    RAND_bytes(special, sizeof(special));
    snprintf(path, sizeof(path), "%s/default/key/db", resources_path);
    write_file(path, secret, sizeof(secret));
    snprintf(path, sizeof(path), "%s/default/key/special", resources_path);
    write_file(path, special, sizeof(special));
    char target[256];
    snprintf(target, sizeof(target), "%s/policy.json", tmpdir);
    snprintf(path, sizeof(path), "%s/default/key/link", resources_path);
    CHECK(symlink(target, path) == 0);
}

static void remove_files(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    CHECK(system(cmd) == 0);
}

/* ---- the server under test, and its log ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[1 << 16];
static size_t log_len;

static void capture_log(void *ctx, const char *line)
{
    pthread_mutex_lock(&log_lock);
    size_t n = strlen(line);
    if (log_len + n + 2 < sizeof(log_text)) {
        memcpy(log_text + log_len, line, n);
        log_len += n;
        log_text[log_len++] = '\n';
        log_text[log_len] = '\0';
    }
    pthread_mutex_unlock(&log_lock);
}

/* The last log line, without the time and client fields: "METHOD path status decision". */
static const char *last_log(void)
{
    static char line[1024];
    pthread_mutex_lock(&log_lock);
    line[0] = '\0';
    if (log_len > 0) {
        size_t end = log_len - 1, start = end;
        while (start > 0 && log_text[start - 1] != '\n')
            start--;
        const char *p = log_text + start;
        /* skip "<time> <client> " */
        for (int field = 0; field < 2 && p < log_text + end; field++) {
            const char *sp = memchr(p, ' ', (size_t)(log_text + end - p));
            p = sp ? sp + 1 : log_text + end;
        }
        snprintf(line, sizeof(line), "%.*s", (int)(log_text + end - p), p);
    }
    pthread_mutex_unlock(&log_lock);
    return line;
}

/* The last line whole, to check its time and client fields. */
static void last_log_whole(char *out, size_t outlen)
{
    pthread_mutex_lock(&log_lock);
    size_t end = log_len ? log_len - 1 : 0, start = end;
    while (start > 0 && log_text[start - 1] != '\n')
        start--;
    snprintf(out, outlen, "%.*s", (int)(end - start), log_text + start);
    pthread_mutex_unlock(&log_lock);
}

static bool log_is(const char *prefix)
{
    const char *l = last_log();
    if (!starts_with(l, prefix)) {
        fprintf(stderr, "  log line: %s\n  expected: %s...\n", l, prefix);
        return false;
    }
    return true;
}

static struct kbs_policy *policy;
static struct kbs_broker *broker;
static struct kbs_server *server;
static unsigned port;

static int start_server(void)
{
    char err[512];
    policy = kbs_policy_load(policy_path, err, sizeof(err));
    if (policy == NULL) {
        fprintf(stderr, "  %s\n", err);
        return -1;
    }
    struct kbs_config cfg = {.policy = policy, .resources_dir = resources_path};
    broker = kbs_broker_new(&cfg, err, sizeof(err));
    if (broker == NULL) {
        fprintf(stderr, "  %s\n", err);
        return -1;
    }
    struct kbs_server_config scfg = {.listen = "127.0.0.1:0", .broker = broker, .log = capture_log};
    server = kbs_server_start(&scfg, err, sizeof(err));
    if (server == NULL) {
        fprintf(stderr, "  %s\n", err);
        return -1;
    }
    port = kbs_server_port(server);
    return port ? 0 : -1;
}

/* ---- a small HTTP/1.1 client ---- */

struct http_resp {
    int status;
    char cookie[128]; /* the kbs-session-id a Set-Cookie gave, or "" */
    char *body;       /* malloc'd, NUL-terminated */
    size_t body_len;
};

/* Every byte sent and received while recording: the successful exchange, for the
 * check that no secret crosses the wire in clear. */
static bool recording;
static uint8_t *wire;
static size_t wire_len;

static void record(const void *p, size_t n)
{
    if (!recording)
        return;
    wire = realloc(wire, wire_len + n);
    memcpy(wire + wire_len, p, n);
    wire_len += n;
}

static void http_free(struct http_resp *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* Sends one request (raw_path as is on the request line) and reads the answer to EOF. */
static int http(const char *method, const char *raw_path, const char *cookie, const char *body,
                size_t body_len, struct http_resp *r)
{
    memset(r, 0, sizeof(*r));
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    char head[1024];
    int n =
        snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                 method, raw_path);
    if (cookie && cookie[0])
        n += snprintf(head + n, sizeof(head) - (size_t)n, "Cookie: " KBS_COOKIE_NAME "=%s\r\n",
                      cookie);
    if (body)
        n += snprintf(head + n, sizeof(head) - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", body_len);
    n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
    record(head, (size_t)n);
    bool ok = write(fd, head, (size_t)n) == n;
    if (ok && body) {
        record(body, body_len);
        for (size_t off = 0; ok && off < body_len;) {
            ssize_t w = write(fd, body + off, body_len - off);
            ok = w > 0;
            off += ok ? (size_t)w : 0;
        }
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (cap - len < 2)
            buf = realloc(buf, cap *= 2);
    }
    close(fd);
    buf[len] = '\0';
    record(buf, len);
    int status = 0;
    char *sep = strstr(buf, "\r\n\r\n");
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || sep == NULL) {
        free(buf);
        return -1;
    }
    r->status = status;
    *sep = '\0';
    const char *sc = strcasestr(buf, "\r\nSet-Cookie: " KBS_COOKIE_NAME "=");
    if (sc != NULL) {
        sc += strlen("\r\nSet-Cookie: " KBS_COOKIE_NAME "=");
        snprintf(r->cookie, sizeof(r->cookie), "%.*s", (int)strcspn(sc, ";\r"), sc);
    }
    r->body_len = len - (size_t)(sep + 4 - buf);
    r->body = malloc(r->body_len + 1);
    memcpy(r->body, sep + 4, r->body_len);
    r->body[r->body_len] = '\0';
    free(buf);
    return 0;
}

/* ---- the workload's side ---- */

struct workload {
    EVP_PKEY *key; /* the TEE key pair */
    json_t *jwk;   /* its public JWK as sent */
    char cookie[128];
    char nonce[128];
};

static void workload_init(struct workload *w, bool rsa)
{
    memset(w, 0, sizeof(*w));
    w->key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    w->jwk = kbs_jwk_public(w->key, rsa ? "RSA-OAEP-256" : "ECDH-ES+A256KW");
    CHECK(w->jwk != NULL);
}

static void workload_free(struct workload *w)
{
    EVP_PKEY_free(w->key);
    json_decref(w->jwk);
}

/* POST /kbs/v0/auth: fills the cookie and the nonce. Returns the HTTP status. */
static int auth(struct workload *w)
{
    static const char req[] = "{\"version\":\"0.4.0\",\"tee\":\"snp\",\"extra-params\":\"\"}";
    struct http_resp r;
    if (http("POST", "/kbs/v0/auth", NULL, req, strlen(req), &r) != 0)
        return -1;
    json_t *c = json_loads(r.body, 0, NULL);
    snprintf(w->cookie, sizeof(w->cookie), "%s", r.cookie);
    snprintf(w->nonce, sizeof(w->nonce), "%s",
             json_string_value(json_object_get(c, "nonce")) ?: "");
    json_decref(c);
    int status = r.status;
    http_free(&r);
    return status;
}

/*
 * The report data a Key Broker Client asks for, computed here independently of the
 * broker: SHA-384 of the canonical runtime data, written out by hand.
 */
static void binding(const char *nonce, const json_t *jwk, uint8_t rd[64])
{
    char text[4096];
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
#define M(name) json_string_value(json_object_get(jwk, name))
    if (strcmp(kty, "EC") == 0)
        snprintf(text, sizeof(text),
                 "{\"additional-evidence\":\"\",\"nonce\":\"%s\",\"tee-pubkey\":{\"alg\":\"%s\","
                 "\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}}",
                 nonce, M("alg"), M("crv"), M("x"), M("y"));
    else
        snprintf(text, sizeof(text),
                 "{\"additional-evidence\":\"\",\"nonce\":\"%s\",\"tee-pubkey\":{\"alg\":\"%s\","
                 "\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}}",
                 nonce, M("alg"), M("e"), M("n"));
#undef M
    memset(rd, 0, 64);
    unsigned int len = 0;
    EVP_Digest(text, strlen(text), rd, &len, EVP_sha384(), NULL);
}

static json_t *cert_entry(const char *type, X509 *c)
{
    unsigned char *der = NULL;
    int len = i2d_X509(c, &der);
    char *b64 = kbs_b64_encode(der, (size_t)len);
    json_t *e = json_pack("{s:s, s:s}", "cert_type", type, "data", b64);
    free(b64);
    OPENSSL_free(der);
    return e;
}

/* The Attestation payload for a report (kbs-types 0.16: runtime-data, tee-evidence). */
static char *attestation(const char *nonce, const json_t *jwk, const uint8_t *report,
                         const struct chain *c)
{
    char *rep64 = kbs_b64_encode(report, SNP_REPORT_SIZE);
    json_t *a =
        json_pack("{s:n, s:{s:s, s:O}, s:{s:{s:s, s:[o, o, o]}, s:s}}", "init-data", "runtime-data",
                  "nonce", nonce, "tee-pubkey", jwk, "tee-evidence", "primary_evidence",
                  "attestation_report", rep64, "cert_chain", cert_entry("VCEK", c->vcek),
                  cert_entry("ASK", c->ask), cert_entry("ARK", c->ark), "additional_evidence", "");
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    free(rep64);
    return text;
}

/* POST /kbs/v0/attest with a report of the given measurement and policy. */
static int attest_with(struct workload *w, uint8_t meas, uint64_t pol, const struct chain *c,
                       char **body_out)
{
    uint8_t rd[64], report[SNP_REPORT_SIZE];
    binding(w->nonce, w->jwk, rd);
    make_report(report, rd, meas, pol, c);
    char *body = attestation(w->nonce, w->jwk, report, c);
    struct http_resp r;
    int status =
        http("POST", "/kbs/v0/attest", w->cookie, body, strlen(body), &r) == 0 ? r.status : -1;
    if (status == 200) {
        json_t *t = json_loads(r.body, 0, NULL);
        CHECK(json_string_value(json_object_get(t, "token")) != NULL);
        json_decref(t);
    }
    http_free(&r);
    if (body_out)
        *body_out = body;
    else
        free(body);
    return status;
}

/* GET a resource and decrypt it with the workload's key. Returns the HTTP status. */
static int get_resource(struct workload *w, const char *raw_path, uint8_t **plain,
                        size_t *plain_len)
{
    struct http_resp r;
    if (http("GET", raw_path, w->cookie, NULL, 0, &r) != 0)
        return -1;
    int status = r.status;
    if (status == 200 && plain) {
        char why[256];
        if (kbs_jwe_decrypt(w->key, r.body, r.body_len, plain, plain_len, why, sizeof(why)) != 0) {
            fprintf(stderr, "  decrypt: %s\n", why);
            status = -2;
        }
    }
    http_free(&r);
    return status;
}

/* ---- encodings ---- */

static void test_base64(void)
{
    static const struct {
        const char *in, *std, *url;
    } v[] = {{"", "", ""},
             {"f", "Zg==", "Zg"},
             {"fo", "Zm8=", "Zm8"},
             {"foo", "Zm9v", "Zm9v"},
             {"foob", "Zm9vYg==", "Zm9vYg"},
             {"\xfb\xff", "+/8=", "-_8"}};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t n = strlen(v[i].in), len = 99;
        char *s = kbs_b64_encode((const uint8_t *)v[i].in, n);
        char *u = kbs_b64url_encode((const uint8_t *)v[i].in, n);
        CHECK_STREQ(s, v[i].std);
        CHECK_STREQ(u, v[i].url);
        uint8_t *d = kbs_b64_decode(s, strlen(s), KBS_B64_ANY, &len);
        CHECK(d != NULL && len == n && memcmp(d, v[i].in, n) == 0);
        free(d);
        d = kbs_b64_decode(u, strlen(u), KBS_B64_URL, &len);
        CHECK(d != NULL && len == n && memcmp(d, v[i].in, n) == 0);
        free(d);
        free(s);
        free(u);
    }
    /* One value, one spelling: no stray bits, no wrong padding, no mixed alphabets. */
    static const char *const bad_any[] = {"Zh==", "Zg=", "Z===", "Zg==Zg==", "+-8=", "Zg =", "Z"};
    for (size_t i = 0; i < sizeof(bad_any) / sizeof(bad_any[0]); i++) {
        size_t len;
        uint8_t *d = kbs_b64_decode(bad_any[i], strlen(bad_any[i]), KBS_B64_ANY, &len);
        CHECK(d == NULL);
        free(d);
    }
    size_t len;
    CHECK(kbs_b64_decode("Zg==", 4, KBS_B64_URL, &len) == NULL);
    CHECK(kbs_b64_decode("+/8", 3, KBS_B64_URL, &len) == NULL);
}

static char *jcs_of(const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    char *s = kbs_jcs(v);
    json_decref(v);
    return s;
}

static void test_jcs(void)
{
    /* trustee's test vector (attestation-service/src/lib.rs). */
    char *s = jcs_of("{\"b\": 1, \"a\": \"test\", \"c\": {\"d\": \"e\"}}");
    CHECK_STREQ(s, "{\"a\":\"test\",\"b\":1,\"c\":{\"d\":\"e\"}}");
    uint8_t md[48];
    char h[97];
    EVP_Digest(s, strlen(s), md, NULL, EVP_sha384(), NULL);
    hex_encode(md, sizeof(md), h);
    CHECK_STREQ(h,
                "e71ce8e70d814ba6639c3612ebee0ff1f76f650f8dbb5e47157e0f3f525cd22c4597480a186427c81"
                "3ca941da78870c3");
    free(s);
    /* RFC 8785 3.2.3: names sort by UTF-16 code units (U+1F600 before U+FB33). */
    s = jcs_of("{\"\\u20ac\": 1, \"\\r\": 2, \"\\ufb33\": 3, \"1\": 4, \"\\ud83d\\ude00\": 5, "
               "\"\\u0080\": 6, \"\\u00f6\": 7}");
    CHECK_STREQ(s, "{\"\\r\":2,\"1\":4,\"\xc2\x80\":6,\"\xc3\xb6\":7,\"\xe2\x82\xac\":1,"
                   "\"\xf0\x9f\x98\x80\":5,\"\xef\xac\xb3\":3}");
    free(s);
    /* Escapes as JSON.stringify writes them: short forms, else lowercase \u00xx. */
    s = jcs_of("[\"\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\\u007f\\u00e9\", true, false, null, -7, []]");
    CHECK_STREQ(s, "[\"\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\x7f\xc3\xa9\",true,false,null,-7,[]]");
    free(s);
    CHECK(jcs_of("[1.5]") == NULL);
    CHECK(jcs_of("[9007199254740993]") == NULL);
}

static void test_runtime_data_hash(void)
{
    struct workload w;
    workload_init(&w, false);
    uint8_t mine[64], theirs[64];
    binding("bm9uY2U=", w.jwk, mine);
    CHECK_EQ_INT(kbs_runtime_data_hash("bm9uY2U=", w.jwk, "", theirs), 0);
    CHECK(memcmp(mine, theirs, 64) == 0);
    for (int i = 48; i < 64; i++)
        CHECK_EQ_INT(theirs[i], 0);
    workload_free(&w);
}

/* ---- JOSE ---- */

/* RFC 7518 Appendix C: Bob's key, Alice's ephemeral key, their Z, the derived key. */
static const char bob_x[] = "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ";
static const char bob_y[] = "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck";
static const char alice_x[] = "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0";
static const char alice_y[] = "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps";
static const char alice_d[] = "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo";
static const uint8_t rfc_z[32] = {158, 86,  217, 29,  129, 113, 53,  211, 114, 131, 66,
                                  131, 191, 132, 38,  156, 251, 49,  110, 163, 218, 128,
                                  106, 72,  246, 218, 167, 121, 140, 254, 144, 196};

static uint8_t *b64u(const char *s, size_t *len)
{
    return kbs_b64_decode(s, strlen(s), KBS_B64_URL, len);
}

/* Alice's private key from its JWK members (P-256). */
static EVP_PKEY *alice_key(void)
{
    size_t xl, yl, dl;
    uint8_t *x = b64u(alice_x, &xl), *y = b64u(alice_y, &yl), *d = b64u(alice_d, &dl);
    uint8_t pt[65] = {4};
    memcpy(pt + 1, x, 32);
    memcpy(pt + 33, y, 32);
    BIGNUM *priv = BN_bin2bn(d, (int)dl, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt));
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    EVP_PKEY_fromdata_init(ctx);
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(priv);
    free(x);
    free(y);
    free(d);
    return key;
}

static void test_concat_kdf_rfc7518(void)
{
    uint8_t k[16];
    CHECK_EQ_INT(kbs_concat_kdf(rfc_z, sizeof(rfc_z), "A128GCM", (const uint8_t *)"Alice", 5,
                                (const uint8_t *)"Bob", 3, k, sizeof(k)),
                 0);
    char *s = kbs_b64url_encode(k, sizeof(k));
    CHECK_STREQ(s, "VqqN6vgjbSBcIijNcacQGg");
    free(s);

    /* And Z itself from Alice's private key and Bob's JWK as the broker reads it. */
    json_t *jwk = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "alg",
                            "ECDH-ES+A256KW", "x", bob_x, "y", bob_y);
    struct kbs_tee_key bob;
    char why[128];
    CHECK_EQ_INT(kbs_tee_key_parse(jwk, &bob, why, sizeof(why)), 0);
    EVP_PKEY *alice = alice_key();
    CHECK(alice != NULL);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, alice, NULL);
    uint8_t z[32];
    size_t zl = sizeof(z);
    CHECK(EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, bob.pkey) == 1 &&
          EVP_PKEY_derive(ctx, z, &zl) == 1);
    CHECK(zl == 32 && memcmp(z, rfc_z, 32) == 0);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(alice);
    kbs_tee_key_clear(&bob);
    json_decref(jwk);
}

static void check_jwk_refused(json_t *jwk, const char *why_prefix)
{
    struct kbs_tee_key k;
    char why[256] = "";
    CHECK_EQ_INT(kbs_tee_key_parse(jwk, &k, why, sizeof(why)), -1);
    if (!starts_with(why, why_prefix))
        fprintf(stderr, "  why: %s (expected %s...)\n", why, why_prefix);
    CHECK(starts_with(why, why_prefix));
    CHECK(k.pkey == NULL && k.jwk == NULL);
    json_decref(jwk);
}

static void test_jwk_refusals(void)
{
    EVP_PKEY *small = EVP_RSA_gen(1024), *rsa = EVP_RSA_gen(2048);
    json_t *j = kbs_jwk_public(small, "RSA-OAEP-256");
    check_jwk_refused(j, "an RSA modulus of 1024 bits is refused");
    check_jwk_refused(kbs_jwk_public(rsa, "RSA1_5"), "RSA key algorithm 'RSA1_5' is refused");
    check_jwk_refused(kbs_jwk_public(rsa, "RSA-OAEP"), "RSA key algorithm 'RSA-OAEP' is refused");
    check_jwk_refused(kbs_jwk_public(rsa, NULL), "has no \"alg\" string");
    /* Bob's point with y changed: not on P-256. */
    check_jwk_refused(json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "alg",
                                "ECDH-ES+A256KW", "x", bob_x, "y", alice_y),
                      "is not a point on P-256");
    check_jwk_refused(json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-192", "alg",
                                "ECDH-ES+A256KW", "x", bob_x, "y", bob_y),
                      "curve 'P-192' is not supported");
    check_jwk_refused(json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-384", "alg",
                                "ECDH-ES+A256KW", "x", bob_x, "y", bob_y),
                      "coordinates of a P-384 point must be 48 bytes each");
    check_jwk_refused(json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "alg",
                                "ECDH-ES", "x", bob_x, "y", bob_y),
                      "EC key algorithm 'ECDH-ES' is refused");
    check_jwk_refused(json_pack("{s:s, s:s, s:s}", "kty", "oct", "alg", "A256KW", "k", "AAAA"),
                      "key type 'oct' is not supported");
    check_jwk_refused(json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "alg",
                                "ECDH-ES+A256KW", "x", "not base64!", "y", bob_y),
                      "\"x\" is not base64url");
    /* Members past those kbs-types defines are dropped from the hashed copy. */
    json_t *extra = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "alg",
                              "ECDH-ES+A256KW", "x", bob_x, "y", bob_y, "kid", "mine");
    struct kbs_tee_key k;
    char why[128];
    CHECK_EQ_INT(kbs_tee_key_parse(extra, &k, why, sizeof(why)), 0);
    CHECK_EQ_INT(json_object_size(k.jwk), 5);
    CHECK(json_object_get(k.jwk, "kid") == NULL);
    kbs_tee_key_clear(&k);
    json_decref(extra);
    EVP_PKEY_free(small);
    EVP_PKEY_free(rsa);
}

/* Encrypts to a fresh key of each kind and decrypts; then changes a byte. */
static void test_jwe_round_trips(void)
{
    static const struct {
        const char *gen, *alg, *protected_prefix;
    } kinds[] = {
        {"P-256", "ECDH-ES+A256KW",
         "{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":"
         "\"EC\","
         "\"x\":\""},
        {"P-384", "ECDH-ES+A256KW",
         "{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-384\""},
        {"P-521", "ECDH-ES+A256KW",
         "{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-521\""},
        {"RSA", "RSA-OAEP-256", "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}"},
    };
    uint8_t msg[100];
    RAND_bytes(msg, sizeof(msg));
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        EVP_PKEY *priv =
            strcmp(kinds[i].gen, "RSA") == 0 ? EVP_RSA_gen(2048) : EVP_EC_gen(kinds[i].gen);
        EVP_PKEY *other =
            strcmp(kinds[i].gen, "RSA") == 0 ? EVP_RSA_gen(2048) : EVP_EC_gen(kinds[i].gen);
        json_t *jwk = kbs_jwk_public(priv, kinds[i].alg);
        struct kbs_tee_key k;
        char why[256];
        CHECK_EQ_INT(kbs_tee_key_parse(jwk, &k, why, sizeof(why)), 0);
        char *jwe = kbs_jwe_encrypt(&k, msg, sizeof(msg), why, sizeof(why));
        CHECK(jwe != NULL);
        if (jwe == NULL) {
            fprintf(stderr, "  %s: %s\n", kinds[i].gen, why);
            continue;
        }
        /* kbs-types' Response: exactly these members, the header as documented. */
        json_t *o = json_loads(jwe, 0, NULL);
        CHECK_EQ_INT(json_object_size(o), 5);
        const char *const members[] = {"protected", "encrypted_key", "iv", "ciphertext", "tag"};
        for (size_t m = 0; m < 5; m++)
            CHECK(json_is_string(json_object_get(o, members[m])));
        const char *prot = json_string_value(json_object_get(o, "protected"));
        size_t hl = 0;
        uint8_t *hdr = b64u(prot, &hl);
        char *hdr_text = strndup((const char *)hdr, hl);
        if (!starts_with(hdr_text, kinds[i].protected_prefix))
            fprintf(stderr, "  header %s\n", hdr_text);
        CHECK(starts_with(hdr_text, kinds[i].protected_prefix));
        free(hdr_text);
        free(hdr);
        json_decref(o);

        uint8_t *out = NULL;
        size_t out_len = 0;
        CHECK_EQ_INT(kbs_jwe_decrypt(priv, jwe, strlen(jwe), &out, &out_len, why, sizeof(why)), 0);
        CHECK(out != NULL && out_len == sizeof(msg) && memcmp(out, msg, sizeof(msg)) == 0);
        free(out);
        CHECK_EQ_INT(kbs_jwe_decrypt(other, jwe, strlen(jwe), &out, &out_len, why, sizeof(why)),
                     -1);
        /* Change one character of the ciphertext, then of the protected header. */
        for (const char *member = "\"ciphertext\":\""; member;
             member = strcmp(member, "\"protected\":\"") ? "\"protected\":\"" : NULL) {
            char *bad = strdup(jwe);
            char *p = strstr(bad, member) + strlen(member) + 3;
            *p = *p == 'A' ? 'B' : 'A';
            CHECK_EQ_INT(kbs_jwe_decrypt(priv, bad, strlen(bad), &out, &out_len, why, sizeof(why)),
                         -1);
            free(bad);
        }
        free(jwe);
        kbs_tee_key_clear(&k);
        json_decref(jwk);
        EVP_PKEY_free(priv);
        EVP_PKEY_free(other);
    }
    /* An empty resource encrypts too. */
    EVP_PKEY *priv = EVP_EC_gen("P-256");
    json_t *jwk = kbs_jwk_public(priv, "ECDH-ES+A256KW");
    struct kbs_tee_key k;
    char why[128];
    CHECK_EQ_INT(kbs_tee_key_parse(jwk, &k, why, sizeof(why)), 0);
    char *jwe = kbs_jwe_encrypt(&k, (const uint8_t *)"", 0, why, sizeof(why));
    uint8_t *out = NULL;
    size_t out_len = 9;
    CHECK(jwe != NULL &&
          kbs_jwe_decrypt(priv, jwe, strlen(jwe), &out, &out_len, why, sizeof(why)) == 0);
    CHECK_EQ_INT(out_len, 0);
    free(out);
    free(jwe);
    kbs_tee_key_clear(&k);
    json_decref(jwk);
    EVP_PKEY_free(priv);
}

/* ---- the policy ---- */

static struct kbs_policy *policy_text(const char *text, char *err, size_t err_size)
{
    return kbs_policy_parse(text, strlen(text), "p.json", tmpdir, err, err_size);
}

static void check_policy_error(const char *text, const char *expect)
{
    char err[512] = "";
    struct kbs_policy *p = policy_text(text, err, sizeof(err));
    CHECK(p == NULL);
    if (strstr(err, expect) == NULL)
        fprintf(stderr, "  error: %s\n  expected: ...%s...\n", err, expect);
    CHECK(strstr(err, expect) != NULL);
    kbs_policy_free(p);
}

static void test_policy_file(void)
{
    char err[512], good[97], spec[97];
    CHECK(policy != NULL);
    CHECK(policy->trust_amd);
    CHECK_EQ_INT(sk_X509_num(policy->roots), 1);
    CHECK_EQ_INT(policy->defaults.ndigests, 1);
    CHECK_EQ_INT(policy->nresources, 1);
    /* default/key/special has its own digests and inherits the minimum TCB. */
    struct kbs_rule r = kbs_policy_rule_for(policy, "default/key/special");
    CHECK_EQ_INT(r.ndigests, 1);
    CHECK_EQ_INT(r.digests[0][0], MEAS_SPECIAL);
    CHECK(r.has_min_tcb && r.min_tcb.snp == 22);
    r = kbs_policy_rule_for(policy, "default/key/db");
    CHECK_EQ_INT(r.digests[0][0], MEAS_GOOD);

    uint8_t m[48];
    memset(m, MEAS_GOOD, sizeof(m));
    CHECK_EQ_INT(kbs_rule_check(&r, m, snp_tcb_encode(test_tcb), err, sizeof(err)), 0);
    struct snp_tcb low = test_tcb;
    low.snp = 21;
    CHECK_EQ_INT(kbs_rule_check(&r, m, snp_tcb_encode(low), err, sizeof(err)), -1);
    CHECK_STREQ(err, "reported_tcb snp=21 is below the policy's minimum 22");
    CHECK_EQ_INT(kbs_policy_admits(policy, m, snp_tcb_encode(low), err, sizeof(err)), -1);
    CHECK_STREQ(err, "reported_tcb snp=21 is below the policy's minimum 22");
    memset(m, MEAS_SPECIAL, sizeof(m));
    CHECK_EQ_INT(kbs_policy_admits(policy, m, snp_tcb_encode(test_tcb), err, sizeof(err)), 0);
    memset(m, MEAS_BAD, sizeof(m));
    CHECK_EQ_INT(kbs_policy_admits(policy, m, snp_tcb_encode(test_tcb), err, sizeof(err)), -1);
    CHECK(starts_with(err, "measurement 666666"));
    CHECK(strstr(err, " not allowed by policy") != NULL);

    digest_hex(MEAS_GOOD, good);
    digest_hex(MEAS_SPECIAL, spec);
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"launch_digests\": [], \"trusted_roots\": [], \"vmpl\": \"any\", \"allow_debug\": "
             "true, \"resources\": {\"a/b/c\": {\"min_tcb\": {\"microcode\": 200}}, \"a/b/d\": "
             "{\"launch_digests\": [\"%s\", \"%s\"]}}}",
             good, spec);
    struct kbs_policy *p = policy_text(text, err, sizeof(err));
    CHECK(p != NULL);
    if (p != NULL) {
        CHECK(!p->trust_amd && p->any_vmpl && p->allow_debug && p->roots == NULL);
        r = kbs_policy_rule_for(p, "a/b/c");
        CHECK(r.ndigests == 0 && r.has_min_tcb && r.min_tcb.microcode == 200);
        r = kbs_policy_rule_for(p, "a/b/d");
        CHECK(r.ndigests == 2 && !r.has_min_tcb);
        /* It trusts no root at all: no broker can run on it. */
        struct kbs_config cfg = {.policy = p, .resources_dir = resources_path};
        CHECK(kbs_broker_new(&cfg, err, sizeof(err)) == NULL);
        CHECK(starts_with(err, "the policy trusts no root"));
        X509_up_ref(trusted.ark);
        CHECK_EQ_INT(kbs_policy_add_root(p, trusted.ark), 0);
        X509_free(trusted.ark);
        struct kbs_broker *b = kbs_broker_new(&cfg, err, sizeof(err));
        CHECK(b != NULL);
        kbs_broker_free(b);
    }
    kbs_policy_free(p);

    check_policy_error("{}", "\"launch_digests\" is required");
    check_policy_error("{\"launch_digests\": [], \"debug\": true}",
                       "p.json: unknown key \"debug\"");
    check_policy_error("{\"launch_digests\": [\"abcd\"]}", "\"launch_digests\"[0] must be a string "
                                                           "of 96 hex digits");
    check_policy_error("{\"launch_digests\": [], \"min_tcb\": {\"ucode\": 1}}",
                       "\"min_tcb\": unknown key \"ucode\"");
    check_policy_error("{\"launch_digests\": [], \"min_tcb\": {\"snp\": 256}}",
                       "\"snp\" must be an integer from 0 to 255");
    check_policy_error("{\"launch_digests\": [], \"vmpl\": 4}", "\"vmpl\" must be 0, 1, 2, 3");
    check_policy_error("{\"launch_digests\": [], \"resources\": {\"a/../b\": {}}}",
                       "\"resources\": \"a/../b\": a path component may not start with '.'");
    check_policy_error("{\"launch_digests\": [], \"resources\": {\"a/b\": {}}}",
                       "\"resources\": \"a/b\": not of the form <repository>/<type>/<tag>");
    check_policy_error("{\"launch_digests\": [], \"resources\": {\"a/b/..\": {}}}",
                       "may not start with '.'");
    check_policy_error("{\"launch_digests\": [], \"resources\": {\"a/b/c\": {\"tcb\": 1}}}",
                       "\"resources\": \"a/b/c\": unknown key \"tcb\"");
    check_policy_error("{\"launch_digests\": [], \"trusted_roots\": [\"nope.pem\"]}",
                       "\"trusted_roots\"[0]: ");
    check_policy_error("{\"launch_digests\": [], \"trusted_roots\": [\"policy.json\"]}",
                       "no PEM certificate");
    check_policy_error("{\"launch_digests\": [],", "line 1 column");
    check_policy_error("{\"launch_digests\": [], \"launch_digests\": []}", "duplicate");
}

static int parse_path(const char *path, char *id, char *err, size_t err_size)
{
    return kbs_parse_resource_path(path, strlen(path), id, err, err_size);
}

static void test_resource_paths(void)
{
    char id[KBS_RESOURCE_ID_MAX], why[128];
    CHECK_EQ_INT(parse_path("/kbs/v0/resource/default/key/db", id, why, sizeof(why)), 0);
    CHECK_STREQ(id, "default/key/db");
    CHECK_EQ_INT(parse_path("/kbs/v0/resource/a-b/c_d/e.f", id, why, sizeof(why)), 0);
    static const char *const bad[] = {
        "/kbs/v0/resource/default/../db",  "/kbs/v0/resource/../key/db",
        "/kbs/v0/resource/default/key/..", "/kbs/v0/resource/default/key/.",
        "/kbs/v0/resource/default//db",    "/kbs/v0/resource/default/key/db/",
        "/kbs/v0/resource/default/key",    "/kbs/v0/resource/a/b/c/d",
        "/kbs/v0/resource/a/b/c%2e",       "/kbs/v0/resource/a/b/c d",
        "/kbs/v0/resource/a/b/.hidden",    "/kbs/v0/resource/",
        "/kbs/v0/resources/a/b/c",         "/kbs/v0/resource/a/b/%63",
        "/kbs/v0/resource/a/b/c%00",       "/kbs/v0/resource/a%2fb/c",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = parse_path(bad[i], id, why, sizeof(why));
        if (rc != -1)
            fprintf(stderr, "  accepted %s\n", bad[i]);
        CHECK_EQ_INT(rc, -1);
    }
    char longer[200];
    snprintf(longer, sizeof(longer), "/kbs/v0/resource/a/b/%065d", 0);
    CHECK_EQ_INT(parse_path(longer, id, why, sizeof(why)), -1);

    /* Decoded paths: a NUL anywhere is refused by name, not taken for the end. */
    static const char with_nul[] = "/kbs/v0/resource/default/key/db\0x";
    CHECK_EQ_INT(kbs_parse_resource_path(with_nul, sizeof(with_nul) - 1, id, why, sizeof(why)), -1);
    CHECK_STREQ(why, "bad resource path: it holds a NUL byte");
    static const char nul_last[] = "/kbs/v0/resource/default/key/db\0";
    CHECK_EQ_INT(kbs_parse_resource_path(nul_last, sizeof(nul_last) - 1, id, why, sizeof(why)), -1);
    CHECK_STREQ(why, "bad resource path: it holds a NUL byte");
    CHECK_EQ_INT(parse_path("/kbs/v0/resource/default/key/%64b", id, why, sizeof(why)), -1);
    CHECK_STREQ(why, "bad resource path: it holds a '%' escape ([A-Za-z0-9._-] needs none, so none "
                     "is decoded)");

    /* Every byte outside the alphabet and '/', in every position of a component. */
    for (int c = 0; c < 256; c++) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (ok || c == '/')
            continue;
        for (size_t at = 0; at < 3; at++) {
            char p[64] = "/kbs/v0/resource/abc/def/ghi";
            size_t len = strlen(p);
            p[len - 3 + at] = (char)c;
            if (kbs_parse_resource_path(p, len, id, why, sizeof(why)) != -1) {
                fprintf(stderr, "  accepted byte 0x%02x at %zu\n", c, at);
                unit_case_failed = 1;
            }
        }
    }
}

static void check_attestation_refused(const char *body, const char *prefix)
{
    struct kbs_attestation a;
    char why[512] = "";
    CHECK_EQ_INT(kbs_parse_attestation(body, strlen(body), &a, why, sizeof(why)), -1);
    if (!starts_with(why, prefix))
        fprintf(stderr, "  why: %s\n  expected: %s...\n", why, prefix);
    CHECK(starts_with(why, prefix));
}

static void test_attestation_payloads(void)
{
    struct workload w;
    workload_init(&w, false);
    uint8_t rd[64] = {0}, report[SNP_REPORT_SIZE];
    make_report(report, rd, MEAS_GOOD, POLICY_NORMAL, &trusted);
    char *good = attestation("bm9uY2U=", w.jwk, report, &trusted);
    struct kbs_attestation a;
    char why[512];
    CHECK_EQ_INT(kbs_parse_attestation(good, strlen(good), &a, why, sizeof(why)), 0);
    CHECK_STREQ(a.nonce, "bm9uY2U=");
    CHECK(memcmp(a.report, report, sizeof(report)) == 0);
    CHECK(a.vcek != NULL && sk_X509_num(a.chain) == 2);
    kbs_attestation_clear(&a);

    /* serde's form of Vec<u8> for the certificates: arrays of byte values. */
    json_t *o = json_loads(good, 0, NULL);
    json_t *chain = json_object_get(
        json_object_get(json_object_get(o, "tee-evidence"), "primary_evidence"), "cert_chain");
    unsigned char *der = NULL;
    int der_len = i2d_X509(trusted.vcek, &der);
    json_t *bytes = json_array();
    for (int i = 0; i < der_len; i++)
        json_array_append_new(bytes, json_integer(der[i]));
    OPENSSL_free(der);
    json_object_set_new(json_array_get(chain, 0), "data", bytes);
    json_array_append_new(chain, json_pack("{s:s, s:s}", "cert_type", "CRL", "data", "AA=="));
    char *text = json_dumps(o, JSON_COMPACT);
    CHECK_EQ_INT(kbs_parse_attestation(text, strlen(text), &a, why, sizeof(why)), 0);
    CHECK(a.vcek != NULL && X509_cmp(a.vcek, trusted.vcek) == 0);
    kbs_attestation_clear(&a);
    free(text);

    json_object_set_new(json_array_get(chain, 0), "cert_type", json_string("VLEK"));
    text = json_dumps(o, JSON_COMPACT);
    check_attestation_refused(text, "cert_type 'VLEK' is not supported");
    free(text);
    json_decref(o);

    /* The brief, older form (tee-pubkey and tee-evidence at the top) is protocol 0.1. */
    check_attestation_refused("{\"tee-pubkey\": {}, \"tee-evidence\": \"{}\"}",
                              "malformed request: \"runtime-data\" and \"tee-evidence\" must be "
                              "objects (KBS protocol 0.4.0)");
    check_attestation_refused("[]", "malformed request: not a JSON object");
    check_attestation_refused("{\"runtime-data\"", "malformed request: not JSON");
    check_attestation_refused("{\"init-data\": {\"format\": \"toml\", \"body\": \"\"}}",
                              "init-data is not supported");
    check_attestation_refused("{\"runtime-data\": {\"nonce\": \"n\", \"tee-pubkey\": {}}, "
                              "\"tee-evidence\": {\"primary_evidence\": {}, "
                              "\"additional_evidence\": \"{\\\"tdx\\\": 1}\"}}",
                              "additional evidence (other TEE devices) is not supported");
    check_attestation_refused("{\"runtime-data\": {\"nonce\": \"n\", \"tee-pubkey\": {}}, "
                              "\"tee-evidence\": {\"primary_evidence\": {}, "
                              "\"additional_evidence\": \"\"}}",
                              "tee-pubkey has no \"kty\" string");
    char *jwk = json_dumps(w.jwk, JSON_COMPACT), body[1024];
    snprintf(body, sizeof(body),
             "{\"runtime-data\": {\"nonce\": \"n\", \"tee-pubkey\": %s}, \"tee-evidence\": "
             "{\"primary_evidence\": {\"attestation_report\": \"AAAA\"}, \"additional_evidence\": "
             "\"\"}}",
             jwk);
    check_attestation_refused(body, "malformed request: attestation_report is not base64 of 1184");
    free(jwk);
    free(good);
    workload_free(&w);
}

/* ---- the protocol over HTTP ---- */

/* Whether the bytes of secret, or a base64/hex spelling of them, appear in the wire log. */
static bool wire_holds(const uint8_t *s, size_t n)
{
    char *b64 = kbs_b64_encode(s, n), *b64u = kbs_b64url_encode(s, n), hx[2 * 64 + 1];
    hex_encode(s, n, hx);
    /* Drop the padding and last character: they depend on what follows in a stream. */
    b64[strlen(b64) - 3] = '\0';
    b64u[strlen(b64u) - 2] = '\0';
    bool found = memmem(wire, wire_len, s, n) || memmem(wire, wire_len, b64, strlen(b64)) ||
                 memmem(wire, wire_len, b64u, strlen(b64u)) ||
                 memmem(wire, wire_len, hx, strlen(hx));
    free(b64);
    free(b64u);
    return found;
}

static void full_flow(bool rsa)
{
    struct workload w;
    workload_init(&w, rsa);
    free(wire);
    wire = NULL;
    wire_len = 0;
    recording = true;

    CHECK_EQ_INT(auth(&w), 200);
    CHECK(log_is("POST /kbs/v0/auth 200 challenged: session "));
    CHECK_EQ_INT(strlen(w.cookie), KBS_SESSION_ID_LEN);
    size_t nl = 0;
    uint8_t *n = kbs_b64_decode(w.nonce, strlen(w.nonce), KBS_B64_ANY, &nl);
    CHECK(n != NULL && nl == 32);
    free(n);

    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_NORMAL, &trusted, NULL), 200);
    CHECK(log_is("POST /kbs/v0/attest 200 attested: session "));
    CHECK(strstr(last_log(), ", measurement 4d4d4d4d") != NULL);
    CHECK(strstr(last_log(), ", signed under extra root ARK-Test") != NULL);

    uint8_t *plain = NULL;
    size_t plain_len = 0;
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db", &plain, &plain_len), 200);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db 200 released default/key/db (32 bytes)"));
    CHECK(plain != NULL && plain_len == sizeof(secret) &&
          memcmp(plain, secret, sizeof(secret)) == 0);
    free(plain);
    /* The session stays good for more resources; this one is not for this measurement. */
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/special", NULL, NULL), 403);
    CHECK(log_is("GET /kbs/v0/resource/default/key/special 403 refused: default/key/special: "
                 "measurement 4d4d"));

    recording = false;
    CHECK(wire_len > 1000);
    CHECK(!wire_holds(secret, sizeof(secret)));
    CHECK(!wire_holds(special, sizeof(special)));

    /* The whole log line: time, client, method and path, status, decision. */
    char whole[1024];
    last_log_whole(whole, sizeof(whole));
    int y, mo, d, h, mi, s;
    char client[64];
    CHECK(sscanf(whole, "%4d-%2d-%2dT%2d:%2d:%2dZ %63s GET ", &y, &mo, &d, &h, &mi, &s, client) ==
          7);
    CHECK(starts_with(client, "127.0.0.1:"));
    workload_free(&w);
}

static void test_flow_ec(void)
{
    full_flow(false);
}

static void test_flow_rsa(void)
{
    full_flow(true);
}

static void test_refused_measurement(void)
{
    struct workload w;
    workload_init(&w, false);
    CHECK_EQ_INT(auth(&w), 200);
    CHECK_EQ_INT(attest_with(&w, MEAS_BAD, POLICY_NORMAL, &trusted, NULL), 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: report: measurement "
                 "666666666666666666666666666666666666666666666666666666666666666666666666666666666"
                 "666666666666666 not allowed by policy"));
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db", NULL, NULL), 401);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db 401 refused: session "));
    CHECK(strstr(last_log(), " is not attested") != NULL);
    workload_free(&w);
}

static void test_refused_replay(void)
{
    struct workload w;
    workload_init(&w, false);
    char *old = NULL;
    CHECK_EQ_INT(auth(&w), 200);
    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_NORMAL, &trusted, &old), 200);
    struct http_resp r;
    /* The same attestation again, in the same session... */
    CHECK(http("POST", "/kbs/v0/attest", w.cookie, old, strlen(old), &r) == 0 && r.status == 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: nonce already used"));
    http_free(&r);
    /* ...and in a new one, whose challenge it does not answer. */
    CHECK_EQ_INT(auth(&w), 200);
    CHECK(http("POST", "/kbs/v0/attest", w.cookie, old, strlen(old), &r) == 0 && r.status == 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: nonce already used"));
    json_t *e = json_loads(r.body, 0, NULL);
    CHECK_STREQ(json_string_value(json_object_get(e, "type")) ?: "",
                "https://github.com/confidential-containers/kbs/errors/AttestationError");
    CHECK_STREQ(json_string_value(json_object_get(e, "detail")) ?: "", "nonce already used");
    json_decref(e);
    http_free(&r);
    /* That spent the new session's nonce as well. */
    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_NORMAL, &trusted, NULL), 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: nonce already used"));
    /* A nonce never handed out, or another live session's, is a mismatch. */
    struct workload w2;
    workload_init(&w2, false);
    CHECK_EQ_INT(auth(&w2), 200);
    snprintf(w2.nonce, sizeof(w2.nonce), "%s", "AAAA");
    CHECK_EQ_INT(attest_with(&w2, MEAS_GOOD, POLICY_NORMAL, &trusted, NULL), 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: nonce does not match this session's challenge"));
    free(old);
    workload_free(&w);
    workload_free(&w2);
}

static void test_refused_untrusted_chip(void)
{
    struct workload w;
    workload_init(&w, false);
    CHECK_EQ_INT(auth(&w), 200);
    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_NORMAL, &untrusted, NULL), 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: report: certificate chain: the ARK 'ARK-Other' "
                 "is not a trusted root"));
    workload_free(&w);
}

static void test_refused_debug(void)
{
    struct workload w;
    workload_init(&w, false);
    CHECK_EQ_INT(auth(&w), 200);
    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_DEBUG, &trusted, NULL), 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: report: policy: the guest policy 0xb0000 allows "
                 "debugging"));
    workload_free(&w);
}

static void test_refused_unbound_key(void)
{
    /* The report binds the nonce with another key than the one sent. */
    struct workload w, thief;
    workload_init(&w, false);
    workload_init(&thief, false);
    CHECK_EQ_INT(auth(&thief), 200);
    uint8_t rd[64], report[SNP_REPORT_SIZE];
    binding(thief.nonce, w.jwk, rd);
    make_report(report, rd, MEAS_GOOD, POLICY_NORMAL, &trusted);
    char *body = attestation(thief.nonce, thief.jwk, report, &trusted);
    struct http_resp r;
    CHECK(http("POST", "/kbs/v0/attest", thief.cookie, body, strlen(body), &r) == 0 &&
          r.status == 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: report: report data does not bind this "
                 "session's nonce and tee-pubkey"));
    http_free(&r);
    free(body);
    workload_free(&w);
    workload_free(&thief);
}

static void test_refused_before_attesting(void)
{
    struct workload w;
    workload_init(&w, false);
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db", NULL, NULL), 401);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db 401 refused: no session cookie"));
    CHECK_EQ_INT(auth(&w), 200);
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db", NULL, NULL), 401);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db 401 refused: session "));
    snprintf(w.cookie, sizeof(w.cookie), "%s", "0123456789abcdef0123456789abcdef");
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db", NULL, NULL), 401);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db 401 refused: unknown or expired session"));
    workload_free(&w);
}

static void test_refused_paths(void)
{
    struct workload w;
    workload_init(&w, false);
    CHECK_EQ_INT(auth(&w), 200);
    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_NORMAL, &trusted, NULL), 200);
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/../db", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/resource/default/../db 404 refused: bad resource path: "));
    /* Percent-encoded dots are not decoded into a path that could pass: refused as escapes. */
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/%2e%2e/db", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/resource/default/%2e%2e/db 404 refused: bad resource path: it holds "
                 "a '%' escape ([A-Za-z0-9._-] needs none, so none is decoded)"));
    CHECK_EQ_INT(
        get_resource(&w, "/kbs/v0/resource/default/key%2f..%2f..%2fpolicy.json", NULL, NULL), 404);
    CHECK(strstr(last_log(), "404 refused: bad resource path: ") != NULL);
    /* A NUL decoded from %00 must not cut the path short: db%00x is not db. */
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db%00x", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db%00x 404 refused: bad resource path: it "
                 "holds a '%' escape"));
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db%00", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db%00 404 refused: bad resource path: it "
                 "holds a '%' escape"));
    /* Nor does an escaped character of the alphabet stand for itself. */
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/%64b", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/resource/default/key/%64b 404 refused: bad resource path: it "
                 "holds a '%' escape"));
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/none", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/resource/default/key/none 404 refused: no resource "
                 "default/key/none"));
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/link", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/resource/default/key/link 404 refused: no resource "
                 "default/key/link (a symbolic link)"));
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/other", NULL, NULL), 404);
    CHECK(log_is("GET /kbs/v0/other 404 refused: no such endpoint"));
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/auth", NULL, NULL), 405);
    CHECK(log_is("GET /kbs/v0/auth 405 refused: /kbs/v0/auth needs POST"));
    workload_free(&w);
}

static void test_refused_malformed(void)
{
    struct http_resp r;
    static const char junk[] = "{\"version\": \"0.4.0\", \"tee\":";
    CHECK(http("POST", "/kbs/v0/auth", NULL, junk, strlen(junk), &r) == 0 && r.status == 401);
    CHECK(log_is("POST /kbs/v0/auth 401 refused: malformed request: not JSON (line 1 column"));
    CHECK(r.cookie[0] == '\0');
    http_free(&r);
    static const char old[] = "{\"version\": \"0.1.0\", \"tee\": \"snp\", \"extra-params\": \"\"}";
    CHECK(http("POST", "/kbs/v0/auth", NULL, old, strlen(old), &r) == 0 && r.status == 401);
    CHECK(log_is("POST /kbs/v0/auth 401 refused: protocol version 0.1.0 is not supported (this "
                 "broker speaks 0.4.0)"));
    http_free(&r);
    static const char tdx[] = "{\"version\": \"0.4.0\", \"tee\": \"tdx\"}";
    CHECK(http("POST", "/kbs/v0/auth", NULL, tdx, strlen(tdx), &r) == 0 && r.status == 401);
    CHECK(log_is("POST /kbs/v0/auth 401 refused: tee 'tdx' is not supported"));
    http_free(&r);
    struct workload w;
    workload_init(&w, false);
    CHECK_EQ_INT(auth(&w), 200);
    CHECK(http("POST", "/kbs/v0/attest", w.cookie, "[1,2]", 5, &r) == 0 && r.status == 401);
    CHECK(log_is("POST /kbs/v0/attest 401 refused: malformed request: not a JSON object"));
    http_free(&r);
    /* A malformed body does not spend the nonce: the real attestation still goes through. */
    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_NORMAL, &trusted, NULL), 200);
    workload_free(&w);
}

static void test_per_resource_rule(void)
{
    /* MEAS_SPECIAL is in no default list, only in default/key/special's. */
    struct workload w;
    workload_init(&w, false);
    CHECK_EQ_INT(auth(&w), 200);
    CHECK_EQ_INT(attest_with(&w, MEAS_SPECIAL, POLICY_NORMAL, &trusted, NULL), 200);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/special", &plain, &plain_len), 200);
    CHECK(log_is("GET /kbs/v0/resource/default/key/special 200 released default/key/special (48 "
                 "bytes)"));
    CHECK(plain_len == sizeof(special) && memcmp(plain, special, sizeof(special)) == 0);
    free(plain);
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db", NULL, NULL), 403);
    CHECK(log_is("GET /kbs/v0/resource/default/key/db 403 refused: default/key/db: measurement "
                 "7777"));
    workload_free(&w);
}

static void test_body_limit(void)
{
    size_t n = KBS_DEFAULT_MAX_BODY + 1;
    char *big = malloc(n);
    memset(big, ' ', n);
    struct http_resp r;
    CHECK(http("POST", "/kbs/v0/attest", NULL, big, n, &r) == 0);
    CHECK_EQ_INT(r.status, 413);
    CHECK(log_is("POST /kbs/v0/attest 413 refused: body larger than 65536 bytes"));
    http_free(&r);
    free(big);
    /* Just below the limit is read, and refused for what it is. */
    n = KBS_DEFAULT_MAX_BODY;
    big = malloc(n);
    memset(big, ' ', n);
    CHECK(http("POST", "/kbs/v0/auth", NULL, big, n, &r) == 0);
    CHECK_EQ_INT(r.status, 401);
    CHECK(log_is("POST /kbs/v0/auth 401 refused: malformed request: not JSON"));
    http_free(&r);
    free(big);
}

static int open_fds(void)
{
    char path[64];
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        n += access(path, F_OK) == 0;
    }
    return n;
}

/* A second server: the address in use is an error; stopping closes every socket. */
static void test_server_start_stop(void)
{
    char err[256], addr[32];
    snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
    struct kbs_server_config scfg = {.listen = addr, .broker = broker, .log = capture_log};
    CHECK(kbs_server_start(&scfg, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "cannot listen on 127.0.0.1:") != NULL);
    CHECK(strstr(err, "Address already in use") != NULL);
    scfg.listen = "localhost:0";
    int before = open_fds();
    struct kbs_server *s = kbs_server_start(&scfg, err, sizeof(err));
    CHECK(s != NULL);
    if (s != NULL) {
        CHECK(kbs_server_port(s) != 0 && kbs_server_port(s) != port);
        CHECK(open_fds() > before);
        kbs_server_stop(s);
    }
    /* at most as many: the suite's other server may close an idle connection meanwhile */
    CHECK(open_fds() <= before);
    scfg.listen = "256.0.0.1:80";
    CHECK(kbs_server_start(&scfg, err, sizeof(err)) == NULL);
    scfg.listen = "127.0.0.1:65536";
    CHECK(kbs_server_start(&scfg, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "is not ADDR:PORT or [ADDR]:PORT") != NULL);
}

/* ---- sessions, without HTTP: a broker with a clock of the test's ---- */

static time_t fake_now;
static time_t fake_clock(void)
{
    return fake_now;
}

static void call(struct kbs_broker *b, const char *method, const char *path, const char *cookie,
                 const char *body, struct kbs_response *res)
{
    struct kbs_request req = {.method = method,
                              .path = path,
                              .path_len = strlen(path),
                              .cookie = cookie,
                              .body = body,
                              .body_len = strlen(body)};
    kbs_handle(b, &req, res);
}

/*
 * Runs auth and attest on b for workload w with a good report: the cookie in cookie, the
 * attest answer in *res (clear it).
 */
static void attest_session(struct kbs_broker *b, struct workload *w,
                           char cookie[KBS_SESSION_ID_LEN + 1], struct kbs_response *res)
{
    static const char req[] = "{\"version\":\"0.4.0\",\"tee\":\"snp\"}";
    char nonce[128];
    call(b, "POST", "/kbs/v0/auth", NULL, req, res);
    snprintf(cookie, KBS_SESSION_ID_LEN + 1, "%.32s",
             res->set_cookie + strlen(KBS_COOKIE_NAME "="));
    json_t *c = json_loads(res->body, 0, NULL);
    snprintf(nonce, sizeof(nonce), "%s", json_string_value(json_object_get(c, "nonce")) ?: "");
    json_decref(c);
    kbs_response_clear(res);
    uint8_t rd[64], report[SNP_REPORT_SIZE];
    binding(nonce, w->jwk, rd);
    make_report(report, rd, MEAS_GOOD, POLICY_NORMAL, &trusted);
    char *body = attestation(nonce, w->jwk, report, &trusted);
    call(b, "POST", "/kbs/v0/attest", cookie, body, res);
    free(body);
}

/* A broker over dir with one session attested by a good report; its cookie in cookie. */
static struct kbs_broker *attested_broker(const char *dir, char cookie[KBS_SESSION_ID_LEN + 1])
{
    char err[256];
    struct kbs_config cfg = {.policy = policy, .resources_dir = dir};
    struct kbs_broker *b = kbs_broker_new(&cfg, err, sizeof(err));
    if (b == NULL) {
        fprintf(stderr, "  %s\n", err);
        return NULL;
    }
    struct workload w;
    struct kbs_response res;
    workload_init(&w, false);
    attest_session(b, &w, cookie, &res);
    CHECK_EQ_INT(res.status, 200);
    kbs_response_clear(&res);
    workload_free(&w);
    return b;
}

static void test_sessions_bounded(void)
{
    static const char req[] = "{\"version\":\"0.4.0\",\"tee\":\"snp\"}";
    char err[256], cookie[KBS_SESSION_ID_LEN + 1];
    struct kbs_config cfg = {.policy = policy,
                             .resources_dir = resources_path,
                             .max_sessions = 2,
                             .session_lifetime = 60,
                             .now = fake_clock};
    fake_now = time(NULL);
    struct kbs_broker *b = kbs_broker_new(&cfg, err, sizeof(err));
    CHECK(b != NULL);
    if (b == NULL)
        return;
    struct kbs_response res;
    call(b, "POST", "/kbs/v0/auth", NULL, req, &res);
    CHECK_EQ_INT(res.status, 200);
    CHECK(starts_with(res.set_cookie, KBS_COOKIE_NAME "="));
    CHECK(strstr(res.set_cookie, "; Max-Age=60") != NULL);
    snprintf(cookie, sizeof(cookie), "%.32s", res.set_cookie + strlen(KBS_COOKIE_NAME "="));
    json_t *c = json_loads(res.body, 0, NULL);
    CHECK_STREQ(json_string_value(json_object_get(c, "extra-params")) ?: "?", "");
    char nonce[128];
    snprintf(nonce, sizeof(nonce), "%s", json_string_value(json_object_get(c, "nonce")) ?: "");
    json_decref(c);
    kbs_response_clear(&res);
    call(b, "POST", "/kbs/v0/auth", NULL, req, &res);
    CHECK_EQ_INT(res.status, 200);
    kbs_response_clear(&res);
    call(b, "POST", "/kbs/v0/auth", NULL, req, &res);
    CHECK_EQ_INT(res.status, 503);
    CHECK_STREQ(res.decision, "refused: too many sessions (2 live; each lasts 60 s)");
    kbs_response_clear(&res);

    /* A minute on, both have expired: the attestation is too late, a new session fits. */
    fake_now += 60;
    struct workload w;
    workload_init(&w, false);
    uint8_t rd[64], report[SNP_REPORT_SIZE];
    binding(nonce, w.jwk, rd);
    make_report(report, rd, MEAS_GOOD, POLICY_NORMAL, &trusted);
    char *body = attestation(nonce, w.jwk, report, &trusted);
    call(b, "POST", "/kbs/v0/attest", cookie, body, &res);
    CHECK_EQ_INT(res.status, 401);
    CHECK_STREQ(res.decision, "refused: unknown or expired session");
    kbs_response_clear(&res);
    call(b, "POST", "/kbs/v0/auth", NULL, req, &res);
    CHECK_EQ_INT(res.status, 200);
    kbs_response_clear(&res);
    free(body);
    workload_free(&w);
    kbs_broker_free(b);
}

/* The token is an ES256 JWT whose signature verifies with the key in its "jwk" claim. */
static void test_token(void)
{
    char err[256], cookie[KBS_SESSION_ID_LEN + 1];
    struct kbs_config cfg = {.policy = policy, .resources_dir = resources_path};
    struct kbs_broker *b = kbs_broker_new(&cfg, err, sizeof(err));
    struct kbs_response res;
    struct workload w;
    workload_init(&w, false);
    attest_session(b, &w, cookie, &res);
    CHECK_EQ_INT(res.status, 200);
    json_t *t = json_loads(res.body, 0, NULL);
    const char *token = json_string_value(json_object_get(t, "token"));
    CHECK(token != NULL);
    if (token != NULL) {
        const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
        CHECK(dot1 && dot2);
        size_t hl, cl, sl;
        uint8_t *h = kbs_b64_decode(token, (size_t)(dot1 - token), KBS_B64_URL, &hl);
        uint8_t *cl_bytes = kbs_b64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), KBS_B64_URL, &cl);
        uint8_t *sig = kbs_b64_decode(dot2 + 1, strlen(dot2 + 1), KBS_B64_URL, &sl);
        CHECK(h && cl_bytes && sig && sl == 64);
        CHECK(hl == strlen("{\"alg\":\"ES256\",\"typ\":\"JWT\"}") &&
              memcmp(h, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", hl) == 0);
        json_t *claims = json_loadb((const char *)cl_bytes, cl, 0, NULL);
        CHECK(json_integer_value(json_object_get(claims, "exp")) >
              json_integer_value(json_object_get(claims, "iat")));
        CHECK(json_equal(json_object_get(claims, "tee-pubkey"), w.jwk));
        char m[97];
        digest_hex(MEAS_GOOD, m);
        CHECK_STREQ(json_string_value(
                        json_object_get(json_object_get(claims, "tcb-status"), "snp.measurement"))
                        ?: "",
                    m);
        /* Verify with the claim's key: r || s to DER, then ECDSA over header.claims. */
        struct kbs_tee_key tk;
        json_t *jwk = json_deep_copy(json_object_get(claims, "jwk"));
        json_object_set_new(jwk, "alg", json_string("ECDH-ES+A256KW")); /* to reuse the parser */
        CHECK_EQ_INT(kbs_tee_key_parse(jwk, &tk, err, sizeof(err)), 0);
        ECDSA_SIG *es = ECDSA_SIG_new();
        ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
        unsigned char *der = NULL;
        int der_len = i2d_ECDSA_SIG(es, &der);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        CHECK(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, tk.pkey) == 1 &&
              EVP_DigestVerify(md, der, (size_t)der_len, (const uint8_t *)token,
                               (size_t)(dot2 - token)) == 1);
        EVP_MD_CTX_free(md);
        OPENSSL_free(der);
        ECDSA_SIG_free(es);
        kbs_tee_key_clear(&tk);
        json_decref(jwk);
        json_decref(claims);
        free(h);
        free(cl_bytes);
        free(sig);
    }
    json_decref(t);
    kbs_response_clear(&res);
    workload_free(&w);
    kbs_broker_free(b);
}

/* ---- symbolic links in and above the resources directory ---- */

static void link_at(const char *target, const char *rel)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", resources_path, rel);
    if (symlink(target, path) != 0) {
        fprintf(stderr, "  symlink %s: %m\n", path);
        unit_case_failed = 1;
    }
}

/*
 * No symbolic link is followed anywhere beneath the resources directory, whether it
 * leads out (to a directory holding x/y, to /) or stays inside, at any of the three
 * depths; the directory itself may be reached through a link, as the operator chose.
 */
static void test_resource_links(void)
{
    char outside[128], path[256], via_link[128], cookie[KBS_SESSION_ID_LEN + 1];
    snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
    mkdir(outside, 0700);
    snprintf(path, sizeof(path), "%s/x", outside);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/x/y", outside);
    write_file(path, "not a resource", 14);
    link_at(outside, "evil");    /* depth 1, out */
    link_at("/", "root");        /* depth 1, to the root */
    link_at("default", "alias"); /* depth 1, inside */
    snprintf(path, sizeof(path), "%s/x", outside);
    link_at(path, "default/out");        /* depth 2, out */
    link_at("key", "default/keys");      /* depth 2, inside */
    link_at("db", "default/key/dblink"); /* depth 3, inside (default/key/link: out) */
    static const char *const linked[] = {
        "evil/x/y",        "root/etc/passwd",  "alias/key/db",       "default/out/y",
        "default/keys/db", "default/key/link", "default/key/dblink",
    };
    struct kbs_broker *b = attested_broker(resources_path, cookie);
    if (b == NULL) {
        unit_case_failed = 1;
        return;
    }
    struct kbs_response res;
    for (size_t i = 0; i < sizeof(linked) / sizeof(linked[0]); i++) {
        snprintf(path, sizeof(path), "/kbs/v0/resource/%s", linked[i]);
        call(b, "GET", path, cookie, "", &res);
        if (res.status != 404 || strstr(res.decision, "(a symbolic link)") == NULL)
            fprintf(stderr, "  GET %s: %d %s\n", linked[i], res.status, res.decision);
        CHECK_EQ_INT(res.status, 404);
        CHECK(strstr(res.decision, "(a symbolic link)") != NULL);
        kbs_response_clear(&res);
    }
    call(b, "GET", "/kbs/v0/resource/default/key/db", cookie, "", &res);
    CHECK_EQ_INT(res.status, 200);
    kbs_response_clear(&res);
    kbs_broker_free(b);

    snprintf(via_link, sizeof(via_link), "%s/resources-link", tmpdir);
    CHECK(symlink(resources_path, via_link) == 0);
    b = attested_broker(via_link, cookie);
    if (b == NULL) {
        unit_case_failed = 1;
        return;
    }
    call(b, "GET", "/kbs/v0/resource/default/key/db", cookie, "", &res);
    CHECK_EQ_INT(res.status, 200);
    CHECK(starts_with(res.decision, "released default/key/db (32 bytes)"));
    kbs_response_clear(&res);
    call(b, "GET", "/kbs/v0/resource/evil/x/y", cookie, "", &res);
    CHECK_EQ_INT(res.status, 404);
    kbs_response_clear(&res);
    kbs_broker_free(b);
}

/* kbs_handle takes the path's length: a NUL inside (a decoded %00) is refused, not an end. */
static void test_nul_in_path(void)
{
    char cookie[KBS_SESSION_ID_LEN + 1];
    struct kbs_broker *b = attested_broker(resources_path, cookie);
    if (b == NULL) {
        unit_case_failed = 1;
        return;
    }
    static const char *const methods[] = {"GET", "GET", "POST"};
    static const char body[] = "{\"version\":\"0.4.0\",\"tee\":\"snp\"}";
    static const char resource[] = "/kbs/v0/resource/default/key/db\0x",
                      resource_end[] = "/kbs/v0/resource/default/key/db\0",
                      auth[] = "/kbs/v0/auth\0/x";
    static const struct {
        const char *path;
        size_t len;
    } paths[] = {{resource, sizeof(resource) - 1},
                 {resource_end, sizeof(resource_end) - 1},
                 {auth, sizeof(auth) - 1}};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct kbs_request req = {.method = methods[i],
                                  .path = paths[i].path,
                                  .path_len = paths[i].len,
                                  .cookie = cookie,
                                  .body = body,
                                  .body_len = strlen(body)};
        struct kbs_response res;
        kbs_handle(b, &req, &res);
        CHECK_EQ_INT(res.status, 404);
        CHECK_STREQ(res.decision, "refused: the path holds a NUL byte");
        kbs_response_clear(&res);
    }
    kbs_broker_free(b);
}

/* ---- the command ---- */

static int run_cli_quiet(char **argv, int argc, char *err, size_t err_size)
{
    FILE *fe = tmpfile();
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(fe), 2);
    int rc = cmd_kbs(argc, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(fe);
    size_t n = fread(err, 1, err_size - 1, fe);
    err[n] = '\0';
    fclose(fe);
    return rc;
}

static void test_cli_errors(void)
{
    char err[4096], bad_policy[160];
    char *a1[] = {"kbs", NULL};
    CHECK_EQ_INT(run_cli_quiet(a1, 1, err, sizeof(err)), 2);
    CHECK(starts_with(err, "cloister: kbs: --policy is required\nusage: cloister kbs"));
    char *a2[] = {"kbs", "--policy", policy_path, "--resources", resources_path, "--bogus", NULL};
    CHECK_EQ_INT(run_cli_quiet(a2, 6, err, sizeof(err)), 2);
    CHECK(starts_with(err, "cloister: kbs: unknown option '--bogus'"));
    char *a3[] = {"kbs",          "--policy",           policy_path, "--resources",
                  resources_path, "--session-lifetime", "0",         NULL};
    CHECK_EQ_INT(run_cli_quiet(a3, 7, err, sizeof(err)), 2);
    snprintf(bad_policy, sizeof(bad_policy), "%s/bad.json", tmpdir);
    write_file(bad_policy, "{\"launch_digests\": [], \"allow-debug\": 1}", 40);
    char *a4[] = {"kbs", "--policy", bad_policy, "--resources", resources_path, NULL};
    CHECK_EQ_INT(run_cli_quiet(a4, 5, err, sizeof(err)), 1);
    CHECK(strstr(err, "bad.json: unknown key \"allow-debug\"") != NULL);
    char *a5[] = {"kbs", "--policy", policy_path, "--resources", "/nonexistent", NULL};
    CHECK_EQ_INT(run_cli_quiet(a5, 5, err, sizeof(err)), 1);
    CHECK(strstr(err, "cloister: kbs: resources directory /nonexistent: ") != NULL);
    char *a6[] = {"kbs",          "--policy", policy_path, "--resources",
                  resources_path, "--listen", "127.0.0.1", NULL};
    CHECK_EQ_INT(run_cli_quiet(a6, 7, err, sizeof(err)), 1);
    CHECK(strstr(err, "is not ADDR:PORT or [ADDR]:PORT") != NULL);
    char *a7[] = {"kbs",          "--policy", policy_path, "--resources",
                  resources_path, "--trust",  policy_path, NULL};
    CHECK_EQ_INT(run_cli_quiet(a7, 7, err, sizeof(err)), 1);
    CHECK(strstr(err, "no PEM certificate") != NULL);
}

struct cli_thread {
    char **argv;
    int argc, rc;
    char err[4096];
};

static void *cli_main(void *arg)
{
    struct cli_thread *t = arg;
    t->rc = run_cli_quiet(t->argv, t->argc, t->err, sizeof(t->err));
    return NULL;
}

/* The command serves until SIGTERM; here on a port found free, with --trust. */
static void test_cli_serves(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    close(fd);
    char listen_arg[32], policy2[160];
    snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%u", ntohs(sa.sin_port));
    /* A policy trusting no root of its own: the test ARK comes from --trust. */
    char good[97], text[512];
    digest_hex(MEAS_GOOD, good);
    snprintf(text, sizeof(text), "{\"launch_digests\": [\"%s\"], \"trusted_roots\": []}", good);
    snprintf(policy2, sizeof(policy2), "%s/only-trust.json", tmpdir);
    write_file(policy2, text, strlen(text));
    char *argv[] = {"kbs",      "--policy", policy2,   "--resources", resources_path,
                    "--listen", listen_arg, "--trust", ark_path,      NULL};
    struct cli_thread t = {.argv = argv, .argc = 9};
    pthread_t th;
    /* The test's own threads must not take SIGTERM: only the command waits for it. */
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, &old);
    pthread_create(&th, NULL, cli_main, &t);

    unsigned saved_port = port;
    port = ntohs(sa.sin_port);
    struct workload w;
    workload_init(&w, false);
    int status = -1;
    for (int i = 0; i < 200 && status != 200; i++) {
        status = auth(&w);
        if (status != 200)
            usleep(10000);
    }
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_INT(attest_with(&w, MEAS_GOOD, POLICY_NORMAL, &trusted, NULL), 200);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    CHECK_EQ_INT(get_resource(&w, "/kbs/v0/resource/default/key/db", &plain, &plain_len), 200);
    CHECK(plain_len == sizeof(secret) && memcmp(plain, secret, sizeof(secret)) == 0);
    free(plain);
    workload_free(&w);
    port = saved_port;

    pthread_kill(th, SIGTERM);
    pthread_join(th, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    CHECK_EQ_INT(t.rc, 0);
    CHECK(strstr(t.err, "cloister kbs: listening on http://127.0.0.1:") != NULL);
    CHECK(strstr(t.err, "roots: AMD") == NULL);
    CHECK(strstr(t.err, " 200 released default/key/db (32 bytes)") != NULL);
    CHECK(strstr(t.err, "cloister kbs: terminated, stopping") != NULL);
}

/* ---- seeds for tests/fuzz/fuzz_kbs_request.c ---- */

/* A seed of len bytes, NULs included (decoded paths hold them). */
static void write_seed_n(const char *dir, const char *name, uint8_t mode, const char *text,
                         size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return;
    fputc(mode, f);
    fwrite(text, 1, len, f);
    fclose(f);
}

static void write_seed(const char *dir, const char *name, uint8_t mode, const char *text)
{
    write_seed_n(dir, name, mode, text, strlen(text));
}

#define SEED_BYTES(dir, name, mode, lit) write_seed_n(dir, name, mode, lit, sizeof(lit) - 1)

/* Writes one input per fuzzer mode, the attestation a genuine one of the test chain. */
static int seed_corpus(const char *dir)
{
    struct workload w;
    workload_init(&w, false);
    uint8_t rd[64], report[SNP_REPORT_SIZE];
    binding("bm9uY2U=", w.jwk, rd);
    make_report(report, rd, MEAS_GOOD, POLICY_NORMAL, &trusted);
    char *att = attestation("bm9uY2U=", w.jwk, report, &trusted), *req = NULL;
    write_seed(dir, "auth", 0, "{\"version\":\"0.4.0\",\"tee\":\"snp\",\"extra-params\":\"\"}");
    write_seed(dir, "attest", 1, att);
    write_seed(dir, "path", 2, "/kbs/v0/resource/a/b/c");
    SEED_BYTES(dir, "path-nul", 2, "/kbs/v0/resource/a/b/c\0x");
    SEED_BYTES(dir, "path-nul-end", 2, "/kbs/v0/resource/a/b/c\0");
    write_seed(dir, "path-escape", 2, "/kbs/v0/resource/a/b/%63");
    write_seed(dir, "decoded-nul", 6, "/kbs/v0/resource/a/b/c%00x");
    write_seed(dir, "decoded-dots", 6, "/kbs/v0/resource/a/%2e%2e/c");
    write_seed(dir, "decoded-slash", 6, "/kbs/v0/resource/a/b%2fc/d");
    write_seed(dir, "decoded-alphabet", 6, "/kbs/v0/resource/%61/b/c");
    SEED_BYTES(dir, "handle-nul", 4, "\x80/kbs/v0/resource/a/b/c\0x\n");
    SEED_BYTES(dir, "handle-auth-nul", 4,
               "\x01/kbs/v0/auth\0x\n{\"version\":\"0.4.0\",\"tee\":\"snp\"}");
    write_seed(dir, "jcs", 3, "{\"b\":[1,true,null,\"\\u00e9\\n\"],\"a\":{\"\\ud83d\\ude00\":-2}}");
    write_seed(dir, "handle-auth", 4, "\x01/kbs/v0/auth\n{\"version\":\"0.4.0\",\"tee\":\"snp\"}");
    if (asprintf(&req, "\x81/kbs/v0/attest\n%s", att) > 0)
        write_seed(dir, "handle-attest", 4, req);
    write_seed(dir, "handle-resource", 4, "\x80/kbs/v0/resource/a/b/c\n");
    write_seed(dir, "base64", 5, "Zm9vYmFy+/8=");
    free(req);
    free(att);
    workload_free(&w);
    return 0;
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(test_chip); i++)
        test_chip[i] = (uint8_t)(0xc0 ^ i);
    if (make_chain(&trusted, "ARK-Test", "SEV-Test") != 0 ||
        make_chain(&untrusted, "ARK-Other", "SEV-Other") != 0) {
        printf("FAIL setup: cannot make the test chains\n");
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "--seed-corpus") == 0) {
        int rc = seed_corpus(argv[2]);
        free_chain(&trusted);
        free_chain(&untrusted);
        return rc;
    }
    make_files();
    if (start_server() != 0) {
        printf("FAIL setup: cannot start the broker\n");
        return 1;
    }
    RUN(base64);
    RUN(jcs);
    RUN(runtime_data_hash);
    RUN(concat_kdf_rfc7518);
    RUN(jwk_refusals);
    RUN(jwe_round_trips);
    RUN(policy_file);
    RUN(resource_paths);
    RUN(attestation_payloads);
    RUN(flow_ec);
    RUN(flow_rsa);
    RUN(refused_measurement);
    RUN(refused_replay);
    RUN(refused_untrusted_chip);
    RUN(refused_debug);
    RUN(refused_unbound_key);
    RUN(refused_before_attesting);
    RUN(refused_paths);
    RUN(refused_malformed);
    RUN(per_resource_rule);
    RUN(body_limit);
    RUN(server_start_stop);
    RUN(sessions_bounded);
    RUN(token);
    RUN(resource_links);
    RUN(nul_in_path);
    RUN(cli_errors);
    RUN(cli_serves);

    kbs_server_stop(server);
    kbs_broker_free(broker);
    kbs_policy_free(policy);
    remove_files();
    free(wire);
    free_chain(&trusted);
    free_chain(&untrusted);
    UNIT_EXIT();
}
