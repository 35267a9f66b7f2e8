/*
 * Unit tests for SEV-SNP report verification and `cloister verify`: the genuine Milan
 * report must verify, and every tampering with a signed byte, the signature, a
 * certificate or the root must fail, naming the check. Cases that need a report AMD
 * never signed (debug policy, other TCBs, other chips) use a chain made here: an RSA
 * ARK and ASK and a P-384 VCEK with AMD's extensions, trusted as an extra root.
 */
#include "common/hex.h"
#include "verify/amd_roots.h"
#include "verify/snp_verify.h"
#include "unit.h"

/*
 * The command is not part of libcloister (tests link the library's folders, not
 * src/cli), so the test compiles it in to call cmd_verify() directly.
 */
#include "cli/cmd_verify.c"
#include "cli/option_table.c"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#define MEASUREMENT_HEX                                                                            \
    "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd8"  \
    "1841f"

#define WRONG_MEASUREMENT_HEX                                                                      \
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" \
    "ffff"

/* ---- the genuine Milan fixture ---- */

static uint8_t report[SNP_REPORT_SIZE];
static size_t report_len;
static X509 *vcek, *ask, *ark;
static char fixtures[1024], tmpdir[64];

static void fixture_path(char *out, size_t outlen, const char *file)
{
    snprintf(out, outlen, "%s/snp-milan/%s", fixtures, file);
}

static X509 *load_cert(const char *file, bool pem)
{
    char path[1100];
    fixture_path(path, sizeof(path), file);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    X509 *c = pem ? PEM_read_X509(f, NULL, NULL, NULL) : d2i_X509_fp(f, NULL);
    fclose(f);
    return c;
}

static int load_fixture(void)
{
    const char *dir = getenv("CLOISTER_FIXTURES");
    char path[1100];
    snprintf(fixtures, sizeof(fixtures), "%s", dir ? dir : "tests/fixtures");
    fixture_path(path, sizeof(path), "report.bin");
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (set CLOISTER_FIXTURES)\n", path);
        return -1;
    }
    report_len = fread(report, 1, sizeof(report), f);
    fclose(f);
    vcek = load_cert("vcek.der", false);
    ask = load_cert("ask.pem", true);
    ark = load_cert("ark.pem", true);
    return report_len == SNP_REPORT_SIZE && vcek && ask && ark ? 0 : -1;
}

/* A stack holding a and b (either may be NULL), borrowed: free with sk_X509_free. */
static STACK_OF(X509) * stack_of(X509 *a, X509 *b)
{
    STACK_OF(X509) *s = sk_X509_new_null();
    if (a)
        sk_X509_push(s, a);
    if (b)
        sk_X509_push(s, b);
    return s;
}

static enum snp_verify_status verify_bytes(const uint8_t *rep, X509 *cert,
                                           const struct snp_verify_opts *o,
                                           struct snp_verify_result *res)
{
    return snp_verify(rep, SNP_REPORT_SIZE, cert, o, res);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- library: the genuine report ---- */

static void test_genuine_with_builtin_roots(void)
{
    struct snp_verify_result res;
    CHECK_EQ_INT(snp_verify(report, report_len, vcek, NULL, &res), SNP_VERIFY_OK);
    CHECK_STREQ(res.message, "ok");
    CHECK_STREQ(res.root, "AMD ARK-Milan");
    CHECK_STREQ(res.product, "Milan-B0");
    CHECK(res.report_parsed);
    CHECK_EQ_INT(res.report.policy, 0x30000);
}

static void test_genuine_with_chain_any_order(void)
{
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    X509 *orders[][2] = {{ask, ark}, {ark, ask}, {ask, NULL}, {ark, NULL}};
    for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
        o.chain = stack_of(orders[i][0], orders[i][1]);
        CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_OK);
        if (res.status != SNP_VERIFY_OK)
            fprintf(stderr, "  order %zu: %s\n", i, res.message);
        sk_X509_free(o.chain);
    }
}

static void test_builtin_pairs_are_amds(void)
{
    CHECK_EQ_INT(amd_roots_count, 2);
    for (size_t i = 0; i < amd_roots_count; i++) {
        BIO *b1 = BIO_new_mem_buf(amd_roots[i].ark_pem, -1);
        BIO *b2 = BIO_new_mem_buf(amd_roots[i].ask_pem, -1);
        X509 *r = PEM_read_bio_X509(b1, NULL, NULL, NULL);
        X509 *k = PEM_read_bio_X509(b2, NULL, NULL, NULL);
        CHECK(r != NULL && k != NULL);
        if (r && k) {
            CHECK_EQ_INT(X509_verify(r, X509_get0_pubkey(r)), 1);
            CHECK_EQ_INT(X509_verify(k, X509_get0_pubkey(r)), 1);
        }
        /* The ARK's SHA-256 fingerprint, as published for each generation. */
        unsigned char md[32];
        unsigned int mdlen = 0;
        char h[65];
        if (r && X509_digest(r, EVP_sha256(), md, &mdlen) == 1) {
            hex_encode(md, mdlen, h);
            CHECK_STREQ(
                h, i == 0 ? "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"
                          : "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1");
        }
        /* The Milan pair is the one in the fixture. */
        if (i == 0 && r && k) {
            CHECK_EQ_INT(X509_cmp(r, ark), 0);
            CHECK_EQ_INT(X509_cmp(k, ask), 0);
        }
        X509_free(r);
        X509_free(k);
        BIO_free(b1);
        BIO_free(b2);
    }
}

