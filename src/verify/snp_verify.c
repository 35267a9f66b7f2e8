/* Verifies an SEV-SNP attestation report the way a relying party must (see snp_verify.h). */
#include "verify/snp_verify.h"

#include "verify/amd_roots.h"
#include "verify/amd_sig.h"
#include "common/hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

/* AMD's VCEK extensions, under 1.3.6.1.4.1.3704.1 (AMD KDS specification). */
#define OID_PRODUCT_NAME "1.3.6.1.4.1.3704.1.2"
#define OID_BL_SPL       "1.3.6.1.4.1.3704.1.3.1"
#define OID_TEE_SPL      "1.3.6.1.4.1.3704.1.3.2"
#define OID_SNP_SPL      "1.3.6.1.4.1.3704.1.3.3"
#define OID_UCODE_SPL    "1.3.6.1.4.1.3704.1.3.8"
#define OID_HWID         "1.3.6.1.4.1.3704.1.4"

/* AMD signs its certificates with RSASSA-PSS, SHA-384, MGF1-SHA-384, 48-byte salt. */
#define PSS_SALT_LEN 48

/* The P-384 scalar size; r and s are stored zero-padded to SNP_SIG_COMPONENT_SIZE. */
#define P384_SCALAR_SIZE 48

/* CPUID family of Turin (Zen 5), whose TCB_VERSION layout differs from Milan/Genoa's. */
#define CPUID_FAMILY_TURIN 0x1a

#define WHY_SIZE 256

const char *snp_verify_check_name(enum snp_verify_status status)
{
    switch (status) {
    case SNP_VERIFY_OK:
        return "ok";
    case SNP_VERIFY_INPUT:
        return "input";
    case SNP_VERIFY_REPORT:
        return "report";
    case SNP_VERIFY_CHAIN:
        return "certificate chain";
    case SNP_VERIFY_SIGNATURE:
        return "report signature";
    case SNP_VERIFY_TCB_BINDING:
        return "VCEK binding";
    case SNP_VERIFY_POLICY:
        return "policy";
    case SNP_VERIFY_VMPL:
        return "vmpl";
    case SNP_VERIFY_MEASUREMENT:
        return "measurement";
    case SNP_VERIFY_REPORT_DATA:
        return "report data";
    case SNP_VERIFY_HOST_DATA:
        return "host data";
    case SNP_VERIFY_ID_KEY:
        return "ID key digest";
    case SNP_VERIFY_AUTHOR_KEY:
        return "author key digest";
    case SNP_VERIFY_MIN_TCB:
        return "minimum TCB";
    }
    return "unknown check";
}

/* Records a failure as "<check>: <why>" and returns its status. */
__attribute__((format(printf, 3, 4))) static enum snp_verify_status
failf(struct snp_verify_result *res, enum snp_verify_status status, const char *fmt, ...)
{
    int n = snprintf(res->message, sizeof(res->message), "%s: ", snp_verify_check_name(status));
    if (n > 0 && (size_t)n < sizeof(res->message)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res->message + n, sizeof(res->message) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    res->status = status;
    /* OpenSSL queues errors per thread; a failed check must not leave them to the caller. */
    ERR_clear_error();
    return status;
}

/* Copies text into out, replacing anything but printable ASCII: messages stay one line. */
static void sanitize(const unsigned char *text, size_t len, char *out, size_t outlen)
{
    size_t i = 0;
    for (; i < len && i + 1 < outlen; i++)
        out[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? (char)text[i] : '?';
    if (outlen > 0)
        out[i] = '\0';
}

/* A certificate name for messages: its common name, or the whole name if it has none. */
static void name_text(const X509_NAME *name, char *out, size_t outlen)
{
    char buf[256];
    int n = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof(buf));
    if (n < 0) {
        X509_NAME_oneline(name, buf, sizeof(buf));
        n = (int)strlen(buf);
    }
    sanitize((const unsigned char *)buf, (size_t)n, out, outlen);
    ERR_clear_error();
}

static bool self_issued(X509 *cert)
{
    return X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
}

/* Byte-for-byte equality of two certificates' DER encodings. */
static bool same_cert(X509 *a, X509 *b)
{
    unsigned char *da = NULL, *db = NULL;
    int la = i2d_X509(a, &da), lb = i2d_X509(b, &db);
    bool same = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;
    OPENSSL_free(da);
    OPENSSL_free(db);
    return same;
}

static X509 *cert_from_pem(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return cert;
}

/* Loads the built-in AMD ARKs and ASKs into two new stacks. Returns 0 or -1. */
static int load_builtins(STACK_OF(X509) * *arks, STACK_OF(X509) * *asks)
{
    *arks = sk_X509_new_null();
    *asks = sk_X509_new_null();
    if (*arks == NULL || *asks == NULL)
        return -1;
    for (size_t i = 0; i < amd_roots_count; i++) {
        X509 *ark = cert_from_pem(amd_roots[i].ark_pem);
        X509 *ask = cert_from_pem(amd_roots[i].ask_pem);
        bool pushed_ark = ark && sk_X509_push(*arks, ark) > 0;
        bool pushed_ask = ask && sk_X509_push(*asks, ask) > 0;
        if (!pushed_ark)
            X509_free(ark);
        if (!pushed_ask)
            X509_free(ask);
        if (!pushed_ark || !pushed_ask)
            return -1;
    }
    return 0;
}

static X509 *find_by_subject(STACK_OF(X509) * certs, const X509_NAME *subject)
{
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *c = sk_X509_value(certs, i);
        if (X509_NAME_cmp(X509_get_subject_name(c), subject) == 0)
            return c;
    }
    return NULL;
}

