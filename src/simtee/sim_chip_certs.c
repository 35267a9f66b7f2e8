/*
 * Making a chip: its keys, its ID, its certificates and chip.json, in memory.
 *
 * The certificates copy AMD's profile (what a genuine Milan chain and VCEK hold) so
 * that snp_verify, which holds every chain to that profile, needs no special case:
 * RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt; ARK and ASK CA
 * certificates; the VCEK's AMD extensions in AMD's order and encoding. Every name says
 * "simulated", and carries the first bytes of the chip ID so two chips' roots are told
 * apart by name as well as by key.
 */
#include "simtee/sim_chip_internal.h"
#include "common/error_line.h"
#include "common/hex.h"

#include <stdbool.h>
#include <stdio.h>

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#define PSS_SALT_LEN     48
#define ROOT_DAYS        (25 * 365 + 6) /* AMD's ARK and ASK: 25 years */
#define VCEK_DAYS        (7 * 365 + 2)  /* AMD's VCEKs: 7 years */
#define BACKDATE_SECONDS 86400L         /* usable at once, even on a host whose clock lags */

/* "O=Cloister, OU=Simulated AMD secure processor, CN=Cloister simulated <role> <id>". */
static X509_NAME *sim_name(const char *role, const uint8_t chip_id[SNP_CHIP_ID_SIZE])
{
    char id[9], cn[64];
    hex_encode(chip_id, 4, id);
    snprintf(cn, sizeof(cn), "Cloister simulated %s %s", role, id);
    X509_NAME *name = X509_NAME_new();
    if (name == NULL ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Cloister", -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC,
                                    (const unsigned char *)"Simulated AMD secure processor", -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                    0)) {
        X509_NAME_free(name);
        return NULL;
    }
    return name;
}

/* A version-3 certificate with a random positive serial, valid from a day ago for days. */
static X509 *new_cert(X509_NAME *subject, X509_NAME *issuer, EVP_PKEY *pub, long days)
{
    X509 *x = X509_new();
    BIGNUM *serial = BN_new();
    bool ok = x && serial && X509_set_version(x, X509_VERSION_3) &&
              BN_rand(serial, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
              BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
              X509_gmtime_adj(X509_getm_notBefore(x), -BACKDATE_SECONDS) &&
              X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) &&
              X509_set_subject_name(x, subject) && X509_set_issuer_name(x, issuer) &&
              X509_set_pubkey(x, pub);
    BN_free(serial);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* A standard extension from its configuration text (issuer NULL: self-issued). */
static bool add_std_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    bool ok = e != NULL && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

static bool add_raw_ext(X509 *x, const char *oid, const struct ext_value *v)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    bool ok = obj && os && ASN1_OCTET_STRING_set(os, v->der, v->len) == 1 &&
              (e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) != NULL &&
              X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return ok;
}

/* Signs x as AMD signs its certificates: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48. */
static bool sign_amd(X509 *x, EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    bool ok = md && EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PSS_SALT_LEN) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) == 1 && X509_sign_ctx(x, md) > 0;
    EVP_MD_CTX_free(md);
    return ok;
}

void sim_chip_certs_free(struct new_chip *n)
{
    EVP_PKEY_free(n->ark_key);
    EVP_PKEY_free(n->ask_key);
    EVP_PKEY_free(n->vcek_key);
    X509_free(n->ark);
    X509_free(n->ask);
    X509_free(n->vcek);
    json_decref(n->json);
}

static X509 *make_ark(struct new_chip *n, const uint8_t *chip_id)
{
    X509_NAME *name = sim_name("ARK", chip_id);
    X509 *x = name ? new_cert(name, name, n->ark_key, ROOT_DAYS) : NULL;
    X509_NAME_free(name);
    if (x && add_std_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign") &&
        add_std_ext(x, NULL, NID_subject_key_identifier, "hash") &&
        add_std_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE") && sign_amd(x, n->ark_key))
        return x;
    X509_free(x);
    return NULL;
}

static X509 *make_ask(struct new_chip *n, const uint8_t *chip_id)
{
    X509_NAME *name = sim_name("ASK", chip_id);
    X509 *x = name ? new_cert(name, X509_get_subject_name(n->ark), n->ask_key, ROOT_DAYS) : NULL;
    X509_NAME_free(name);
    if (x && add_std_ext(x, n->ark, NID_subject_key_identifier, "hash") &&
        add_std_ext(x, n->ark, NID_authority_key_identifier, "keyid:always") &&
        add_std_ext(x, n->ark, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
        add_std_ext(x, n->ark, NID_key_usage, "critical,keyCertSign") && sign_amd(x, n->ark_key))
        return x;
    X509_free(x);
    return NULL;
}

/* The VCEK, like AMD's, carries only AMD's extensions. */
static X509 *make_vcek(struct new_chip *n, const uint8_t *chip_id, uint64_t tcb)
{
    struct ext_value v[EXT_COUNT];
    X509_NAME *name = sim_name("VCEK", chip_id);
    X509 *x = name ? new_cert(name, X509_get_subject_name(n->ask), n->vcek_key, VCEK_DAYS) : NULL;
    X509_NAME_free(name);
    bool ok = x != NULL && sim_chip_ext_values(chip_id, tcb, v) == 0;
    for (int i = 0; ok && i < EXT_COUNT; i++)
        ok = add_raw_ext(x, sim_chip_ext_oid[i], &v[i]);
    if (ok && sign_amd(x, n->ask_key))
        return x;
    X509_free(x);
    return NULL;
}

static json_t *make_json(const uint8_t *chip_id, const struct sim_chip_params *p)
{
    char hex[2 * SNP_CHIP_ID_SIZE + 1];
    hex_encode(chip_id, SNP_CHIP_ID_SIZE, hex);
    return json_pack("{s:s, s:i, s:s, s:{s:i, s:i, s:i, s:i}, s:{s:i, s:i, s:i}}", "about",
                     "a simulated AMD secure processor made by `cloister sim init`; no verifier "
                     "trusts it unless told to (docs/sim-tee.md)",
                     "format", CHIP_JSON_FORMAT, "chip_id", hex, "tcb", "bootloader",
                     p->tcb.bootloader, "tee", p->tcb.tee, "snp", p->tcb.snp, "microcode",
                     p->tcb.microcode, "firmware", "major", p->fw_major, "minor", p->fw_minor,
                     "build", p->fw_build);
}

int sim_chip_certs_make(const struct sim_chip_params *p, struct new_chip *n, char *err,
                        size_t err_size)
{
    uint8_t chip_id[SNP_CHIP_ID_SIZE];
    if (RAND_bytes(chip_id, sizeof(chip_id)) != 1)
        return crypto_error_line(err, err_size, "cannot get random bytes for the chip ID");
    if ((n->ark_key = EVP_RSA_gen(p->rsa_bits)) == NULL ||
        (n->ask_key = EVP_RSA_gen(p->rsa_bits)) == NULL ||
        (n->vcek_key = EVP_EC_gen("P-384")) == NULL)
        return crypto_error_line(err, err_size, "cannot generate the chip's keys");
    if ((n->ark = make_ark(n, chip_id)) == NULL || (n->ask = make_ask(n, chip_id)) == NULL ||
        (n->vcek = make_vcek(n, chip_id, snp_tcb_encode(p->tcb))) == NULL)
        return crypto_error_line(err, err_size, "cannot make the chip's certificates");
    if ((n->json = make_json(chip_id, p)) == NULL)
        return crypto_error_line(err, err_size, "cannot describe the chip in %s", SIM_CHIP_JSON);
    return 0;
}