/* Every 16th signed byte, and the first and last, changed one at a time. */
static void test_flipped_signed_bytes_fail(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    int tried = 0;
    for (size_t off = 0; off < SNP_REPORT_SIGNED_SIZE; off += 16) {
        for (size_t k = 0; k < 2; k++) {
            size_t at = k == 0 ? off : off + 15; /* also the last byte of each 16 */
            memcpy(b, report, sizeof(b));
            b[at] ^= 0x01;
            enum snp_verify_status st = verify_bytes(b, vcek, NULL, &res);
            CHECK_EQ_INT(st, SNP_VERIFY_SIGNATURE);
            if (st != SNP_VERIFY_SIGNATURE)
                fprintf(stderr, "  offset 0x%zx: %s\n", at, res.message);
            tried++;
        }
    }
    CHECK_EQ_INT(tried, 2 * SNP_REPORT_SIGNED_SIZE / 16);
    memcpy(b, report, sizeof(b));
    b[SNP_REPORT_SIGNED_SIZE - 1] ^= 0x80;
    CHECK_EQ_INT(verify_bytes(b, vcek, NULL, &res), SNP_VERIFY_SIGNATURE);
    CHECK(starts_with(res.message, "report signature: does not verify"));
}

/* The signature area past r and s is not signed, and not read. */
static void test_unsigned_tail_ignored(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    memcpy(b, report, sizeof(b));
    b[0x330] ^= 0xff;
    b[SNP_REPORT_SIZE - 1] ^= 0xff;
    CHECK_EQ_INT(verify_bytes(b, vcek, NULL, &res), SNP_VERIFY_OK);
}

static void test_changed_r_or_s_fails(void)
{
    static const size_t offs[] = {SNP_REPORT_SIG_R_OFFSET, SNP_REPORT_SIG_R_OFFSET + 47,
                                  SNP_REPORT_SIG_S_OFFSET, SNP_REPORT_SIG_S_OFFSET + 20,
                                  SNP_REPORT_SIG_S_OFFSET + 47};
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        memcpy(b, report, sizeof(b));
        b[offs[i]] ^= 0x04;
        CHECK_EQ_INT(verify_bytes(b, vcek, NULL, &res), SNP_VERIFY_SIGNATURE);
    }
    /* r and s swapped */
    memcpy(b, report, sizeof(b));
    memcpy(b + SNP_REPORT_SIG_R_OFFSET, report + SNP_REPORT_SIG_S_OFFSET, 72);
    memcpy(b + SNP_REPORT_SIG_S_OFFSET, report + SNP_REPORT_SIG_R_OFFSET, 72);
    CHECK_EQ_INT(verify_bytes(b, vcek, NULL, &res), SNP_VERIFY_SIGNATURE);
    /* Padding above the 48-byte scalar must be zero. */
    memcpy(b, report, sizeof(b));
    b[SNP_REPORT_SIG_R_OFFSET + 48] = 1;
    CHECK_EQ_INT(verify_bytes(b, vcek, NULL, &res), SNP_VERIFY_SIGNATURE);
    CHECK_STREQ(res.message, "report signature: r or s has nonzero bytes beyond 48");
    memcpy(b, report, sizeof(b));
    b[SNP_REPORT_SIG_S_OFFSET + 71] = 1;
    CHECK_EQ_INT(verify_bytes(b, vcek, NULL, &res), SNP_VERIFY_SIGNATURE);
    /* An all-zero signature. */
    memcpy(b, report, sizeof(b));
    memset(b + SNP_REPORT_SIG_R_OFFSET, 0, 144);
    CHECK_EQ_INT(verify_bytes(b, vcek, NULL, &res), SNP_VERIFY_SIGNATURE);
}

/* Re-parses the VCEK's DER with one byte changed. */
static X509 *vcek_with_byte(long at, unsigned char xor_mask, long *len_out)
{
    unsigned char *der = NULL;
    int len = i2d_X509(vcek, &der);
    X509 *c = NULL;
    if (len > 0 && at < len) {
        der[at < 0 ? len + at : at] ^= xor_mask;
        const unsigned char *p = der;
        c = d2i_X509(NULL, &p, len);
    }
    if (len_out)
        *len_out = len;
    OPENSSL_free(der);
    return c;
}

static long find_in_vcek(const char *needle, size_t n)
{
    unsigned char *der = NULL;
    int len = i2d_X509(vcek, &der);
    long at = -1;
    for (long i = 0; len > 0 && i + (long)n <= len; i++) {
        if (memcmp(der + i, needle, n) == 0) {
            at = i;
            break;
        }
    }
    OPENSSL_free(der);
    return at;
}

static void test_changed_vcek_fails(void)
{
    struct snp_verify_result res;
    /* A byte of the signature (the last byte of the certificate). */
    X509 *c = vcek_with_byte(-1, 0x01, NULL);
    CHECK(c != NULL);
    CHECK_EQ_INT(verify_bytes(report, c, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message,
                "certificate chain: the VCEK's signature does not verify with the ASK key");
    X509_free(c);

    /* A byte of the TBS: the subject's common name, and a byte of the hwID extension. */
    long at = find_in_vcek("SEV-VCEK", 8);
    CHECK(at > 0);
    c = vcek_with_byte(at + 4, 0x20, NULL);
    CHECK(c != NULL);
    CHECK_EQ_INT(verify_bytes(report, c, NULL, &res), SNP_VERIFY_CHAIN);
    X509_free(c);
    at = find_in_vcek("\xd4\x95\x54\xec", 4);
    CHECK(at > 0);
    c = vcek_with_byte(at + 10, 0x01, NULL);
    CHECK(c != NULL);
    CHECK_EQ_INT(verify_bytes(report, c, NULL, &res), SNP_VERIFY_CHAIN);
    X509_free(c);
}

static void test_changed_ask_fails(void)
{
    unsigned char *der = NULL;
    int len = i2d_X509(ask, &der);
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    der[len - 2] ^= 0x10;
    const unsigned char *p = der;
    X509 *bad = d2i_X509(NULL, &p, len);
    CHECK(bad != NULL);
    o.chain = stack_of(bad, ark);
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message,
                "certificate chain: the ASK's signature does not verify with the ARK key");
    sk_X509_free(o.chain);
    X509_free(bad);
    OPENSSL_free(der);
}