static bool is_sha384(const X509_ALGOR *alg)
{
    const ASN1_OBJECT *obj;
    int ptype;
    const void *pval;
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    /* The parameters of a SHA-2 AlgorithmIdentifier are absent or NULL (RFC 5754). */
    return OBJ_obj2nid(obj) == NID_sha384 && (ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL);
}

/* True if an MGF1 AlgorithmIdentifier names SHA-384 as its hash. */
static bool is_mgf1_sha384(const X509_ALGOR *mgf)
{
    const ASN1_OBJECT *obj;
    int ptype;
    const void *pval;
    X509_ALGOR_get0(&obj, &ptype, &pval, mgf);
    if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
        return false;
    /* MGF1's parameter is itself an AlgorithmIdentifier: the hash. */
    const unsigned char *start = ASN1_STRING_get0_data(pval), *p = start;
    long len = ASN1_STRING_length(pval);
    X509_ALGOR *hash = d2i_X509_ALGOR(NULL, &p, len);
    bool ok = hash != NULL && p == start + len && is_sha384(hash);
    X509_ALGOR_free(hash);
    return ok;
}

/* Checks decoded RSASSA-PSS parameters against AMD's profile. Returns NULL, or why not. */
static const char *pss_params_problem(const RSA_PSS_PARAMS *pss)
{
    int64_t salt = 0, trailer = 1;
    /* Absent fields mean SHA-1, MGF1-SHA-1 and a 20-byte salt (RFC 4055): never AMD's. */
    if (pss->hashAlgorithm == NULL || !is_sha384(pss->hashAlgorithm))
        return "is not signed with SHA-384 (RSASSA-PSS hash)";
    if (pss->maskGenAlgorithm == NULL || !is_mgf1_sha384(pss->maskGenAlgorithm))
        return "does not use MGF1 with SHA-384 (RSASSA-PSS mask)";
    if (pss->saltLength == NULL || ASN1_INTEGER_get_int64(&salt, pss->saltLength) != 1 ||
        salt != PSS_SALT_LEN)
        return "does not use a 48-byte RSASSA-PSS salt";
    if (pss->trailerField != NULL &&
        (ASN1_INTEGER_get_int64(&trailer, pss->trailerField) != 1 || trailer != 1))
        return "has an RSASSA-PSS trailer field other than 1";
    return NULL;
}

/*
 * Checks that cert's signature algorithm is exactly AMD's RSASSA-PSS profile. OpenSSL
 * verifies PSS with whatever parameters the certificate names, so without this a
 * forged chain could choose weaker ones (or plain PKCS#1 v1.5). Returns NULL, or why.
 */
