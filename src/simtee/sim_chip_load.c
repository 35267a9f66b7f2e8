/* Loading a chip (sim_chip_load) and checking that its files belong together. */
#include "simtee/sim_chip.h"
#include "simtee/sim_chip_internal.h"
#include "common/error_line.h"
#include "common/hex.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

/* DIR/NAME opened for reading, its path in path; NULL with err filled. */
static FILE *open_pem(const char *dir, const char *name, char path[PATH_MAX], char *err,
                      size_t err_size)
{
    if (sim_chip_join(path, PATH_MAX, dir, name)) {
        crypto_error_line(err, err_size, "%s: path too long", dir);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL)
        crypto_error_line(err, err_size, "cannot open %s: %s", path, strerror(errno));
    return f;
}

static X509 *read_cert(const char *dir, const char *name, char *err, size_t err_size)
{
    char path[PATH_MAX];
    FILE *f = open_pem(dir, name, path, err, err_size);
    if (f == NULL)
        return NULL;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (x == NULL)
        crypto_error_line(err, err_size, "%s is not a PEM certificate", path);
    return x;
}

static EVP_PKEY *read_key(const char *dir, const char *name, char *err, size_t err_size)
{
    char path[PATH_MAX];
    FILE *f = open_pem(dir, name, path, err, err_size);
    if (f == NULL)
        return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (k == NULL)
        crypto_error_line(err, err_size, "%s is not a PEM private key", path);
    return k;
}

/* Reads an integer member in 0..255. */
static bool json_byte(json_t *obj, const char *key, uint8_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 255)
        return false;
    *out = (uint8_t)json_integer_value(v);
    return true;
}

static int read_json(const char *dir, struct sim_chip *c, char *err, size_t err_size)
{
    char path[PATH_MAX];
    if (sim_chip_join(path, sizeof(path), dir, SIM_CHIP_JSON))
        return crypto_error_line(err, err_size, "%s: path too long", dir);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (j == NULL)
        return crypto_error_line(err, err_size, "%s: %s", path, jerr.text);
    json_t *tcb = json_object_get(j, "tcb"), *fw = json_object_get(j, "firmware");
    json_t *format = json_object_get(j, "format");
    const char *id = json_string_value(json_object_get(j, "chip_id"));
    struct snp_tcb t;
    bool ok = json_is_integer(format) && json_integer_value(format) == CHIP_JSON_FORMAT &&
              id != NULL && hex_decode(id, c->chip_id, sizeof(c->chip_id)) == 0 &&
              json_byte(tcb, "bootloader", &t.bootloader) && json_byte(tcb, "tee", &t.tee) &&
              json_byte(tcb, "snp", &t.snp) && json_byte(tcb, "microcode", &t.microcode) &&
              json_byte(fw, "major", &c->fw_major) && json_byte(fw, "minor", &c->fw_minor) &&
              json_byte(fw, "build", &c->fw_build);
    json_decref(j);
    if (!ok)
        return crypto_error_line(
            err, err_size,
            "%s: not a chip description (format %d, chip_id of 128 hex digits, tcb and "
            "firmware numbers 0-255)",
            path, CHIP_JSON_FORMAT);
    c->reported_tcb = snp_tcb_encode(t);
    return 0;
}

/* child was issued and signed by issuer (which may be child itself). */
static bool signed_by(X509 *child, X509 *issuer)
{
    EVP_PKEY *key = X509_get0_pubkey(issuer);
    return key != NULL &&
           X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(issuer)) == 0 &&
           X509_verify(child, key) == 1;
}

/* The VCEK's AMD extensions hold exactly the values chip.json implies. */
static bool vcek_matches(X509 *vcek, const struct sim_chip *c, const char **which)
{
    struct ext_value want[EXT_COUNT];
    if (sim_chip_ext_values(c->chip_id, c->reported_tcb, want) != 0) {
        *which = "any";
        return false;
    }
    for (int i = 0; i < EXT_COUNT; i++) {
        ASN1_OBJECT *obj = OBJ_txt2obj(sim_chip_ext_oid[i], 1);
        int at = obj ? X509_get_ext_by_OBJ(vcek, obj, -1) : -1;
        bool twice = at >= 0 && X509_get_ext_by_OBJ(vcek, obj, at) >= 0;
        ASN1_OBJECT_free(obj);
        const ASN1_OCTET_STRING *v =
            at >= 0 ? X509_EXTENSION_get_data(X509_get_ext(vcek, at)) : NULL;
        if (v == NULL || twice || ASN1_STRING_length(v) != want[i].len ||
            memcmp(ASN1_STRING_get0_data(v), want[i].der, (size_t)want[i].len) != 0) {
            *which = sim_chip_ext_oid[i];
            return false;
        }
    }
    return true;
}

static int check_chip(const char *dir, struct sim_chip *c, char *err, size_t err_size)
{
    const char *which = NULL;
    if (!signed_by(c->ark, c->ark))
        return crypto_error_line(err, err_size, "%s/%s is not a self-signed root", dir,
                                 SIM_CHIP_ARK_CERT);
    if (!signed_by(c->ask, c->ark))
        return crypto_error_line(err, err_size,
                                 "%s/%s is not signed by the ARK in %s (files of two chips?)", dir,
                                 SIM_CHIP_ASK_CERT, SIM_CHIP_ARK_CERT);
    if (!signed_by(c->vcek, c->ask))
        return crypto_error_line(err, err_size,
                                 "%s/%s is not signed by the ASK in %s (files of two chips?)", dir,
                                 SIM_CHIP_VCEK_CERT, SIM_CHIP_ASK_CERT);
    if (EVP_PKEY_eq(X509_get0_pubkey(c->vcek), c->vcek_key) != 1)
        return crypto_error_line(err, err_size, "%s/%s is not the private key of the VCEK in %s",
                                 dir, SIM_CHIP_VCEK_KEY, SIM_CHIP_VCEK_CERT);
    if (!vcek_matches(c->vcek, c, &which))
        return crypto_error_line(
            err, err_size,
            "%s/%s does not match %s: its extension %s differs from the chip ID and TCB", dir,
            SIM_CHIP_VCEK_CERT, SIM_CHIP_JSON, which);
    return 0;
}

int sim_chip_load(const char *dir, struct sim_chip *c, char *err, size_t err_size)
{
    memset(c, 0, sizeof(*c));
    if (dir == NULL && (dir = sim_chip_default_dir()) == NULL)
        return crypto_error_line(err, err_size,
                                 "no directory for the simulated chip: set CLOISTER_SIM_DIR "
                                 "or HOME");
    if ((c->ark = read_cert(dir, SIM_CHIP_ARK_CERT, err, err_size)) == NULL ||
        (c->ask = read_cert(dir, SIM_CHIP_ASK_CERT, err, err_size)) == NULL ||
        (c->vcek = read_cert(dir, SIM_CHIP_VCEK_CERT, err, err_size)) == NULL ||
        (c->vcek_key = read_key(dir, SIM_CHIP_VCEK_KEY, err, err_size)) == NULL ||
        read_json(dir, c, err, err_size) != 0 || check_chip(dir, c, err, err_size) != 0) {
        sim_chip_free(c);
        return -1;
    }
    return 0;
}

void sim_chip_free(struct sim_chip *c)
{
    X509_free(c->ark);
    X509_free(c->ask);
    X509_free(c->vcek);
    EVP_PKEY_free(c->vcek_key);
    memset(c, 0, sizeof(*c));
}
