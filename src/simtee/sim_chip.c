/*
 * The simulated AMD secure processor's keys and certificates: made once by
 * sim_chip_init, kept as files (docs/sim-tee.md), loaded and cross-checked by
 * sim_chip_load, and handed to guests as a GHCB certificate table.
 *
 * The certificates copy AMD's profile (what a genuine Milan chain and VCEK hold) so
 * that snp_verify, which holds every chain to that profile, needs no special case:
 * RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt; ARK and ASK CA
 * certificates; the VCEK's AMD extensions in AMD's order and encoding. Every name says
 * "simulated", and carries the first bytes of the chip ID so two chips' roots are told
 * apart by name as well as by key.
 */
#include "simtee/sim_chip.h"
#include "common/error_line.h"
#include "common/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

/*
 * A Milan chip on SEV firmware 1.52 build 4 with the TCB of the genuine report in
 * tests/fixtures: a combination real hardware has shown, and one whose reports are
 * version 2 (firmware 1.55 and later add the CPUID fields of version 3).
 */
const struct sim_chip_params sim_chip_default_params = {
    .rsa_bits = 4096,
    .tcb = {.bootloader = 3, .tee = 0, .snp = 8, .microcode = 115},
    .fw_major = 1,
    .fw_minor = 52,
    .fw_build = 4,
};

#define CHIP_JSON_FORMAT 1
#define PSS_SALT_LEN     48
#define ROOT_DAYS        (25 * 365 + 6) /* AMD's ARK and ASK: 25 years */
#define VCEK_DAYS        (7 * 365 + 2)  /* AMD's VCEKs: 7 years */
#define BACKDATE_SECONDS 86400L         /* usable at once, even on a host whose clock lags */
#define PRODUCT_NAME     "Cloister-Sim"

/* AMD's VCEK extensions (AMD KDS specification), in the order AMD's certificates hold them. */
enum vcek_ext {
    EXT_STRUCT_VERSION,
    EXT_PRODUCT_NAME,
    EXT_BL_SPL,
    EXT_TEE_SPL,
    EXT_SPL_4,
    EXT_SPL_5,
    EXT_SPL_6,
    EXT_SPL_7,
    EXT_SNP_SPL,
    EXT_UCODE_SPL,
    EXT_HWID,
    EXT_COUNT
};

static const char *const vcek_ext_oid[EXT_COUNT] = {
    [EXT_STRUCT_VERSION] = "1.3.6.1.4.1.3704.1.1", [EXT_PRODUCT_NAME] = "1.3.6.1.4.1.3704.1.2",
    [EXT_BL_SPL] = "1.3.6.1.4.1.3704.1.3.1",       [EXT_TEE_SPL] = "1.3.6.1.4.1.3704.1.3.2",
    [EXT_SPL_4] = "1.3.6.1.4.1.3704.1.3.4",        [EXT_SPL_5] = "1.3.6.1.4.1.3704.1.3.5",
    [EXT_SPL_6] = "1.3.6.1.4.1.3704.1.3.6",        [EXT_SPL_7] = "1.3.6.1.4.1.3704.1.3.7",
    [EXT_SNP_SPL] = "1.3.6.1.4.1.3704.1.3.3",      [EXT_UCODE_SPL] = "1.3.6.1.4.1.3704.1.3.8",
    [EXT_HWID] = "1.3.6.1.4.1.3704.1.4",
};

/* An extension's value: the DER bytes inside its OCTET STRING. */
struct ext_value {
    unsigned char der[SNP_CHIP_ID_SIZE];
    int len;
};

/* The chip files, in the order sim_chip_init writes them: chip.json last marks completion. */
static const char *const chip_files[] = {SIM_CHIP_ARK_KEY,  SIM_CHIP_ASK_KEY,  SIM_CHIP_VCEK_KEY,
                                         SIM_CHIP_ARK_CERT, SIM_CHIP_ASK_CERT, SIM_CHIP_VCEK_CERT,
                                         SIM_CHIP_JSON};
#define CHIP_FILE_COUNT (sizeof(chip_files) / sizeof(chip_files[0]))

static int join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