static const char *pss_problem(const X509 *cert)
{
    const X509_ALGOR *alg;
    const ASN1_OBJECT *obj;
    int ptype;
    const void *pval;
    X509_get0_signature(NULL, &alg, cert);
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    if (OBJ_obj2nid(obj) != NID_rsassaPss)
        return "is not signed with RSASSA-PSS";
    if (ptype != V_ASN1_SEQUENCE)
        return "has no RSASSA-PSS parameters";

    const unsigned char *start = ASN1_STRING_get0_data(pval), *p = start;
    long len = ASN1_STRING_length(pval);
    RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &p, len);
    const char *why = pss == NULL || p != start + len ? "has malformed RSASSA-PSS parameters"
                                                      : pss_params_problem(pss);
    RSA_PSS_PARAMS_free(pss);
    return why;
}

/*
 * Checks that child is issued and signed by issuer. The role names ("ASK", "ARK") are
 * for the message. Returns true, or false with why filled.
 */
static bool check_link(X509 *child, const char *child_role, X509 *issuer, const char *issuer_role,
                       char *err, size_t err_size)
{
    char cname[64], iname[64];
    if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(issuer)) != 0) {
        name_text(X509_get_issuer_name(child), cname, sizeof(cname));
        name_text(X509_get_subject_name(issuer), iname, sizeof(iname));
        snprintf(err, err_size, "the %s is issued by '%s', not by the %s '%s'", child_role, cname,
                 issuer_role, iname);
        return false;
    }
    const char *pss = pss_problem(child);
    if (pss != NULL) {
        snprintf(err, err_size, "the %s %s", child_role, pss);
        return false;
    }
    EVP_PKEY *key = X509_get0_pubkey(issuer);
    if (key == NULL || !EVP_PKEY_is_a(key, "RSA")) {
        snprintf(err, err_size, "the %s has no usable RSA public key", issuer_role);
        return false;
    }
    /* X509_verify also refuses a TBS signature algorithm that differs from the outer one. */
    if (X509_verify(child, key) != 1) {
        if (child == issuer)
            snprintf(err, err_size, "the %s's self-signature does not verify", child_role);
        else
            snprintf(err, err_size, "the %s's signature does not verify with the %s key",
                     child_role, issuer_role);
        return false;
    }
    return true;
}

/* A certificate that signs others must say so (basicConstraints CA, keyCertSign). */
static bool check_ca(X509 *cert, const char *role, char *err, size_t err_size)
{
    if (X509_check_ca(cert) != 1) {
        snprintf(err, err_size, "the %s is not a CA certificate (basicConstraints)", role);
        return false;
    }
    uint32_t usage = X509_get_key_usage(cert);
    if (usage != UINT32_MAX && !(usage & KU_KEY_CERT_SIGN)) {
        snprintf(err, err_size, "the %s's key usage does not allow certificate signing", role);
        return false;
    }
    return true;
}

static void time_text(const ASN1_TIME *t, char *out, size_t outlen)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(out, outlen, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, outlen, "(unreadable)");
}

static bool check_validity(X509 *cert, const char *role, time_t now, char *err, size_t err_size)
{
    char when[64];
    const ASN1_TIME *nb = X509_get0_notBefore(cert), *na = X509_get0_notAfter(cert);
    int before = X509_cmp_time(nb, &now), after = X509_cmp_time(na, &now);
    if (before == 0 || after == 0) {
        snprintf(err, err_size, "the %s has a malformed validity period", role);
        return false;
    }
    if (before > 0) {
        time_text(nb, when, sizeof(when));
        snprintf(err, err_size, "the %s is not valid before %s", role, when);
        return false;
    }
    if (after < 0) {
        time_text(na, when, sizeof(when));
        snprintf(err, err_size, "the %s expired on %s", role, when);
        return false;
    }
    return true;
}

/*
 * Finds the ASK and ARK for vcek (from opts->chain, else the built-ins and trusted
 * roots), requires the ARK to be a trusted root, and checks every signature, CA flag
 * and validity period from the ARK down to the VCEK.
 */
static enum snp_verify_status check_chain(X509 *vcek, const struct snp_verify_opts *o,
                                          struct snp_verify_result *res)
{
    enum snp_verify_status st = SNP_VERIFY_OK;
    STACK_OF(X509) *arks = NULL, *asks = NULL;
    char why[WHY_SIZE], name[64];
    X509 *ask = NULL, *ark = NULL;