/* ---- a chain of our own, for reports AMD never signed ---- */

enum sig_mode { SIG_AMD_PSS, SIG_PKCS1, SIG_PSS_SALT32, SIG_PSS_SHA256, SIG_PSS_MGF1_SHA256 };

static EVP_PKEY *ark_key, *ask_key, *vcek_key, *other_key;

static int sign_cert(X509 *x, EVP_PKEY *key, enum sig_mode mode)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *h = mode == SIG_PSS_SHA256 ? EVP_sha256() : EVP_sha384();
    int ok = md && EVP_DigestSignInit(md, &pctx, h, NULL, key) == 1;
    if (ok && mode != SIG_PKCS1) {
        ok =
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, mode == SIG_PSS_SALT32 ? 32 : 48) == 1 &&
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mode == SIG_PSS_MGF1_SHA256 ? EVP_sha256() : h) == 1;
    }
    ok = ok && X509_sign_ctx(x, md) > 0;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
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

/* A security patch level the way AMD encodes it: a DER INTEGER inside the value. */
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

static X509 *new_cert(const char *subject, const char *issuer, EVP_PKEY *pub, long serial,
                      long not_before, long not_after)
{
    X509 *x = X509_new();
    X509_NAME *s = X509_NAME_new(), *i = X509_NAME_new();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), not_before);
    X509_gmtime_adj(X509_getm_notAfter(x), not_after);
    X509_NAME_add_entry_by_txt(s, "O", MBSTRING_ASC, (const unsigned char *)"Cloister tests", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(s, "CN", MBSTRING_ASC, (const unsigned char *)subject, -1, -1, 0);
    X509_NAME_add_entry_by_txt(i, "O", MBSTRING_ASC, (const unsigned char *)"Cloister tests", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(i, "CN", MBSTRING_ASC, (const unsigned char *)issuer, -1, -1, 0);
    X509_set_subject_name(x, s);
    X509_set_issuer_name(x, i);
    X509_set_pubkey(x, pub);
    X509_NAME_free(s);
    X509_NAME_free(i);
    return x;
}

static X509 *make_ca(const char *subject, const char *issuer, EVP_PKEY *pub, EVP_PKEY *signer)
{
    X509 *x = new_cert(subject, issuer, pub, 1, -3600, 86400L * 365);
    add_v3(x, NID_basic_constraints, "critical,CA:TRUE");
    add_v3(x, NID_key_usage, "critical,keyCertSign,cRLSign");
    sign_cert(x, signer, SIG_AMD_PSS);
    return x;
}

/* How to make the test VCEK. Zero: AMD's way, for test_tcb and test_chip. */
struct vcek_cfg {
    enum sig_mode mode;
    bool hwid_wrapped; /* hwID as a DER OCTET STRING rather than the 64 raw bytes */
    bool no_ucode;     /* leave out the ucode SPL extension */
    bool two_snp;      /* the snp SPL extension twice */
    long spl_override; /* when nonzero, the snp SPL the certificate claims */
    bool expired;
    EVP_PKEY *key; /* the subject key; NULL: vcek_key */
};

/* TCB and chip of the test chain; ucode 0xd1 needs a two-byte DER INTEGER (02 02 00 d1). */
static const struct snp_tcb test_tcb = {.bootloader = 4, .tee = 1, .snp = 22, .microcode = 0xd1};
static uint8_t test_chip[SNP_CHIP_ID_SIZE];

static X509 *make_vcek(const struct vcek_cfg *cfg)
{
    X509 *x = new_cert("SEV-VCEK", "SEV-Test", cfg->key ? cfg->key : vcek_key, 2,
                       cfg->expired ? -2 * 86400L : -3600, cfg->expired ? -86400L : 86400L);
    add_spl(x, "1.3.6.1.4.1.3704.1.3.1", test_tcb.bootloader);
    add_spl(x, "1.3.6.1.4.1.3704.1.3.2", test_tcb.tee);
    add_spl(x, "1.3.6.1.4.1.3704.1.3.3", cfg->spl_override ? cfg->spl_override : test_tcb.snp);
    if (cfg->two_snp)
        add_spl(x, "1.3.6.1.4.1.3704.1.3.3", test_tcb.snp);
    if (!cfg->no_ucode)
        add_spl(x, "1.3.6.1.4.1.3704.1.3.8", test_tcb.microcode);
    if (cfg->hwid_wrapped) {
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        unsigned char *der = NULL;
        ASN1_OCTET_STRING_set(os, test_chip, sizeof(test_chip));
        int len = i2d_ASN1_OCTET_STRING(os, &der);
        add_ext_der(x, "1.3.6.1.4.1.3704.1.4", der, len);
        OPENSSL_free(der);
        ASN1_OCTET_STRING_free(os);
    } else {
        add_ext_der(x, "1.3.6.1.4.1.3704.1.4", test_chip, sizeof(test_chip));
    }
    static const unsigned char product[] = {0x16, 0x07, 'T', 'e', 's', 't', '-', 'A', '0'};
    add_ext_der(x, "1.3.6.1.4.1.3704.1.2", product, sizeof(product));
    sign_cert(x, ask_key, cfg->mode);
    return x;
}

static X509 *test_ark, *test_ask;

/* A report as the test chip would produce it; signed with key (NULL: vcek_key). */
static void make_report(uint8_t out[SNP_REPORT_SIZE], uint64_t policy,
                        void (*tweak)(struct snp_report *), EVP_PKEY *key)
{
    struct snp_report r;
    memset(&r, 0, sizeof(r));
    r.version = 2;
    r.policy = policy;
    r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
    r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = snp_tcb_encode(test_tcb);
    memcpy(r.chip_id, test_chip, sizeof(r.chip_id));
    memset(r.measurement, 0x4d, sizeof(r.measurement));
    memset(r.report_data, 0x52, sizeof(r.report_data));
    if (tweak)
        tweak(&r);
    snp_report_serialize(&r, out);
    CHECK_EQ_INT(snp_report_sign(out, key ? key : vcek_key), 0);
}

#define POLICY_DEBUG (0x30000 | SNP_POLICY_DEBUG)

static int make_test_chain(void)
{
    ark_key = EVP_RSA_gen(2048);
    ask_key = EVP_RSA_gen(2048);
    other_key = EVP_RSA_gen(2048);
    vcek_key = EVP_EC_gen("P-384");
    for (size_t i = 0; i < sizeof(test_chip); i++)
        test_chip[i] = (uint8_t)(0xc0 ^ i);
    if (!ark_key || !ask_key || !other_key || !vcek_key)
        return -1;
    test_ark = make_ca("ARK-Test", "ARK-Test", ark_key, ark_key);
    test_ask = make_ca("SEV-Test", "ARK-Test", ask_key, ark_key);
    return test_ark && test_ask ? 0 : -1;
}

/* Verifies rep against a VCEK made with cfg, the test chain and the test root trusted. */
static enum snp_verify_status verify_test(const uint8_t *rep, const struct vcek_cfg *cfg,
                                          struct snp_verify_opts *o, struct snp_verify_result *res)
{
    static const struct vcek_cfg amd_way;
    X509 *v = make_vcek(cfg ? cfg : &amd_way);
    struct snp_verify_opts local = {0};
    if (o == NULL)
        o = &local;
    o->chain = stack_of(test_ask, test_ark);
    o->extra_root = test_ark;
    enum snp_verify_status st = verify_bytes(rep, v, o, res);
    sk_X509_free(o->chain);
    o->chain = NULL;
    X509_free(v);
    return st;
}

static void test_debug_policy_refused_unless_allowed(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    make_report(b, POLICY_DEBUG, NULL, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, &o, &res), SNP_VERIFY_POLICY);
    CHECK(starts_with(res.message, "policy: the guest policy 0xb0000 allows debugging"));
    o.allow_debug = true;
    CHECK_EQ_INT(verify_test(b, NULL, &o, &res), SNP_VERIFY_OK);
    CHECK_STREQ(res.root, "extra root ARK-Test");
    CHECK_STREQ(res.product, "Test-A0");
    /* Without debug in the policy, no permission is needed. */
    make_report(b, 0x30000, NULL, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, NULL, &res), SNP_VERIFY_OK);
}

