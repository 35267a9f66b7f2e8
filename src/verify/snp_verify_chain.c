/*
 * The certificate chain from the VCEK to a trusted root: finding the ASK and ARK (given,
 * built in, or the caller's extra root), requiring the ARK to be trusted byte for byte,
 * and checking each link against AMD's profile (RSASSA-PSS parameters, CA flags,
 * validity periods).
 */
#include "verify/snp_verify_internal.h"

#include "verify/amd_roots.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

/* AMD signs its certificates with RSASSA-PSS, SHA-384, MGF1-SHA-384, 48-byte salt. */
#define PSS_SALT_LEN 48

/* A certificate name for messages: its common name, or the whole name if it has none. */
static void name_text(const X509_NAME *name, char *out, size_t outlen)
{
    char buf[256];
    int n = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof(buf));
    if (n < 0) {
        X509_NAME_oneline(name, buf, sizeof(buf));
        n = (int)strlen(buf);
    }
    snp_verify_sanitize((const unsigned char *)buf, (size_t)n, out, outlen);
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

/* Sorts the caller's certificates (at most two) into the ARK, self-issued, and the ASK. */
static enum snp_verify_status sort_given(STACK_OF(X509) * chain, X509 **ask, X509 **ark,
                                         struct snp_verify_result *res)
{
    int given = chain ? sk_X509_num(chain) : 0;
    if (given > 2)
        return snp_verify_failf(res, SNP_VERIFY_CHAIN,
                                "%d certificates given; expected the ASK, the ARK, or both", given);
    for (int i = 0; i < given; i++) {
        X509 *c = sk_X509_value(chain, i);
        X509 **slot = self_issued(c) ? ark : ask;
        if (*slot != NULL)
            return snp_verify_failf(res, SNP_VERIFY_CHAIN, "two %s certificates given",
                                    slot == ark ? "self-signed (ARK)" : "intermediate (ASK)");
        *slot = c;
    }
    return SNP_VERIFY_OK;
}

/*
 * Fills in what the caller did not give: the ASK that issued the VCEK among the built-in
 * ASKs, and the ARK that issued the ASK, the caller's extra root before the built-ins.
 */
static enum snp_verify_status find_missing(X509 *vcek, const struct snp_verify_opts *o,
                                           STACK_OF(X509) * arks, STACK_OF(X509) * asks, X509 **ask,
                                           X509 **ark, struct snp_verify_result *res)
{
    char name[64];
    if (*ask == NULL) {
        *ask = find_by_subject(asks, X509_get_issuer_name(vcek));
        if (*ask == NULL) {
            name_text(X509_get_issuer_name(vcek), name, sizeof(name));
            return snp_verify_failf(
                res, SNP_VERIFY_CHAIN,
                "no ASK given, and the VCEK's issuer '%s' is not a built-in AMD ASK", name);
        }
    }
    if (*ark == NULL) {
        const X509_NAME *want = X509_get_issuer_name(*ask);
        if (o->extra_root && X509_NAME_cmp(X509_get_subject_name(o->extra_root), want) == 0)
            *ark = o->extra_root;
        else
            *ark = find_by_subject(arks, want);
        if (*ark == NULL) {
            name_text(want, name, sizeof(name));
            return snp_verify_failf(res, SNP_VERIFY_CHAIN,
                                    "no ARK given, and the ASK's issuer '%s' is not a trusted root",
                                    name);
        }
    }
    return SNP_VERIFY_OK;
}

/*
 * The root of trust: the ARK must be, byte for byte, one the caller trusts (the extra
 * root or a built-in AMD ARK); res->root says which.
 */
static enum snp_verify_status check_trusted(X509 *ark, const struct snp_verify_opts *o,
                                            STACK_OF(X509) * arks, struct snp_verify_result *res)
{
    char name[64];
    name_text(X509_get_subject_name(ark), name, sizeof(name));
    if (o->extra_root && same_cert(ark, o->extra_root)) {
        snprintf(res->root, sizeof(res->root), "extra root %s", name);
        return SNP_VERIFY_OK;
    }
    for (int i = 0; i < sk_X509_num(arks); i++) {
        if (same_cert(ark, sk_X509_value(arks, i))) {
            snprintf(res->root, sizeof(res->root), "AMD %s", name);
            return SNP_VERIFY_OK;
        }
    }
    return snp_verify_failf(res, SNP_VERIFY_CHAIN, "the ARK '%s' is not a trusted root", name);
}

/* Every signature and CA flag from the ARK down to the VCEK, then every validity period. */
static enum snp_verify_status check_links(X509 *vcek, X509 *ask, X509 *ark, time_t now,
                                          struct snp_verify_result *res)
{
    char why[WHY_SIZE];
    if (!check_link(ark, "ARK", ark, "ARK", why, sizeof(why)) ||
        !check_ca(ark, "ARK", why, sizeof(why)) ||
        !check_link(ask, "ASK", ark, "ARK", why, sizeof(why)) ||
        !check_ca(ask, "ASK", why, sizeof(why)) ||
        !check_link(vcek, "VCEK", ask, "ASK", why, sizeof(why)) ||
        !check_validity(ark, "ARK", now, why, sizeof(why)) ||
        !check_validity(ask, "ASK", now, why, sizeof(why)) ||
        !check_validity(vcek, "VCEK", now, why, sizeof(why)))
        return snp_verify_failf(res, SNP_VERIFY_CHAIN, "%s", why);
    return SNP_VERIFY_OK;
}

/*
 * Finds the ASK and ARK for vcek (from opts->chain, else the built-ins and trusted
 * roots), requires the ARK to be a trusted root, and checks every signature, CA flag
 * and validity period from the ARK down to the VCEK.
 */
enum snp_verify_status snp_verify_chain_check(X509 *vcek, const struct snp_verify_opts *o,
                                              struct snp_verify_result *res)
{
    enum snp_verify_status st;
    STACK_OF(X509) *arks = NULL, *asks = NULL;
    X509 *ask = NULL, *ark = NULL;

    if (load_builtins(&arks, &asks) != 0)
        st = snp_verify_failf(res, SNP_VERIFY_CHAIN, "cannot load the built-in AMD certificates");
    else if ((st = sort_given(o->chain, &ask, &ark, res)) == SNP_VERIFY_OK &&
             (st = find_missing(vcek, o, arks, asks, &ask, &ark, res)) == SNP_VERIFY_OK &&
             (st = check_trusted(ark, o, arks, res)) == SNP_VERIFY_OK)
        st = check_links(vcek, ask, ark, o->now ? o->now : time(NULL), res);
    /* The built-in stacks own their certificates; ask and ark may point into them. */
    sk_X509_pop_free(arks, X509_free);
    sk_X509_pop_free(asks, X509_free);
    return st;
}