    if (load_builtins(&arks, &asks) != 0) {
        st = failf(res, SNP_VERIFY_CHAIN, "cannot load the built-in AMD certificates");
        goto out;
    }

    int given = o->chain ? sk_X509_num(o->chain) : 0;
    if (given > 2) {
        st = failf(res, SNP_VERIFY_CHAIN,
                   "%d certificates given; expected the ASK, the ARK, or both", given);
        goto out;
    }
    for (int i = 0; i < given; i++) {
        X509 *c = sk_X509_value(o->chain, i);
        X509 **slot = self_issued(c) ? &ark : &ask;
        if (*slot != NULL) {
            st = failf(res, SNP_VERIFY_CHAIN, "two %s certificates given",
                       slot == &ark ? "self-signed (ARK)" : "intermediate (ASK)");
            goto out;
        }
        *slot = c;
    }
    if (ask == NULL) {
        ask = find_by_subject(asks, X509_get_issuer_name(vcek));
        if (ask == NULL) {
            name_text(X509_get_issuer_name(vcek), name, sizeof(name));
            st = failf(res, SNP_VERIFY_CHAIN,
                       "no ASK given, and the VCEK's issuer '%s' is not a built-in AMD ASK", name);
            goto out;
        }
    }
    if (ark == NULL) {
        const X509_NAME *want = X509_get_issuer_name(ask);
        if (o->extra_root && X509_NAME_cmp(X509_get_subject_name(o->extra_root), want) == 0)
            ark = o->extra_root;
        else
            ark = find_by_subject(arks, want);
        if (ark == NULL) {
            name_text(want, name, sizeof(name));
            st = failf(res, SNP_VERIFY_CHAIN,
                       "no ARK given, and the ASK's issuer '%s' is not a trusted root", name);
            goto out;
        }
    }

    /* The root of trust: the ARK must be, byte for byte, one the caller trusts. */
    name_text(X509_get_subject_name(ark), name, sizeof(name));
    bool trusted = false;
    if (o->extra_root && same_cert(ark, o->extra_root)) {
        snprintf(res->root, sizeof(res->root), "extra root %s", name);
        trusted = true;
    }
    for (int i = 0; !trusted && i < sk_X509_num(arks); i++) {
        if (same_cert(ark, sk_X509_value(arks, i))) {
            snprintf(res->root, sizeof(res->root), "AMD %s", name);
            trusted = true;
        }
    }
    if (!trusted) {
        st = failf(res, SNP_VERIFY_CHAIN, "the ARK '%s' is not a trusted root", name);
        goto out;
    }

    time_t now = o->now ? o->now : time(NULL);
    if (!check_link(ark, "ARK", ark, "ARK", why, sizeof(why)) ||
        !check_ca(ark, "ARK", why, sizeof(why)) ||
        !check_link(ask, "ASK", ark, "ARK", why, sizeof(why)) ||
        !check_ca(ask, "ASK", why, sizeof(why)) ||
        !check_link(vcek, "VCEK", ask, "ASK", why, sizeof(why)) ||
        !check_validity(ark, "ARK", now, why, sizeof(why)) ||
        !check_validity(ask, "ASK", now, why, sizeof(why)) ||
        !check_validity(vcek, "VCEK", now, why, sizeof(why))) {
        st = failf(res, SNP_VERIFY_CHAIN, "%s", why);
        goto out;
    }

out:
    sk_X509_pop_free(arks, X509_free);
    sk_X509_pop_free(asks, X509_free);
    return st;
}

static bool is_p384(EVP_PKEY *key)
{
    char group[32];
    return key != NULL && EVP_PKEY_is_a(key, "EC") &&
           EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) == 1 &&
           strcmp(group, "secp384r1") == 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* ECDSA P-384/SHA-384 over the signed bytes, with the VCEK's public key. */