static void test_untrusted_test_root_fails(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    static const struct vcek_cfg amd_way;
    X509 *v = make_vcek(&amd_way);
    make_report(b, 0x30000, NULL, NULL);
    o.chain = stack_of(test_ask, test_ark);
    CHECK_EQ_INT(verify_bytes(b, v, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: the ARK 'ARK-Test' is not a trusted root");
    sk_X509_free(o.chain);
    /* Nothing given: the VCEK's issuer is no built-in ASK. */
    CHECK_EQ_INT(verify_bytes(b, v, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: no ASK given, and the VCEK's issuer 'SEV-Test' "
                             "is not a built-in AMD ASK");
    /* The root trusted, the ASK given: the ARK is found among the trusted roots. */
    o.chain = stack_of(test_ask, NULL);
    o.extra_root = test_ark;
    CHECK_EQ_INT(verify_bytes(b, v, &o, &res), SNP_VERIFY_OK);
    sk_X509_free(o.chain);
    X509_free(v);
}

static void test_wrong_ark_fails(void)
{
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};

    /* A self-made ARK with AMD's name and another key is not the trusted one. */
    X509 *fake = X509_dup(ark);
    X509_set_pubkey(fake, other_key);
    sign_cert(fake, other_key, SIG_AMD_PSS);
    o.chain = stack_of(ask, fake);
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: the ARK 'ARK-Milan' is not a trusted root");
    /* Trusting it does not make the genuine ASK its child. */
    o.extra_root = fake;
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message,
                "certificate chain: the ASK's signature does not verify with the ARK key");
    sk_X509_free(o.chain);
    X509_free(fake);

    /* Another generation's genuine ARK. */
    BIO *bio = BIO_new_mem_buf(amd_roots[1].ark_pem, -1);
    X509 *genoa = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    o.extra_root = NULL;
    o.chain = stack_of(genoa, ask);
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: the ASK is issued by 'ARK-Milan', not by the "
                             "ARK 'ARK-Genoa'");
    sk_X509_free(o.chain);
    /* The test chain's ASK under AMD's ARK. */
    o.chain = stack_of(test_ask, ark);
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    sk_X509_free(o.chain);
    /* Three certificates, or two ARKs, are refused. */
    o.chain = stack_of(ark, genoa);
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: two self-signed (ARK) certificates given");
    sk_X509_push(o.chain, ask);
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    sk_X509_free(o.chain);
    X509_free(genoa);
}

static void test_certificate_signature_profile(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct vcek_cfg cfg = {0};
    make_report(b, 0x30000, NULL, NULL);

    cfg.mode = SIG_PKCS1;
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: the VCEK is not signed with RSASSA-PSS");
    cfg.mode = SIG_PSS_SALT32;
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: the VCEK does not use a 48-byte RSASSA-PSS salt");
    cfg.mode = SIG_PSS_SHA256;
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message,
                "certificate chain: the VCEK is not signed with SHA-384 (RSASSA-PSS hash)");
    cfg.mode = SIG_PSS_MGF1_SHA256;
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message,
                "certificate chain: the VCEK does not use MGF1 with SHA-384 (RSASSA-PSS mask)");
    cfg.mode = SIG_AMD_PSS;
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_OK);
}