const char *sim_chip_default_dir(void)
{
    static char buf[PATH_MAX];
    const char *env;
    int n;
    if ((env = getenv("CLOISTER_SIM_DIR")) != NULL && env[0] != '\0')
        n = snprintf(buf, sizeof(buf), "%s", env);
    else if ((env = getenv("XDG_DATA_HOME")) != NULL && env[0] == '/')
        n = snprintf(buf, sizeof(buf), "%s/cloister/sim", env);
    else if ((env = getenv("HOME")) != NULL && env[0] != '\0')
        n = snprintf(buf, sizeof(buf), "%s/.local/share/cloister/sim", env);
    else
        return NULL;
    return n > 0 && (size_t)n < sizeof(buf) ? buf : NULL;
}

/* ---- the VCEK's AMD extensions ---- */

/* A security patch level as AMD encodes it: a DER INTEGER (0x73 is 02 01 73). */
static int spl_der(long v, struct ext_value *out)
{
    ASN1_INTEGER *ai = ASN1_INTEGER_new();
    unsigned char *p = out->der;
    out->len = ai && ASN1_INTEGER_set(ai, v) == 1 ? i2d_ASN1_INTEGER(ai, NULL) : -1;
    if (out->len <= 0 || out->len > (int)sizeof(out->der) || i2d_ASN1_INTEGER(ai, &p) != out->len)
        out->len = -1;
    ASN1_INTEGER_free(ai);
    return out->len > 0 ? 0 : -1;
}

static int ia5_der(const char *s, struct ext_value *out)
{
    ASN1_IA5STRING *str = ASN1_IA5STRING_new();
    unsigned char *p = out->der;
    out->len = str && ASN1_STRING_set(str, s, -1) == 1 ? i2d_ASN1_IA5STRING(str, NULL) : -1;
    if (out->len <= 0 || out->len > (int)sizeof(out->der) ||
        i2d_ASN1_IA5STRING(str, &p) != out->len)
        out->len = -1;
    ASN1_IA5STRING_free(str);
    return out->len > 0 ? 0 : -1;
}

/*
 * The values of the VCEK's extensions for a chip: the same bytes sim_chip_init writes
 * and sim_chip_load expects. The hwID is the 64 raw bytes of the chip ID, as AMD's
 * key distribution service issues it; structVersion is 0, as in AMD's VCEKs.
 */
static int vcek_ext_values(const uint8_t chip_id[SNP_CHIP_ID_SIZE], uint64_t reported_tcb,
                           struct ext_value v[EXT_COUNT])
{
    struct snp_tcb t = snp_tcb_decode(reported_tcb);
    if (spl_der(0, &v[EXT_STRUCT_VERSION]) || ia5_der(PRODUCT_NAME, &v[EXT_PRODUCT_NAME]) ||
        spl_der(t.bootloader, &v[EXT_BL_SPL]) || spl_der(t.tee, &v[EXT_TEE_SPL]) ||
        spl_der(0, &v[EXT_SPL_4]) || spl_der(0, &v[EXT_SPL_5]) || spl_der(0, &v[EXT_SPL_6]) ||
        spl_der(0, &v[EXT_SPL_7]) || spl_der(t.snp, &v[EXT_SNP_SPL]) ||
        spl_der(t.microcode, &v[EXT_UCODE_SPL]))
        return -1;
    memcpy(v[EXT_HWID].der, chip_id, SNP_CHIP_ID_SIZE);
    v[EXT_HWID].len = SNP_CHIP_ID_SIZE;
    return 0;
}

/* ---- making the certificates ---- */

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

/* Everything a new chip is made of, before it is written. */
struct new_chip {
    EVP_PKEY *ark_key, *ask_key, *vcek_key;
    X509 *ark, *ask, *vcek;
    json_t *json;
};

static void new_chip_free(struct new_chip *n)
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
    bool ok = x != NULL && vcek_ext_values(chip_id, tcb, v) == 0;
    for (int i = 0; ok && i < EXT_COUNT; i++)
        ok = add_raw_ext(x, vcek_ext_oid[i], &v[i]);
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