static enum snp_verify_status check_signature(const uint8_t *buf, const struct snp_report *r,
                                              X509 *vcek, struct snp_verify_result *res)
{
    if (r->signing_key != SNP_SIGNING_KEY_VCEK)
        return failf(res, SNP_VERIFY_SIGNATURE,
                     "the report is signed with key %u (%s), only VCEK-signed reports are "
                     "supported",
                     r->signing_key,
                     r->signing_key == SNP_SIGNING_KEY_VLEK   ? "VLEK"
                     : r->signing_key == SNP_SIGNING_KEY_NONE ? "none"
                                                              : "reserved");
    EVP_PKEY *key = X509_get0_pubkey(vcek);
    if (!is_p384(key))
        return failf(res, SNP_VERIFY_SIGNATURE, "the VCEK's public key is not ECDSA P-384");
    /* r and s are below the P-384 order, so the padding above 48 bytes must be zero. */
    if (!all_zero(r->sig_r + P384_SCALAR_SIZE, SNP_SIG_COMPONENT_SIZE - P384_SCALAR_SIZE) ||
        !all_zero(r->sig_s + P384_SCALAR_SIZE, SNP_SIG_COMPONENT_SIZE - P384_SCALAR_SIZE))
        return failf(res, SNP_VERIFY_SIGNATURE, "r or s has nonzero bytes beyond 48");

    int ok = amd_sig_verify(key, buf, SNP_REPORT_SIGNED_SIZE, buf + SNP_REPORT_SIG_R_OFFSET);
    if (ok < 0)
        return failf(res, SNP_VERIFY_SIGNATURE, "cannot set up ECDSA verification");
    if (ok == 0)
        return failf(res, SNP_VERIFY_SIGNATURE,
                     "does not verify with the VCEK (the signed bytes 0x000-0x29f, r or s were "
                     "changed, or the VCEK is another chip's)");
    return SNP_VERIFY_OK;
}

/*
 * Finds the single extension oid in cert. Returns 1 with its value, 0 if absent, -1 if
 * present twice (a certificate that says two things is not trusted to mean either).
 */
static int find_ext(X509 *cert, const char *oid, const ASN1_OCTET_STRING **value)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    if (obj == NULL)
        return -1;
    int i = X509_get_ext_by_OBJ(cert, obj, -1);
    int again = i >= 0 ? X509_get_ext_by_OBJ(cert, obj, i) : -1;
    ASN1_OBJECT_free(obj);
    if (i < 0)
        return 0;
    if (again >= 0)
        return -1;
    *value = X509_EXTENSION_get_data(X509_get_ext(cert, i));
    return *value != NULL ? 1 : -1;
}

/*
 * Reads a security patch level extension: its value is a DER INTEGER (e.g. 02 01 08),
 * not a raw byte. Returns true with *spl in 0..255, or false with why filled.
 */
static bool read_spl(X509 *vcek, const char *oid, const char *what, int *spl, char *err,
                     size_t err_size)
{
    const ASN1_OCTET_STRING *value = NULL;
    int found = find_ext(vcek, oid, &value);
    if (found <= 0) {
        snprintf(err, err_size, "the VCEK has %s %s extension (%s)", found ? "more than one" : "no",
                 what, oid);
        return false;
    }
    const unsigned char *p = ASN1_STRING_get0_data(value);
    long len = ASN1_STRING_length(value);
    ASN1_INTEGER *ai = d2i_ASN1_INTEGER(NULL, &p, len);
    int64_t v = -1;
    bool ok = ai != NULL && p == ASN1_STRING_get0_data(value) + len &&
              ASN1_INTEGER_get_int64(&v, ai) == 1 && v >= 0 && v <= 255;
    ASN1_INTEGER_free(ai);
    if (!ok) {
        snprintf(err, err_size, "the VCEK's %s extension is not a DER INTEGER in 0..255", what);
        return false;
    }
    *spl = (int)v;
    return true;
}

/*
 * Reads the hwID extension, the chip's 64-byte CHIP_ID. AMD's KDS has issued it both
 * as the 64 raw bytes and as a DER OCTET STRING around them; the lengths (64 and 66)
 * tell the two apart. Returns true with id filled, or false with why.
 */