/* OpenSSL alone accepts any PSS parameters the certificate names; the verifier does not. */
static void test_openssl_alone_accepts_weaker_pss(void)
{
    struct vcek_cfg cfg = {.mode = SIG_PSS_SALT32};
    X509 *v = make_vcek(&cfg);
    CHECK_EQ_INT(X509_verify(v, ask_key), 1);
    X509_free(v);
    cfg.mode = SIG_PKCS1;
    v = make_vcek(&cfg);
    CHECK_EQ_INT(X509_verify(v, ask_key), 1);
    X509_free(v);
}

/* An ASK that is not marked as a CA may not sign VCEKs. */
static void test_ask_must_be_ca(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    static const struct vcek_cfg amd_way;
    X509 *leaf_ask = new_cert("SEV-Test", "ARK-Test", ask_key, 3, -3600, 86400);
    sign_cert(leaf_ask, ark_key, SIG_AMD_PSS);
    X509 *v = make_vcek(&amd_way);
    make_report(b, 0x30000, NULL, NULL);
    o.chain = stack_of(leaf_ask, test_ark);
    o.extra_root = test_ark;
    CHECK_EQ_INT(verify_bytes(b, v, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message,
                "certificate chain: the ASK is not a CA certificate (basicConstraints)");
    sk_X509_free(o.chain);
    X509_free(v);
    X509_free(leaf_ask);
}

static void test_expired_vcek_fails(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    struct vcek_cfg cfg = {.expired = true};
    make_report(b, 0x30000, NULL, NULL);
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK(starts_with(res.message, "certificate chain: the VCEK expired on "));
    /* The genuine VCEK, checked at other times: it is valid 2023-04-03 to 2030-04-03. */
    o.now = 1900000000; /* 2030-03-17 */
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_OK);
    o.now = 1920000000; /* 2030-11-04 */
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message, "certificate chain: the VCEK expired on 2030-04-03 19:23:43 UTC");
    o.now = 1670000000; /* 2022-12-02 */
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK_STREQ(res.message,
                "certificate chain: the VCEK is not valid before 2023-04-03 19:23:43 UTC");
}

static void set_snp_7(struct snp_report *r)
{
    struct snp_tcb t = test_tcb;
    t.snp = 7;
    r->reported_tcb = snp_tcb_encode(t);
}

static void set_other_chip(struct snp_report *r)
{
    r->chip_id[63] ^= 1;
}

static void set_masked_chip(struct snp_report *r)
{
    memset(r->chip_id, 0, sizeof(r->chip_id));
    r->mask_chip_key = true;
}

static void set_turin(struct snp_report *r)
{
    r->version = 3;
    r->cpuid_fam_id = 0x1a;
}

static void set_vlek(struct snp_report *r)
{
    r->signing_key = SNP_SIGNING_KEY_VLEK;
}

static void set_vmpl_2(struct snp_report *r)
{
    r->vmpl = 2;
}

static void test_vcek_binding(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct vcek_cfg cfg = {0};

    make_report(b, 0x30000, set_snp_7, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, NULL, &res), SNP_VERIFY_TCB_BINDING);
    CHECK_STREQ(res.message, "VCEK binding: reported_tcb has snp=7 but the VCEK is for snp=22");
    make_report(b, 0x30000, set_other_chip, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, NULL, &res), SNP_VERIFY_TCB_BINDING);
    CHECK_STREQ(res.message, "VCEK binding: the report's chip_id differs from the VCEK's hwID "
                             "(another chip's VCEK)");
    make_report(b, 0x30000, set_masked_chip, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, NULL, &res), SNP_VERIFY_TCB_BINDING);
    make_report(b, 0x30000, set_turin, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, NULL, &res), SNP_VERIFY_TCB_BINDING);

    make_report(b, 0x30000, NULL, NULL);
    cfg.hwid_wrapped = true; /* both encodings of hwID are accepted */
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_OK);
    cfg = (struct vcek_cfg){.no_ucode = true};
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_TCB_BINDING);
    CHECK_STREQ(res.message,
                "VCEK binding: the VCEK has no ucode extension (1.3.6.1.4.1.3704.1.3.8)");
    cfg = (struct vcek_cfg){.two_snp = true};
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_TCB_BINDING);
    cfg = (struct vcek_cfg){.spl_override = 300};
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_TCB_BINDING);
    CHECK_STREQ(res.message,
                "VCEK binding: the VCEK's snp extension is not a DER INTEGER in 0..255");
}

static void test_signature_key_rules(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct vcek_cfg cfg = {0};

    make_report(b, 0x30000, set_vlek, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, NULL, &res), SNP_VERIFY_SIGNATURE);
    CHECK(starts_with(res.message, "report signature: the report is signed with key 1 (VLEK)"));
    /* Signed by another chip's key: the VCEK does not verify it. */
    EVP_PKEY *stranger = EVP_EC_gen("P-384");
    make_report(b, 0x30000, NULL, stranger);
    CHECK_EQ_INT(verify_test(b, NULL, NULL, &res), SNP_VERIFY_SIGNATURE);
    /* A VCEK whose key is not P-384. */
    EVP_PKEY *p256 = EVP_EC_gen("P-256");
    cfg.key = p256;
    make_report(b, 0x30000, NULL, NULL);
    CHECK_EQ_INT(verify_test(b, &cfg, NULL, &res), SNP_VERIFY_SIGNATURE);
    CHECK_STREQ(res.message, "report signature: the VCEK's public key is not ECDSA P-384");
    /* snp_report_sign refuses keys that are not P-384. */
    CHECK_EQ_INT(snp_report_sign(b, p256), -1);
    CHECK_EQ_INT(snp_report_sign(b, ark_key), -1);
    EVP_PKEY_free(stranger);
    EVP_PKEY_free(p256);
}