static int make_chip(const struct sim_chip_params *p, struct new_chip *n, char *err,
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

/* ---- writing the files ---- */

/* Creates dir and its missing parents as 0700, and makes dir itself no looser than 0700. */
static int make_dirs(const char *dir, char *err, size_t err_size)
{
    char path[PATH_MAX];
    if (dir[0] == '\0')
        return crypto_error_line(err, err_size, "an empty directory name");
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
        return crypto_error_line(err, err_size, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return crypto_error_line(err, err_size, "cannot create %s: %s", path, strerror(errno));
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return crypto_error_line(err, err_size, "%s is not a directory", dir);
    /* It holds private keys: nobody else may list or read it. */
    if ((st.st_mode & 077) != 0 && chmod(dir, 0700) != 0)
        return crypto_error_line(err, err_size, "cannot make %s private (mode 0700): %s", dir,
                                 strerror(errno));
    return 0;
}

enum file_kind { FILE_CERT, FILE_KEY, FILE_JSON };

static bool emit(FILE *f, enum file_kind kind, void *obj)
{
    switch (kind) {
    case FILE_CERT:
        return PEM_write_X509(f, obj) == 1;
    case FILE_KEY:
        /* OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY"); no cipher: the file mode protects it. */
        return PEM_write_PrivateKey(f, obj, NULL, NULL, 0, NULL, NULL) == 1;
    case FILE_JSON:
        return json_dumpf(obj, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
               fputc('\n', f) != EOF;
    }
    return false;
}

/*
 * Writes dir/name with exactly mode (whatever the umask), under a temporary name first
 * so that a reader never sees half a file, then renames it into place.
 */
static int write_file(const char *dir, const char *name, mode_t mode, enum file_kind kind,
                      void *obj, char *err, size_t err_size)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    char tmp_name[64];
    snprintf(tmp_name, sizeof(tmp_name), ".%s.tmp", name);
    if (join(path, sizeof(path), dir, name) || join(tmp, sizeof(tmp), dir, tmp_name))
        return crypto_error_line(err, err_size, "%s: path too long", dir);
    unlink(tmp); /* left over from an interrupted init */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return crypto_error_line(err, err_size, "cannot create %s: %s", tmp, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        return crypto_error_line(err, err_size, "cannot write %s: %s", tmp, strerror(saved));
    }
    errno = 0;
    bool ok = fchmod(fd, mode) == 0 && emit(f, kind, obj) && fflush(f) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        return crypto_error_line(err, err_size, "cannot write %s: %s", path,
                                 saved ? strerror(saved) : "cannot encode it");
    }
    return 0;
}

static int write_chip(const char *dir, struct new_chip *n, char *err, size_t err_size)
{
    const struct {
        const char *name;
        mode_t mode;
        enum file_kind kind;
        void *obj;
    } files[] = {
        {SIM_CHIP_ARK_KEY, 0600, FILE_KEY, n->ark_key},
        {SIM_CHIP_ASK_KEY, 0600, FILE_KEY, n->ask_key},
        {SIM_CHIP_VCEK_KEY, 0600, FILE_KEY, n->vcek_key},
        {SIM_CHIP_ARK_CERT, 0644, FILE_CERT, n->ark},
        {SIM_CHIP_ASK_CERT, 0644, FILE_CERT, n->ask},
        {SIM_CHIP_VCEK_CERT, 0644, FILE_CERT, n->vcek},
        {SIM_CHIP_JSON, 0644, FILE_JSON, n->json},
    };
    _Static_assert(sizeof(files) / sizeof(files[0]) == CHIP_FILE_COUNT, "every chip file");
    for (size_t i = 0; i < CHIP_FILE_COUNT; i++)
        if (write_file(dir, files[i].name, files[i].mode, files[i].kind, files[i].obj, err,
                       err_size))
            return -1;
    return 0;
}

int sim_chip_init_with(const char *dir, bool force, const struct sim_chip_params *p, char *err,
                       size_t err_size)
{
    if (dir == NULL && (dir = sim_chip_default_dir()) == NULL)
        return crypto_error_line(err, err_size,
                                 "no directory for the simulated chip: set CLOISTER_SIM_DIR "
                                 "or HOME");
    if (p == NULL || p->rsa_bits < 2048)
        return crypto_error_line(err, err_size,
                                 "the ARK and ASK need RSA keys of 2048 bits or more");
    char path[PATH_MAX];
    struct stat st;
    for (size_t i = 0; !force && i < CHIP_FILE_COUNT; i++) {
        if (join(path, sizeof(path), dir, chip_files[i]))
            return crypto_error_line(err, err_size, "%s: path too long", dir);
        if (lstat(path, &st) == 0) {
            crypto_error_line(err, err_size, "%s already holds a simulated chip (%s exists)", dir,
                              chip_files[i]);
            return SIM_CHIP_EXISTS;
        }
    }

    /* The directory first: a path that cannot be made fails before seconds of key search. */
    struct new_chip n = {0};
    int rc = make_dirs(dir, err, err_size);
    if (rc == 0)
        rc = make_chip(p, &n, err, err_size);
    if (rc == 0)
        rc = write_chip(dir, &n, err, err_size);
    new_chip_free(&n);
    return rc;
}

int sim_chip_init(const char *dir, bool force, char *err, size_t err_size)
{
    return sim_chip_init_with(dir, force, &sim_chip_default_params, err, err_size);
}

/* ---- loading and checking ---- */

/* DIR/NAME opened for reading, its path in path; NULL with err filled. */
static FILE *open_pem(const char *dir, const char *name, char path[PATH_MAX], char *err,
                      size_t err_size)
{
    if (join(path, PATH_MAX, dir, name)) {
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
    if (join(path, sizeof(path), dir, SIM_CHIP_JSON))
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
    if (vcek_ext_values(c->chip_id, c->reported_tcb, want) != 0) {
        *which = "any";
        return false;
    }
    for (int i = 0; i < EXT_COUNT; i++) {
        ASN1_OBJECT *obj = OBJ_txt2obj(vcek_ext_oid[i], 1);
        int at = obj ? X509_get_ext_by_OBJ(vcek, obj, -1) : -1;
        bool twice = at >= 0 && X509_get_ext_by_OBJ(vcek, obj, at) >= 0;
        ASN1_OBJECT_free(obj);
        const ASN1_OCTET_STRING *v =
            at >= 0 ? X509_EXTENSION_get_data(X509_get_ext(vcek, at)) : NULL;
        if (v == NULL || twice || ASN1_STRING_length(v) != want[i].len ||
            memcmp(ASN1_STRING_get0_data(v), want[i].der, (size_t)want[i].len) != 0) {
            *which = vcek_ext_oid[i];
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

/* ---- what the host hands out ---- */

/* The GHCB specification's GUIDs, stored in their string's byte order (as Linux, AMD's
 * tools and go-sev-guest read them). */
static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                     0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
static const uint8_t guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                     0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int sim_chip_cert_table(const struct sim_chip *c, uint8_t **out, size_t *len, char *err,
                        size_t err_size)
{
    const struct {
        const uint8_t *guid;
        X509 *cert;
    } entries[] = {{guid_vcek, c->vcek}, {guid_ask, c->ask}, {guid_ark, c->ark}};
    enum { N = sizeof(entries) / sizeof(entries[0]) };
    unsigned char *der[N] = {0};
    int der_len[N];
    size_t total = (N + 1) * SIM_CERT_TABLE_ENTRY_SIZE;
    int rc = -1;

    *out = NULL;
    *len = 0;
    for (int i = 0; i < N; i++) {
        if (entries[i].cert == NULL || (der_len[i] = i2d_X509(entries[i].cert, &der[i])) <= 0) {
            crypto_error_line(err, err_size, "cannot encode the chip's certificates");
            goto out;
        }
        total += (size_t)der_len[i];
    }
    uint8_t *table = calloc(1, total); /* the zero entry after the last is the terminator */
    if (table == NULL) {
        crypto_error_line(err, err_size, "out of memory");
        goto out;
    }
    size_t at = (N + 1) * SIM_CERT_TABLE_ENTRY_SIZE;
    for (int i = 0; i < N; i++) {
        uint8_t *e = table + i * SIM_CERT_TABLE_ENTRY_SIZE;
        memcpy(e, entries[i].guid, 16);
        put_le32(e + 16, (uint32_t)at);
        put_le32(e + 20, (uint32_t)der_len[i]);
        memcpy(table + at, der[i], (size_t)der_len[i]);
        at += (size_t)der_len[i];
    }
    *out = table;
    *len = total;
    rc = 0;
out:
    for (int i = 0; i < N; i++)
        OPENSSL_free(der[i]);
    return rc;
}

int sim_chip_ark_fingerprint(const struct sim_chip *c, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    if (c->ark == NULL || X509_digest(c->ark, EVP_sha256(), md, &n) != 1 || n != sizeof(md))
        return crypto_error_line(NULL, 0, "no ARK");
    hex_encode(md, sizeof(md), hex);
    return 0;
}