static bool read_hwid(X509 *vcek, uint8_t id[SNP_CHIP_ID_SIZE], char *err, size_t err_size)
{
    const ASN1_OCTET_STRING *value = NULL;
    int found = find_ext(vcek, OID_HWID, &value);
    if (found <= 0) {
        snprintf(err, err_size, "the VCEK has %s hwID extension (%s)",
                 found ? "more than one" : "no", OID_HWID);
        return false;
    }
    const unsigned char *data = ASN1_STRING_get0_data(value);
    long len = ASN1_STRING_length(value);
    if (len == SNP_CHIP_ID_SIZE) {
        memcpy(id, data, SNP_CHIP_ID_SIZE);
        return true;
    }
    const unsigned char *p = data;
    ASN1_OCTET_STRING *inner = d2i_ASN1_OCTET_STRING(NULL, &p, len);
    bool ok = inner != NULL && p == data + len && ASN1_STRING_length(inner) == SNP_CHIP_ID_SIZE;
    if (ok)
        memcpy(id, ASN1_STRING_get0_data(inner), SNP_CHIP_ID_SIZE);
    ASN1_OCTET_STRING_free(inner);
    if (!ok)
        snprintf(err, err_size, "the VCEK's hwID extension is not a 64-byte chip ID");
    return ok;
}

/* The productName extension (an IA5String, e.g. "Milan-B0"), for display; "" if absent. */
static void read_product(X509 *vcek, char *out, size_t outlen)
{
    const ASN1_OCTET_STRING *value = NULL;
    out[0] = '\0';
    if (find_ext(vcek, OID_PRODUCT_NAME, &value) != 1)
        return;
    const unsigned char *p = ASN1_STRING_get0_data(value);
    long len = ASN1_STRING_length(value);
    ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &p, len);
    if (s != NULL && p == ASN1_STRING_get0_data(value) + len)
        sanitize(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), out, outlen);
    ASN1_IA5STRING_free(s);
    ERR_clear_error();
}

/*
 * The VCEK is derived from the chip's secret and the TCB it reports: its extensions
 * must name the same chip and the same reported_tcb, or a report from a patched-out
 * firmware could be passed off under a current certificate.
 */
static enum snp_verify_status check_binding(const struct snp_report *r, X509 *vcek,
                                            struct snp_verify_result *res)
{
    char why[WHY_SIZE];
    if (r->version >= 3 && r->cpuid_fam_id == CPUID_FAMILY_TURIN)
        return failf(res, SNP_VERIFY_TCB_BINDING,
                     "the report is from CPUID family 0x%x (Turin), whose TCB layout is not "
                     "supported",
                     r->cpuid_fam_id);

    struct snp_tcb t = snp_tcb_decode(r->reported_tcb);
    const struct {
        const char *oid, *what;
        int reported;
    } spl[] = {
        {OID_BL_SPL, "bootloader", t.bootloader},
        {OID_TEE_SPL, "tee", t.tee},
        {OID_SNP_SPL, "snp", t.snp},
        {OID_UCODE_SPL, "ucode", t.microcode},
    };
    for (size_t i = 0; i < sizeof(spl) / sizeof(spl[0]); i++) {
        int cert_spl;
        if (!read_spl(vcek, spl[i].oid, spl[i].what, &cert_spl, why, sizeof(why)))
            return failf(res, SNP_VERIFY_TCB_BINDING, "%s", why);
        if (cert_spl != spl[i].reported)
            return failf(res, SNP_VERIFY_TCB_BINDING,
                         "reported_tcb has %s=%d but the VCEK is for %s=%d", spl[i].what,
                         spl[i].reported, spl[i].what, cert_spl);
    }

    uint8_t hwid[SNP_CHIP_ID_SIZE];
    if (!read_hwid(vcek, hwid, why, sizeof(why)))
        return failf(res, SNP_VERIFY_TCB_BINDING, "%s", why);
    if (all_zero(r->chip_id, sizeof(r->chip_id)))
        return failf(res, SNP_VERIFY_TCB_BINDING,
                     "the report's chip_id is masked (all zero), so it cannot be matched to "
                     "the VCEK");
    if (memcmp(hwid, r->chip_id, sizeof(hwid)) != 0)
        return failf(res, SNP_VERIFY_TCB_BINDING,
                     "the report's chip_id differs from the VCEK's hwID (another chip's VCEK)");
    return SNP_VERIFY_OK;
}

/* Compares a field with its expected value; on a difference names both in hex. */
static enum snp_verify_status check_bytes(enum snp_verify_status st, const uint8_t *got,
                                          const uint8_t *want, size_t n,
                                          struct snp_verify_result *res)
{
    if (want == NULL || memcmp(got, want, n) == 0)
        return SNP_VERIFY_OK;
    char got_hex[2 * SNP_REPORT_DATA_SIZE + 1], want_hex[2 * SNP_REPORT_DATA_SIZE + 1];
    hex_encode(got, n, got_hex);
    hex_encode(want, n, want_hex);
    return failf(res, st, "is %s, expected %s", got_hex, want_hex);
}