static void test_vmpl(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    make_report(b, 0x30000, set_vmpl_2, NULL);
    CHECK_EQ_INT(verify_test(b, NULL, &o, &res), SNP_VERIFY_VMPL);
    CHECK_STREQ(res.message, "vmpl: the report is from VMPL 2, expected VMPL 0");
    o.vmpl = 2;
    CHECK_EQ_INT(verify_test(b, NULL, &o, &res), SNP_VERIFY_OK);
    o.vmpl = 1;
    o.any_vmpl = true;
    CHECK_EQ_INT(verify_test(b, NULL, &o, &res), SNP_VERIFY_OK);
    o.any_vmpl = false;
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_VMPL);
}

static void test_expectations(void)
{
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    uint8_t m[SNP_MEASUREMENT_SIZE], rd[SNP_REPORT_DATA_SIZE], hd[SNP_HOST_DATA_SIZE];
    struct snp_report r;
    snp_report_parse(report, sizeof(report), &r, NULL, 0);

    memcpy(m, r.measurement, sizeof(m));
    memcpy(rd, r.report_data, sizeof(rd));
    memset(hd, 0, sizeof(hd));
    o.expect_measurement = m;
    o.expect_report_data = rd;
    o.expect_host_data = hd;
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_OK);

    m[47] ^= 1;
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_MEASUREMENT);
    CHECK_STREQ(res.message, "measurement: is " MEASUREMENT_HEX ", expected "
                             "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1"
                             "a0dc39b2c60bd95b9c480cd81841e");
    m[47] ^= 1;
    rd[0] ^= 1;
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_REPORT_DATA);
    CHECK(starts_with(res.message, "report data: is d447b55d"));
    rd[0] ^= 1;
    hd[31] = 1;
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_HOST_DATA);
    CHECK(starts_with(res.message, "host data: is 0000"));
}

static void test_min_tcb(void)
{
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    o.check_min_tcb = true;
    o.min_tcb = (struct snp_tcb){.bootloader = 3, .tee = 0, .snp = 8, .microcode = 115};
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_OK);
    o.min_tcb.snp = 9;
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_MIN_TCB);
    CHECK_STREQ(res.message, "minimum TCB: reported_tcb snp=8 is below the minimum 9");
    o.min_tcb = (struct snp_tcb){.microcode = 116};
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_MIN_TCB);
    o.min_tcb = (struct snp_tcb){.bootloader = 4};
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_MIN_TCB);
    o.min_tcb = (struct snp_tcb){.tee = 1};
    CHECK_EQ_INT(verify_bytes(report, vcek, &o, &res), SNP_VERIFY_MIN_TCB);
}

static void test_truncated_or_missing_input(void)
{
    struct snp_verify_result res;
    CHECK_EQ_INT(snp_verify(report, SNP_REPORT_SIZE - 1, vcek, NULL, &res), SNP_VERIFY_REPORT);
    CHECK_STREQ(res.message, "report: report is 1183 bytes, expected 1184");
    CHECK(!res.report_parsed);
    CHECK_EQ_INT(snp_verify(report, 0, vcek, NULL, &res), SNP_VERIFY_REPORT);
    CHECK_EQ_INT(snp_verify(NULL, SNP_REPORT_SIZE, vcek, NULL, &res), SNP_VERIFY_INPUT);
    CHECK_EQ_INT(snp_verify(report, SNP_REPORT_SIZE, NULL, NULL, &res), SNP_VERIFY_INPUT);
    CHECK_STREQ(res.message, "input: no VCEK given");
    CHECK_STREQ(snp_verify_check_name(SNP_VERIFY_TCB_BINDING), "VCEK binding");
}

/* ---- the command ---- */

struct cli_out {
    int rc;
    char out[8192], err[8192];
};

static void slurp(int fd, char *buf, size_t cap)
{
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, cap - 1);
    buf[n > 0 ? n : 0] = '\0';
}

/* Runs cmd_verify with the given arguments (NULL-terminated), capturing its output. */
static struct cli_out *run_cli(const char *first, ...)
{
    static struct cli_out o;
    char *argv[32];
    int argc = 0;
    va_list ap;
    argv[argc++] = (char *)"verify";
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;

    FILE *fo = tmpfile(), *fe = tmpfile();
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    o.rc = cmd_verify(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    slurp(fileno(fo), o.out, sizeof(o.out));
    slurp(fileno(fe), o.err, sizeof(o.err));
    fclose(fo);
    fclose(fe);
    return &o;
}

static void tmp_path(char *out, size_t outlen, const char *name)
{
    snprintf(out, outlen, "%s/%s", tmpdir, name);
}

static void write_bytes(const char *name, const void *data, size_t len)
{
    char path[256];
    tmp_path(path, sizeof(path), name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static void write_pem(const char *name, X509 *a, X509 *b)
{
    char path[256];
    tmp_path(path, sizeof(path), name);
    FILE *f = fopen(path, "w");
    PEM_write_X509(f, a);
    if (b)
        PEM_write_X509(f, b);
    fclose(f);
}

static char p_report[1100], p_vcek[1100], p_chain[1100], p_chain_rev[1100], p_vcek_pem[1100],
    p_short[1100], p_test_report[1100], p_test_vcek[1100], p_test_chain[1100], p_test_root[1100],
    p_garbage[1100], p_test_ask[1100];

static void make_cli_files(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cloister-snp-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return;
    fixture_path(p_report, sizeof(p_report), "report.bin");
    fixture_path(p_vcek, sizeof(p_vcek), "vcek.der");
    write_pem("chain.pem", ask, ark);
    tmp_path(p_chain, sizeof(p_chain), "chain.pem");
    write_pem("chain-rev.pem", ark, ask);
    tmp_path(p_chain_rev, sizeof(p_chain_rev), "chain-rev.pem");
    write_pem("vcek.pem", vcek, NULL);
    tmp_path(p_vcek_pem, sizeof(p_vcek_pem), "vcek.pem");
    write_bytes("short.bin", report, 1000);
    tmp_path(p_short, sizeof(p_short), "short.bin");
    write_bytes("garbage.der", "not a certificate", 17);
    tmp_path(p_garbage, sizeof(p_garbage), "garbage.der");

    uint8_t b[SNP_REPORT_SIZE];
    static const struct vcek_cfg amd_way;
    make_report(b, POLICY_DEBUG, NULL, NULL);
    write_bytes("test-report.bin", b, sizeof(b));
    tmp_path(p_test_report, sizeof(p_test_report), "test-report.bin");
    X509 *v = make_vcek(&amd_way);
    write_pem("test-vcek.pem", v, NULL);
    X509_free(v);
    tmp_path(p_test_vcek, sizeof(p_test_vcek), "test-vcek.pem");
    write_pem("test-chain.pem", test_ask, test_ark);
    tmp_path(p_test_chain, sizeof(p_test_chain), "test-chain.pem");
    write_pem("test-ask.pem", test_ask, NULL);
    tmp_path(p_test_ask, sizeof(p_test_ask), "test-ask.pem");
    write_pem("test-root.pem", test_ark, NULL);
    tmp_path(p_test_root, sizeof(p_test_root), "test-root.pem");
}

static void remove_cli_files(void)
{
    static const char *names[] = {
        "chain.pem",       "chain-rev.pem", "vcek.pem",       "short.bin",     "garbage.der",
        "test-report.bin", "test-vcek.pem", "test-chain.pem", "test-root.pem", "test-ask.pem"};
    char path[256];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        tmp_path(path, sizeof(path), names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

static void test_cli_genuine(void)
{
    struct cli_out *o = run_cli("--report", p_report, "--vcek", p_vcek, NULL);
    CHECK_EQ_INT(o->rc, 0);
    CHECK(starts_with(o->out, "verified: measurement " MEASUREMENT_HEX "\n"));
    CHECK(strstr(o->out, "reported_tcb bl=3 tee=0 snp=8 ucode=115 (0x7308000000000003)") != NULL);
    CHECK(strstr(o->out, "root         AMD ARK-Milan") != NULL);
    CHECK_STREQ(o->err, "");

    o = run_cli("--report", p_report, "--vcek", p_vcek, "--chain", p_chain, NULL);
    CHECK_EQ_INT(o->rc, 0);
    o = run_cli("--report", p_report, "--vcek", p_vcek_pem, "--chain", p_chain_rev,
                "--expect-measurement", MEASUREMENT_HEX, "--expect-report-data",
                "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040"
                "433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
                "--expect-host-data", "00", "--min-tcb", "bl=3,snp=8,ucode=115,tee=0", "--vmpl",
                "0", NULL);
    CHECK_EQ_INT(o->rc, 0);
    if (o->rc != 0)
        fprintf(stderr, "  %s", o->err);
}

static void test_cli_json(void)
{
    struct cli_out *o = run_cli("--json", "--report", p_report, "--vcek", p_vcek, NULL);
    CHECK_EQ_INT(o->rc, 0);
    json_error_t jerr;
    json_t *j = json_loads(o->out, 0, &jerr);
    CHECK(j != NULL);
    CHECK(json_is_true(json_object_get(j, "verified")));
    CHECK_STREQ(json_string_value(json_object_get(j, "measurement")) ?: "", MEASUREMENT_HEX);
    CHECK_STREQ(json_string_value(json_object_get(j, "policy")) ?: "", "0x30000");
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(j, "reported_tcb"), "snp")), 8);
    json_decref(j);

    o = run_cli("--json", "--report", p_report, "--vcek", p_vcek, "--expect-report-data", "00",
                NULL);
    CHECK_EQ_INT(o->rc, 1);
    j = json_loads(o->out, 0, &jerr);
    CHECK(j != NULL);
    CHECK(json_is_false(json_object_get(j, "verified")));
    CHECK_STREQ(json_string_value(json_object_get(j, "check")) ?: "", "report data");
    json_decref(j);
}

/* A failure is one line on stderr naming the check; nothing on stdout. */
static void check_fails(struct cli_out *o, const char *prefix)
{
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, prefix));
    char *nl = strchr(o->err, '\n');
    CHECK(nl != NULL && nl[1] == '\0');
    CHECK_STREQ(o->out, "");
    if (!starts_with(o->err, prefix))
        fprintf(stderr, "  got: %s", o->err);
}

static void test_cli_failures(void)
{
    check_fails(run_cli("--report", p_report, "--vcek", p_vcek, "--expect-measurement",
                        WRONG_MEASUREMENT_HEX, NULL),
                "cloister: verify: measurement: is 7a1e");
    check_fails(
        run_cli("--report", p_report, "--vcek", p_vcek, "--expect-report-data", "d447", NULL),
        "cloister: verify: report data: is d447b55d");
    check_fails(run_cli("--report", p_short, "--vcek", p_vcek, NULL),
                "cloister: verify: report: report is 1000 bytes, expected 1184\n");
    check_fails(run_cli("--report", p_report, "--vcek", p_vcek, "--min-tcb", "snp=9", NULL),
                "cloister: verify: minimum TCB: reported_tcb snp=8 is below the minimum 9\n");
    check_fails(run_cli("--report", p_report, "--vcek", p_vcek, "--vmpl", "1", NULL),
                "cloister: verify: vmpl: ");
    check_fails(run_cli("--report", "/nonexistent/report.bin", "--vcek", p_vcek, NULL),
                "cloister: verify: input: cannot open /nonexistent/report.bin: ");
    check_fails(run_cli("--report", p_report, "--vcek", p_garbage, NULL),
                "cloister: verify: input: ");
    check_fails(run_cli("--report", p_report, "--vcek", p_vcek, "--chain", p_garbage, NULL),
                "cloister: verify: input: ");
    check_fails(run_cli("--report", p_report, "--vcek", p_vcek, "--chain", p_test_chain, NULL),
                "cloister: verify: certificate chain: ");
}