static enum snp_verify_status check_min_tcb(const struct snp_report *r, struct snp_tcb min,
                                            struct snp_verify_result *res)
{
    struct snp_tcb t = snp_tcb_decode(r->reported_tcb);
    const struct {
        const char *what;
        int have, min;
    } c[] = {
        {"bootloader", t.bootloader, min.bootloader},
        {"tee", t.tee, min.tee},
        {"snp", t.snp, min.snp},
        {"ucode", t.microcode, min.microcode},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        if (c[i].have < c[i].min)
            return failf(res, SNP_VERIFY_MIN_TCB, "reported_tcb %s=%d is below the minimum %d",
                         c[i].what, c[i].have, c[i].min);
    return SNP_VERIFY_OK;
}

enum snp_verify_status snp_verify(const uint8_t *report, size_t len, X509 *vcek,
                                  const struct snp_verify_opts *opts, struct snp_verify_result *res)
{
    static const struct snp_verify_opts defaults;
    const struct snp_verify_opts *o = opts ? opts : &defaults;
    enum snp_verify_status st;
    char why[WHY_SIZE];

    memset(res, 0, sizeof(*res));
    if (report == NULL || vcek == NULL)
        return failf(res, SNP_VERIFY_INPUT, "no %s given", report == NULL ? "report" : "VCEK");
    if (snp_report_parse(report, len, &res->report, why, sizeof(why)) != 0)
        return failf(res, SNP_VERIFY_REPORT, "%s", why);
    res->report_parsed = true;
    const struct snp_report *r = &res->report;
    read_product(vcek, res->product, sizeof(res->product));

    if ((st = check_chain(vcek, o, res)) != SNP_VERIFY_OK ||
        (st = check_signature(report, r, vcek, res)) != SNP_VERIFY_OK ||
        (st = check_binding(r, vcek, res)) != SNP_VERIFY_OK)
        return st;

    if ((r->policy & SNP_POLICY_DEBUG) && !o->allow_debug)
        return failf(res, SNP_VERIFY_POLICY,
                     "the guest policy 0x%llx allows debugging (bit 19), and debug was not "
                     "allowed",
                     (unsigned long long)r->policy);
    if (!o->any_vmpl && r->vmpl != o->vmpl)
        return failf(res, SNP_VERIFY_VMPL, "the report is from VMPL %u, expected VMPL %u", r->vmpl,
                     o->vmpl);

    if ((st = check_bytes(SNP_VERIFY_MEASUREMENT, r->measurement, o->expect_measurement,
                          SNP_MEASUREMENT_SIZE, res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_REPORT_DATA, r->report_data, o->expect_report_data,
                          SNP_REPORT_DATA_SIZE, res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_HOST_DATA, r->host_data, o->expect_host_data,
                          SNP_HOST_DATA_SIZE, res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_ID_KEY, r->id_key_digest, o->expect_id_key_digest,
                          sizeof(r->id_key_digest), res)) != SNP_VERIFY_OK ||
        (st = check_bytes(SNP_VERIFY_AUTHOR_KEY, r->author_key_digest, o->expect_author_key_digest,
                          sizeof(r->author_key_digest), res)) != SNP_VERIFY_OK)
        return st;
    if (o->check_min_tcb && (st = check_min_tcb(r, o->min_tcb, res)) != SNP_VERIFY_OK)
        return st;

    res->status = SNP_VERIFY_OK;
    snprintf(res->message, sizeof(res->message), "ok");
    return SNP_VERIFY_OK;
}

int snp_report_sign(uint8_t report[SNP_REPORT_SIZE], EVP_PKEY *key)
{
    /* r and s are adjacent in the report, as amd_sig lays them out */
    _Static_assert(SNP_REPORT_SIG_S_OFFSET == SNP_REPORT_SIG_R_OFFSET + AMD_SIG_COMPONENT,
                   "report r, s");
    if (!is_p384(key))
        return -1;
    return amd_sig_sign(key, report, SNP_REPORT_SIGNED_SIZE, report + SNP_REPORT_SIG_R_OFFSET);
}