static void test_cli_test_chain_and_debug(void)
{
    struct cli_out *o =
        run_cli("--report", p_test_report, "--vcek", p_test_vcek, "--chain", p_test_chain, NULL);
    check_fails(o, "cloister: verify: certificate chain: the ARK 'ARK-Test' is not a trusted root");
    o = run_cli("--report", p_test_report, "--vcek", p_test_vcek, "--chain", p_test_chain,
                "--trust", p_test_root, NULL);
    check_fails(o, "cloister: verify: policy: ");
    o = run_cli("--report", p_test_report, "--vcek", p_test_vcek, "--chain", p_test_chain,
                "--trust", p_test_root, "--allow-debug", NULL);
    CHECK_EQ_INT(o->rc, 0);
    CHECK(strstr(o->out, "debug allowed") != NULL);
    CHECK(strstr(o->out, "root         extra root ARK-Test") != NULL);
    /* With the root trusted, a chain file holding only the ASK is enough. */
    o = run_cli("--report", p_test_report, "--vcek", p_test_vcek, "--chain", p_test_ask, "--trust",
                p_test_root, "--allow-debug", NULL);
    CHECK_EQ_INT(o->rc, 0);
    /* A VCEK passed as the chain is no ASK. */
    o = run_cli("--report", p_test_report, "--vcek", p_test_vcek, "--chain", p_test_vcek, "--trust",
                p_test_root, "--allow-debug", NULL);
    check_fails(o, "cloister: verify: certificate chain: no ARK given, and the ASK's issuer "
                   "'SEV-Test' is not a trusted root");
    /* --trust wants exactly one root. */
    o = run_cli("--report", p_test_report, "--vcek", p_test_vcek, "--trust", p_test_chain, NULL);
    check_fails(o, "cloister: verify: input: --trust needs a file with exactly one root");
}

static void check_usage(struct cli_out *o, const char *prefix)
{
    CHECK_EQ_INT(o->rc, 2);
    CHECK(starts_with(o->err, prefix));
    CHECK(strstr(o->err, "usage: cloister verify") != NULL);
    if (!starts_with(o->err, prefix))
        fprintf(stderr, "  got: %s", o->err);
}

static void test_cli_usage_errors(void)
{
    check_usage(run_cli(NULL), "cloister: verify: --report is required");
    check_usage(run_cli("--report", p_report, NULL), "cloister: verify: --vcek is required");
    check_usage(run_cli("--report", p_report, "--vcek", p_vcek, "--bogus", NULL),
                "cloister: verify: unknown option '--bogus'");
    check_usage(run_cli("--report", p_report, "--vcek", NULL),
                "cloister: verify: --vcek needs a value");
    check_usage(run_cli("--report", p_report, "--vcek", p_vcek, "extra", NULL),
                "cloister: verify: unexpected argument 'extra'");
    check_usage(
        run_cli("--report", p_report, "--vcek", p_vcek, "--expect-measurement", "abcd", NULL),
        "cloister: verify: --expect-measurement needs 96 hex digits");
    check_usage(
        run_cli("--report", p_report, "--vcek", p_vcek, "--expect-report-data", "xyz1", NULL),
        "cloister: verify: --expect-report-data");
    check_usage(run_cli("--report", p_report, "--vcek", p_vcek, "--expect-host-data",
                        "000000000000000000000000000000000000000000000000000000000000000000", NULL),
                "cloister: verify: --expect-host-data");
    static const char *bad_tcb[] = {"", "snp", "snp=", "snp=256", "fmc=1", "snp=1,", "snp=1x"};
    for (size_t i = 0; i < sizeof(bad_tcb) / sizeof(bad_tcb[0]); i++)
        check_usage(run_cli("--report", p_report, "--vcek", p_vcek, "--min-tcb", bad_tcb[i], NULL),
                    "cloister: verify: --min-tcb");
    check_usage(run_cli("--report", p_report, "--vcek", p_vcek, "--vmpl", "4", NULL),
                "cloister: verify: --vmpl");
    struct cli_out *o = run_cli("--help", NULL);
    CHECK_EQ_INT(o->rc, 0);
    CHECK(starts_with(o->out, "usage: cloister verify"));
}

int main(void)
{
    if (load_fixture() != 0 || make_test_chain() != 0) {
        printf("FAIL setup: fixtures or test chain unavailable\n");
        return 1;
    }
    RUN(genuine_with_builtin_roots);
    RUN(genuine_with_chain_any_order);
    RUN(builtin_pairs_are_amds);
    RUN(flipped_signed_bytes_fail);
    RUN(unsigned_tail_ignored);
    RUN(changed_r_or_s_fails);
    RUN(changed_vcek_fails);
    RUN(changed_ask_fails);
    RUN(debug_policy_refused_unless_allowed);
    RUN(untrusted_test_root_fails);
    RUN(wrong_ark_fails);
    RUN(certificate_signature_profile);
    RUN(openssl_alone_accepts_weaker_pss);
    RUN(ask_must_be_ca);
    RUN(expired_vcek_fails);
    RUN(vcek_binding);
    RUN(signature_key_rules);
    RUN(vmpl);
    RUN(expectations);
    RUN(min_tcb);
    RUN(truncated_or_missing_input);

    make_cli_files();
    RUN(cli_genuine);
    RUN(cli_json);
    RUN(cli_failures);
    RUN(cli_test_chain_and_debug);
    RUN(cli_usage_errors);
    remove_cli_files();

    X509_free(test_ark);
    X509_free(test_ask);
    EVP_PKEY_free(ark_key);
    EVP_PKEY_free(ask_key);
    EVP_PKEY_free(other_key);
    EVP_PKEY_free(vcek_key);
    X509_free(vcek);
    X509_free(ask);
    X509_free(ark);
    UNIT_EXIT();
}
