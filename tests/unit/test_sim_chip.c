/*
 * Unit tests for the simulated AMD secure processor: making a chip (its files and their
 * modes, no overwriting without force), loading it (files of two chips refused), its
 * reports (every input where it belongs; verified by snp_verify with the chip's root,
 * refused without it or with any signed byte changed), its certificate table, and the
 * commands `cloister sim` and `cloister verify --trust sim`.
 *
 * Everything happens under a temporary directory: CLOISTER_SIM_DIR and HOME point
 * there, so no run touches the real home. One chip (A) is made the way users make it,
 * by `cloister sim init` with AMD's 4096-bit keys; the others use 2048-bit keys, because
 * finding a 4096-bit RSA key takes seconds and the whole program has 20.
 */
#include "simtee/sim_chip.h"
#include "simtee/sim_report.h"
#include "verify/snp_verify.h"
#include "unit.h"

/* The commands are not in libcloister: compile them in to call them directly. */
#include "cli/cmd_sim.c"
#include "cli/cmd_verify.c"
#include "cli/option_table.c"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define POLICY 0x30000 /* SMT allowed, bit 17 set, debug not allowed */

static char root[64], dir_a[128], dir_b[128], dir_c[128], dir_empty[128];
static struct sim_chip chip_a;
static struct sim_report_input input;
static uint8_t report_a[SNP_REPORT_SIZE];
static struct sim_chip_params fast;

/* ---- helpers ---- */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void path_in(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* Reads a whole small file into buf; returns its length or -1. */
static long slurp_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    static uint8_t buf[65536];
    char from[256], to[256];
    path_in(from, sizeof(from), from_dir, name);
    path_in(to, sizeof(to), to_dir, name);
    long n = slurp_file(from, buf, sizeof(buf));
    CHECK(n > 0);
    if (n > 0)
        write_bytes(to, buf, (size_t)n);
}

static void copy_chip(const char *from_dir, const char *to_dir)
{
    static const char *const files[] = {"ark.pem", "ask.pem",  "vcek.pem", "ark.key",
                                        "ask.key", "vcek.key", "chip.json"};
    mkdir(to_dir, 0700);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        copy_file(from_dir, to_dir, files[i]);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static X509 *cert_file(const char *dir, const char *name)
{
    char path[256];
    path_in(path, sizeof(path), dir, name);
    FILE *f = fopen(path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    return x;
}

static void fill_input(struct sim_report_input *in)
{
    memset(in, 0, sizeof(*in));
    for (int i = 0; i < SNP_MEASUREMENT_SIZE; i++)
        in->measurement[i] = (uint8_t)i;
    for (int i = 0; i < SNP_REPORT_DATA_SIZE; i++)
        in->report_data[i] = (uint8_t)(0x80 + i);
    for (int i = 0; i < SNP_HOST_DATA_SIZE; i++)
        in->host_data[i] = (uint8_t)(0xc0 ^ i);
    for (int i = 0; i < 32; i++)
        in->report_id[i] = (uint8_t)(0x11 * (i % 15 + 1));
    /* Digests without their flags must not reach the report. */
    memset(in->id_key_digest, 0x1d, sizeof(in->id_key_digest));
    memset(in->author_key_digest, 0xa7, sizeof(in->author_key_digest));
    in->policy = POLICY;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* ---- running the commands ---- */

struct cli_out {
    int rc;
    char out[8192], err[8192];
};

static void read_back(FILE *f, char *buf, size_t cap)
{
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
}

/* Runs cmd with "name" and the given arguments (NULL-terminated), capturing its output. */
static struct cli_out *run(int (*cmd)(int, char **), const char *name, ...)
{
    static struct cli_out o;
    char *argv[32];
    int argc = 0;
    va_list ap;
    argv[argc++] = (char *)name;
    va_start(ap, name);
    for (const char *a = va_arg(ap, const char *); a != NULL && argc < 31;
         a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;

    FILE *fo = tmpfile(), *fe = tmpfile();
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    o.rc = cmd(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    read_back(fo, o.out, sizeof(o.out));
    read_back(fe, o.err, sizeof(o.err));
    fclose(fo);
    fclose(fe);
    return &o;
}

#define SIM(...)    run(cmd_sim, "sim", __VA_ARGS__, (const char *)NULL)
#define VERIFY(...) run(cmd_verify, "verify", __VA_ARGS__, (const char *)NULL)

/* ---- the default directory ---- */

static void check_default(const char *sim, const char *xdg, const char *home, const char *want)
{
    sim ? setenv("CLOISTER_SIM_DIR", sim, 1) : unsetenv("CLOISTER_SIM_DIR");
    xdg ? setenv("XDG_DATA_HOME", xdg, 1) : unsetenv("XDG_DATA_HOME");
    home ? setenv("HOME", home, 1) : unsetenv("HOME");
    const char *got = sim_chip_default_dir();
    if (want == NULL)
        CHECK(got == NULL);
    else
        CHECK_STREQ(got ? got : "(null)", want);
}

static void test_default_dir(void)
{
    char home[128];
    snprintf(home, sizeof(home), "%s/home", root);
    check_default("/s", "/x", "/h", "/s");
    check_default(NULL, "/x", "/h", "/x/cloister/sim");
    check_default("", "/x", "/h", "/x/cloister/sim");
    /* The XDG specification says a relative XDG_DATA_HOME is to be ignored. */
    check_default(NULL, "rel", "/h", "/h/.local/share/cloister/sim");
    check_default(NULL, NULL, "/h", "/h/.local/share/cloister/sim");
    check_default(NULL, NULL, NULL, NULL);
    check_default(dir_a, NULL, home, dir_a); /* what the other cases use */
}

/* ---- making a chip ---- */

static void test_cli_init_makes_chip_a(void)
{
    struct cli_out *o = SIM("init");
    CHECK_EQ_INT(o->rc, 0);
    char want[256];
    snprintf(want, sizeof(want), "simulated chip in %s\n  chip_id      ", dir_a);
    CHECK(starts_with(o->out, want));
    CHECK(strstr(o->out, "  reported_tcb bl=3 tee=0 snp=8 ucode=115 (0x7308000000000003)\n"));
    CHECK(strstr(o->out, "  firmware     1.52 build 4\n"));
    CHECK(strstr(o->out, "  ark_sha256   "));
    CHECK_STREQ(o->err, "");
    if (o->rc != 0)
        fprintf(stderr, "  %s", o->err);
    char err[512];
    CHECK_EQ_INT(sim_chip_load(NULL, &chip_a, err, sizeof(err)), 0);
}

static void check_mode(const char *path, mode_t want)
{
    struct stat st;
    CHECK_EQ_INT(stat(path, &st), 0);
    CHECK_EQ_INT(st.st_mode & 07777, want);
    if ((st.st_mode & 07777) != want)
        fprintf(stderr, "  %s\n", path);
}

static void test_init_files_and_modes(void)
{
    char path[256];
    check_mode(dir_a, 0700);
    /* Parents it created are private too (the XDG base directory rule). */
    snprintf(path, sizeof(path), "%s/data/cloister", root);
    check_mode(path, 0700);
    static const struct {
        const char *name;
        mode_t mode;
        const char *begins;
    } files[] = {
        {"ark.key", 0600, "-----BEGIN PRIVATE KEY-----\n"},
        {"ask.key", 0600, "-----BEGIN PRIVATE KEY-----\n"},
        {"vcek.key", 0600, "-----BEGIN PRIVATE KEY-----\n"},
        {"ark.pem", 0644, "-----BEGIN CERTIFICATE-----\n"},
        {"ask.pem", 0644, "-----BEGIN CERTIFICATE-----\n"},
        {"vcek.pem", 0644, "-----BEGIN CERTIFICATE-----\n"},
        {"chip.json", 0644, "{\n"},
    };
    static uint8_t buf[65536];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        path_in(path, sizeof(path), dir_a, files[i].name);
        check_mode(path, files[i].mode);
        long n = slurp_file(path, buf, sizeof(buf) - 1);
        CHECK(n > 0);
        buf[n > 0 ? n : 0] = '\0';
        CHECK(starts_with((const char *)buf, files[i].begins));
    }
    /* chip.json names the chip and its TCB as sim_chip_load read them. */
    path_in(path, sizeof(path), dir_a, "chip.json");
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    char id[2 * SNP_CHIP_ID_SIZE + 1];
    hex_encode(chip_a.chip_id, sizeof(chip_a.chip_id), id);
    CHECK_STREQ(json_string_value(json_object_get(j, "chip_id")) ?: "", id);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(j, "tcb"), "microcode")), 115);
    json_decref(j);
    /* Nothing else is left behind (no temporary files). */
    DIR *d = opendir(dir_a);
    int entries = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    if (d)
        closedir(d);
    CHECK_EQ_INT(entries, 7);
    /* 64 random bytes: not all zero (the verifier refuses a masked chip ID). */
    CHECK(!all_bytes(chip_a.chip_id, sizeof(chip_a.chip_id), 0));
}

static bool pss_signed(X509 *x)
{
    const X509_ALGOR *alg;
    const ASN1_OBJECT *obj;
    X509_get0_signature(NULL, &alg, x);
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    return OBJ_obj2nid(obj) == NID_rsassaPss;
}

static void check_cn(X509 *x, const char *prefix)
{
    char cn[128] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
    CHECK(starts_with(cn, prefix));
    CHECK_EQ_INT(strlen(cn), strlen(prefix) + 8); /* the first 4 bytes of the chip ID */
}

static void test_chip_a_certificates(void)
{
    struct sim_chip *c = &chip_a;
    CHECK_EQ_INT(EVP_PKEY_get_bits(X509_get0_pubkey(c->ark)), 4096);
    CHECK_EQ_INT(EVP_PKEY_get_bits(X509_get0_pubkey(c->ask)), 4096);
    CHECK(EVP_PKEY_is_a(X509_get0_pubkey(c->vcek), "EC"));
    CHECK_EQ_INT(EVP_PKEY_get_bits(c->vcek_key), 384);
    CHECK(pss_signed(c->ark) && pss_signed(c->ask) && pss_signed(c->vcek));
    CHECK_EQ_INT(X509_check_ca(c->ark), 1);
    CHECK_EQ_INT(X509_check_ca(c->ask), 1);
    CHECK_EQ_INT(X509_check_ca(c->vcek), 0);
    check_cn(c->ark, "Cloister simulated ARK ");
    check_cn(c->ask, "Cloister simulated ASK ");
    check_cn(c->vcek, "Cloister simulated VCEK ");
    CHECK_EQ_INT(c->reported_tcb, 0x7308000000000003ULL);
    /* The VCEK is valid now and for about 7 years, like AMD's. */
    int days = 0, secs = 0;
    CHECK_EQ_INT(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(c->vcek)), 1);
    CHECK(days > 7 * 365 - 2 && days < 7 * 365 + 3);
}

static void test_init_refuses_overwrite(void)
{
    static uint8_t before[8192], after[8192];
    char path[256], err[512];
    path_in(path, sizeof(path), dir_a, "ark.pem");
    long n1 = slurp_file(path, before, sizeof(before));
    CHECK_EQ_INT(sim_chip_init(dir_a, false, err, sizeof(err)), SIM_CHIP_EXISTS);
    CHECK(strstr(err, "already holds a simulated chip") != NULL);
    struct cli_out *o = SIM("init", dir_a);
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, "cloister: sim: "));
    CHECK(strstr(o->err, "; --force replaces it\n") != NULL);
    CHECK_STREQ(o->out, "");
    long n2 = slurp_file(path, after, sizeof(after));
    CHECK(n1 > 0 && n1 == n2 && memcmp(before, after, (size_t)n1) == 0);

    /* Any one chip file is enough to refuse: a half-made chip is not silently replaced. */
    mkdir(dir_c, 0700);
    copy_file(dir_a, dir_c, "vcek.key");
    CHECK_EQ_INT(sim_chip_init_with(dir_c, false, &fast, err, sizeof(err)), SIM_CHIP_EXISTS);
    path_in(path, sizeof(path), dir_c, "vcek.key");
    unlink(path);
}

static void test_init_force_replaces(void)
{
    struct sim_chip b1, b2;
    char err[512], fp1[65], fp2[65];
    CHECK_EQ_INT(sim_chip_init_with(dir_b, false, &fast, err, sizeof(err)), 0);
    CHECK_EQ_INT(sim_chip_load(dir_b, &b1, err, sizeof(err)), 0);
    CHECK_EQ_INT(sim_chip_init_with(dir_b, true, &fast, err, sizeof(err)), 0);
    CHECK_EQ_INT(sim_chip_load(dir_b, &b2, err, sizeof(err)), 0);
    CHECK(memcmp(b1.chip_id, b2.chip_id, sizeof(b1.chip_id)) != 0);
    CHECK_EQ_INT(sim_chip_ark_fingerprint(&b1, fp1), 0);
    CHECK_EQ_INT(sim_chip_ark_fingerprint(&b2, fp2), 0);
    CHECK(strcmp(fp1, fp2) != 0);
    CHECK_EQ_INT(EVP_PKEY_get_bits(X509_get0_pubkey(b2.ark)), 2048);
    /* The same chip ID is never issued twice: A and B differ. */
    CHECK(memcmp(chip_a.chip_id, b2.chip_id, sizeof(b2.chip_id)) != 0);
    sim_chip_free(&b1);
    sim_chip_free(&b2);
    sim_chip_free(&b2); /* harmless twice */
    CHECK(b2.ark == NULL && b2.vcek_key == NULL);
}

static void test_init_bad_arguments(void)
{
    char err[512], path[256];
    struct sim_chip_params small = fast;
    small.rsa_bits = 1024;
    CHECK_EQ_INT(sim_chip_init_with(dir_c, false, &small, err, sizeof(err)), -1);
    /* A directory under a regular file cannot be made. */
    path_in(path, sizeof(path), dir_a, "chip.json/sub");
    CHECK_EQ_INT(sim_chip_init_with(path, false, &fast, err, sizeof(err)), -1);
    CHECK(starts_with(err, "cannot create "));
}

/* ---- loading: the files must belong together ---- */

/* Loads dir_c (a copy of A with one change) and expects a failure mentioning want. */
static void check_load_fails(const char *want)
{
    struct sim_chip c;
    char err[512] = "";
    CHECK_EQ_INT(sim_chip_load(dir_c, &c, err, sizeof(err)), -1);
    CHECK(strstr(err, want) != NULL);
    if (strstr(err, want) == NULL)
        fprintf(stderr, "  got: %s\n", err);
    CHECK(c.ark == NULL && c.ask == NULL && c.vcek == NULL && c.vcek_key == NULL);
}

static void edit_json(const char *key, const char *sub, json_t *value)
{
    char path[256];
    path_in(path, sizeof(path), dir_c, "chip.json");
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    json_object_set_new(sub ? json_object_get(j, sub) : j, key, value);
    json_dump_file(j, path, 0);
    json_decref(j);
}

static void test_load_refuses_mismatched_files(void)
{
    struct sim_chip c;
    char err[512], path[256];
    copy_chip(dir_a, dir_c);
    CHECK_EQ_INT(sim_chip_load(dir_c, &c, err, sizeof(err)), 0);
    sim_chip_free(&c);

    copy_file(dir_b, dir_c, "vcek.pem");
    check_load_fails("vcek.pem is not signed by the ASK in ask.pem");
    copy_file(dir_a, dir_c, "vcek.pem");
    copy_file(dir_b, dir_c, "vcek.key");
    check_load_fails("vcek.key is not the private key of the VCEK in vcek.pem");
    copy_file(dir_a, dir_c, "vcek.key");
    copy_file(dir_b, dir_c, "ask.pem");
    check_load_fails("ask.pem is not signed by the ARK in ark.pem");
    copy_file(dir_a, dir_c, "ask.pem");
    copy_file(dir_b, dir_c, "ark.pem");
    check_load_fails("ask.pem is not signed by the ARK in ark.pem");
    copy_file(dir_a, dir_c, "ark.pem");
    copy_file(dir_b, dir_c, "chip.json");
    check_load_fails("vcek.pem does not match chip.json: its extension 1.3.6.1.4.1.3704.1.4");

    copy_file(dir_a, dir_c, "chip.json");
    edit_json("snp", "tcb", json_integer(9));
    check_load_fails("its extension 1.3.6.1.4.1.3704.1.3.3 differs");
    copy_file(dir_a, dir_c, "chip.json");
    edit_json("microcode", "tcb", json_integer(256));
    check_load_fails("chip.json: not a chip description");
    copy_file(dir_a, dir_c, "chip.json");
    edit_json("chip_id", NULL, json_string("00"));
    check_load_fails("chip.json: not a chip description");
    copy_file(dir_a, dir_c, "chip.json");
    edit_json("format", NULL, json_integer(2));
    check_load_fails("chip.json: not a chip description");
    path_in(path, sizeof(path), dir_c, "chip.json");
    write_bytes(path, "{", 1);
    check_load_fails("chip.json: ");
    copy_file(dir_a, dir_c, "chip.json");

    path_in(path, sizeof(path), dir_c, "ark.pem");
    write_bytes(path, "not PEM\n", 8);
    check_load_fails("ark.pem is not a PEM certificate");
    unlink(path);
    check_load_fails("cannot open ");
    copy_file(dir_a, dir_c, "ark.pem");
    CHECK_EQ_INT(sim_chip_load(dir_c, &c, err, sizeof(err)), 0);
    sim_chip_free(&c);
}

/* ---- reports ---- */

static void test_report_fields(void)
{
    struct snp_report r;
    char err[512];
    uint8_t again[SNP_REPORT_SIZE];
    CHECK_EQ_INT(sim_report_make(&chip_a, &input, report_a, err, sizeof(err)), 0);
    CHECK_EQ_INT(snp_report_parse(report_a, sizeof(report_a), &r, err, sizeof(err)), 0);
    CHECK_EQ_INT(r.version, 2);
    CHECK_EQ_INT(r.guest_svn, 0);
    CHECK_EQ_INT(r.policy, POLICY);
    CHECK(all_bytes(r.family_id, sizeof(r.family_id), 0));
    CHECK(all_bytes(r.image_id, sizeof(r.image_id), 0));
    CHECK_EQ_INT(r.vmpl, 0);
    CHECK_EQ_INT(r.signature_algo, SNP_SIG_ALGO_ECDSA_P384_SHA384);
    CHECK_EQ_INT(r.current_tcb, chip_a.reported_tcb);
    CHECK_EQ_INT(r.reported_tcb, chip_a.reported_tcb);
    CHECK_EQ_INT(r.committed_tcb, chip_a.reported_tcb);
    CHECK_EQ_INT(r.launch_tcb, chip_a.reported_tcb);
    CHECK_EQ_INT(r.platform_info, 1); /* SMT_EN: the policy allows SMT */
    CHECK(!r.author_key_en && !r.mask_chip_key);
    CHECK_EQ_INT(r.signing_key, SNP_SIGNING_KEY_VCEK);
    CHECK(memcmp(r.report_data, input.report_data, sizeof(r.report_data)) == 0);
    CHECK(memcmp(r.measurement, input.measurement, sizeof(r.measurement)) == 0);
    CHECK(memcmp(r.host_data, input.host_data, sizeof(r.host_data)) == 0);
    CHECK(all_bytes(r.id_key_digest, sizeof(r.id_key_digest), 0));
    CHECK(all_bytes(r.author_key_digest, sizeof(r.author_key_digest), 0));
    CHECK(memcmp(r.report_id, input.report_id, sizeof(r.report_id)) == 0);
    CHECK(all_bytes(r.report_id_ma, sizeof(r.report_id_ma), 0xff));
    CHECK(memcmp(r.chip_id, chip_a.chip_id, sizeof(r.chip_id)) == 0);
    CHECK_EQ_INT(r.cpuid_fam_id | r.cpuid_mod_id | r.cpuid_step, 0);
    CHECK_EQ_INT(r.current_major, 1);
    CHECK_EQ_INT(r.current_minor, 52);
    CHECK_EQ_INT(r.current_build, 4);
    CHECK_EQ_INT(r.committed_major, 1);
    CHECK_EQ_INT(r.committed_minor, 52);
    CHECK_EQ_INT(r.committed_build, 4);
    CHECK_EQ_INT(r.launch_mit_vector | r.current_mit_vector, 0);
    /* The layout, read straight from the bytes for a few fields. */
    CHECK(memcmp(report_a + 0x50, input.report_data, 64) == 0);
    CHECK(memcmp(report_a + 0x90, input.measurement, 48) == 0);
    CHECK(memcmp(report_a + 0xc0, input.host_data, 32) == 0);
    CHECK(memcmp(report_a + 0x1a0, chip_a.chip_id, 64) == 0);
    CHECK(all_bytes(report_a + 0x330, SNP_REPORT_SIZE - 0x330, 0)); /* past r and s */

    /* The same request gives the same signed bytes (only ECDSA's nonce differs). */
    CHECK_EQ_INT(sim_report_make(&chip_a, &input, again, err, sizeof(err)), 0);
    CHECK(memcmp(again, report_a, SNP_REPORT_SIGNED_SIZE) == 0);
    CHECK(memcmp(again + SNP_REPORT_SIGNED_SIZE, report_a + SNP_REPORT_SIGNED_SIZE, 144) != 0);

    /* A signed image at VMPL 2 whose policy forbids SMT. */
    struct sim_report_input in = input;
    in.id_signed = in.author_signed = true;
    in.policy = 0x20000;
    in.vmpl = 2;
    CHECK_EQ_INT(sim_report_make(&chip_a, &in, again, err, sizeof(err)), 0);
    CHECK_EQ_INT(snp_report_parse(again, sizeof(again), &r, err, sizeof(err)), 0);
    CHECK(all_bytes(r.id_key_digest, sizeof(r.id_key_digest), 0x1d));
    CHECK(all_bytes(r.author_key_digest, sizeof(r.author_key_digest), 0xa7));
    CHECK(r.author_key_en);
    CHECK_EQ_INT(r.platform_info, 0);
    CHECK_EQ_INT(r.vmpl, 2);
    CHECK_EQ_INT(r.policy, 0x20000);
}

static void check_refused(const struct sim_report_input *in, const char *want)
{
    uint8_t b[SNP_REPORT_SIZE];
    char err[512] = "";
    CHECK_EQ_INT(sim_report_make(&chip_a, in, b, err, sizeof(err)), -1);
    CHECK(strstr(err, want) != NULL);
    if (strstr(err, want) == NULL)
        fprintf(stderr, "  got: %s\n", err);
}

static void test_report_refusals(void)
{
    struct sim_report_input in = input;
    in.policy = 0x10000;
    check_refused(&in, "bit 17 must be set");
    in.policy = POLICY | (UINT64_C(1) << 21);
    check_refused(&in, "bits above 20");
    in.policy = POLICY | 0x0200; /* ABI 2.0 */
    check_refused(&in, "needs ABI 2.0, the firmware is 1.52");
    in.policy = POLICY | 0x0135; /* ABI 1.53 */
    check_refused(&in, "needs ABI 1.53");
    in.policy = POLICY | 0x0134; /* ABI 1.52: accepted */
    uint8_t b[SNP_REPORT_SIZE];
    char err[512];
    CHECK_EQ_INT(sim_report_make(&chip_a, &in, b, err, sizeof(err)), 0);
    /* The same policy checks, alone, for the monitor to make at launch. */
    CHECK_EQ_INT(sim_report_check_policy(&chip_a, POLICY, err, sizeof(err)), 0);
    CHECK_EQ_INT(sim_report_check_policy(&chip_a, 0x10000, err, sizeof(err)), -1);
    CHECK_EQ_INT(sim_report_check_policy(&chip_a, POLICY | 0x0200, err, sizeof(err)), -1);
    CHECK_EQ_INT(sim_report_check_policy(NULL, POLICY, err, sizeof(err)), -1);
    in = input;
    in.vmpl = 4;
    check_refused(&in, "VMPL 4");
    in = input;
    in.author_signed = true;
    check_refused(&in, "author key");
    struct sim_chip keyless = chip_a;
    keyless.vcek_key = NULL;
    CHECK_EQ_INT(sim_report_make(&keyless, &input, b, err, sizeof(err)), -1);
    CHECK_EQ_INT(sim_report_make(&chip_a, NULL, b, err, sizeof(err)), -1);
}

/* Verifies rep with chip A's VCEK, its ASK given, its root trusted when trusted is true. */
static enum snp_verify_status verify_a(const uint8_t *rep, bool trusted, struct snp_verify_opts *o,
                                       struct snp_verify_result *res)
{
    struct snp_verify_opts local = {0};
    if (o == NULL)
        o = &local;
    o->chain = sk_X509_new_null();
    sk_X509_push(o->chain, chip_a.ask);
    o->extra_root = trusted ? chip_a.ark : NULL;
    enum snp_verify_status st = snp_verify(rep, SNP_REPORT_SIZE, chip_a.vcek, o, res);
    sk_X509_free(o->chain);
    o->chain = NULL;
    return st;
}

static void test_report_verifies_with_sim_root(void)
{
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    o.expect_measurement = input.measurement;
    o.expect_report_data = input.report_data;
    o.expect_host_data = input.host_data;
    o.check_min_tcb = true;
    o.min_tcb = snp_tcb_decode(chip_a.reported_tcb);
    CHECK_EQ_INT(verify_a(report_a, true, &o, &res), SNP_VERIFY_OK);
    if (res.status != SNP_VERIFY_OK)
        fprintf(stderr, "  %s\n", res.message);
    CHECK(starts_with(res.root, "extra root Cloister simulated ARK "));
    CHECK_STREQ(res.product, "Cloister-Sim");

    /* Each expectation still bites. */
    uint8_t other[SNP_REPORT_DATA_SIZE];
    memcpy(other, input.report_data, sizeof(other));
    other[63] ^= 1;
    o.expect_report_data = other;
    CHECK_EQ_INT(verify_a(report_a, true, &o, &res), SNP_VERIFY_REPORT_DATA);
    o.expect_report_data = NULL;
    o.expect_host_data = other; /* 32 bytes of it */
    CHECK_EQ_INT(verify_a(report_a, true, &o, &res), SNP_VERIFY_HOST_DATA);
    o.expect_host_data = NULL;
    o.min_tcb.snp++;
    CHECK_EQ_INT(verify_a(report_a, true, &o, &res), SNP_VERIFY_MIN_TCB);

    /* The whole chain given, root trusted: also fine. */
    struct snp_verify_opts full = {0};
    full.chain = sk_X509_new_null();
    sk_X509_push(full.chain, chip_a.ark);
    sk_X509_push(full.chain, chip_a.ask);
    full.extra_root = chip_a.ark;
    CHECK_EQ_INT(snp_verify(report_a, SNP_REPORT_SIZE, chip_a.vcek, &full, &res), SNP_VERIFY_OK);
    sk_X509_free(full.chain);
}

static void test_report_fails_without_sim_root(void)
{
    struct snp_verify_result res;
    CHECK_EQ_INT(verify_a(report_a, false, NULL, &res), SNP_VERIFY_CHAIN);
    CHECK(starts_with(res.message, "certificate chain: no ARK given, and the ASK's issuer "
                                   "'Cloister simulated ARK "));
    CHECK_EQ_INT(snp_verify(report_a, SNP_REPORT_SIZE, chip_a.vcek, NULL, &res), SNP_VERIFY_CHAIN);

    struct snp_verify_opts o = {0};
    o.chain = sk_X509_new_null();
    sk_X509_push(o.chain, chip_a.ask);
    sk_X509_push(o.chain, chip_a.ark);
    CHECK_EQ_INT(snp_verify(report_a, SNP_REPORT_SIZE, chip_a.vcek, &o, &res), SNP_VERIFY_CHAIN);
    CHECK(strstr(res.message, "is not a trusted root") != NULL);

    /* Another simulated chip's root is no better. */
    X509 *b_ark = cert_file(dir_b, "ark.pem");
    o.extra_root = b_ark;
    CHECK_EQ_INT(snp_verify(report_a, SNP_REPORT_SIZE, chip_a.vcek, &o, &res), SNP_VERIFY_CHAIN);
    sk_X509_free(o.chain);
    X509_free(b_ark);
}

static void test_report_changed_bytes_fail(void)
{
    uint8_t b[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    int wrong = 0;
    /*
     * One byte of every 32-bit word, each position within a word in turn: every field is
     * hit, in a quarter of the time all 672 bytes would take (a verification runs the
     * whole chain check, ~5 ms under ASan, and the program has 20 s).
     */
    for (size_t word = 0; word < SNP_REPORT_SIGNED_SIZE / 4; word++) {
        size_t at = 4 * word + word % 4;
        memcpy(b, report_a, sizeof(b));
        b[at] ^= (uint8_t)(1u << (at % 8));
        enum snp_verify_status st = verify_a(b, true, NULL, &res);
        if (st != SNP_VERIFY_SIGNATURE && st != SNP_VERIFY_REPORT) {
            if (wrong++ < 3)
                fprintf(stderr, "  offset 0x%zx: %s\n", at, res.message);
        }
        /* The version and algorithm words are checked before the signature. */
        if (st == SNP_VERIFY_REPORT && !(at < 4 || (at >= 0x34 && at < 0x38)))
            wrong++;
    }
    CHECK_EQ_INT(wrong, 0);
    memcpy(b, report_a, sizeof(b));
    b[SNP_REPORT_SIG_R_OFFSET] ^= 1;
    CHECK_EQ_INT(verify_a(b, true, NULL, &res), SNP_VERIFY_SIGNATURE);
    memcpy(b, report_a, sizeof(b));
    b[SNP_REPORT_SIG_S_OFFSET + 47] ^= 0x80;
    CHECK_EQ_INT(verify_a(b, true, NULL, &res), SNP_VERIFY_SIGNATURE);

    /* Chip B's VCEK, under B's own trusted chain, does not verify chip A's report. */
    struct snp_verify_opts o = {0};
    X509 *b_vcek = cert_file(dir_b, "vcek.pem"), *b_ask = cert_file(dir_b, "ask.pem"),
         *b_ark = cert_file(dir_b, "ark.pem");
    o.chain = sk_X509_new_null();
    sk_X509_push(o.chain, b_ask);
    o.extra_root = b_ark;
    CHECK_EQ_INT(snp_verify(report_a, SNP_REPORT_SIZE, b_vcek, &o, &res), SNP_VERIFY_SIGNATURE);
    sk_X509_free(o.chain);
    X509_free(b_vcek);
    X509_free(b_ask);
    X509_free(b_ark);
}

/* ---- the certificate table ---- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A GUID string's 16 bytes, in the order the string writes them. */
static void guid_bytes(const char *s, uint8_t out[16])
{
    int n = 0;
    for (const char *p = s; *p && n < 16; p++) {
        if (*p == '-')
            continue;
        unsigned v;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p++;
    }
    CHECK_EQ_INT(n, 16);
}

static void test_cert_table(void)
{
    static const struct {
        const char *guid, *file;
    } want[] = {
        {"63da758d-e664-4564-adc5-f4b93be8accd", "vcek.pem"},
        {"4ab7b379-bbac-4fe4-a02f-05aef327c782", "ask.pem"},
        {"c0b406a4-a803-4952-9743-3fb6014cd0ae", "ark.pem"},
    };
    uint8_t *t = NULL;
    size_t len = 0;
    char err[512];
    CHECK_EQ_INT(sim_chip_cert_table(&chip_a, &t, &len, err, sizeof(err)), 0);
    if (t == NULL)
        return;
    const size_t header = 4 * SIM_CERT_TABLE_ENTRY_SIZE;
    size_t expect_at = header;
    for (size_t i = 0; i < 3; i++) {
        const uint8_t *e = t + i * SIM_CERT_TABLE_ENTRY_SIZE;
        uint8_t g[16];
        guid_bytes(want[i].guid, g);
        CHECK(memcmp(e, g, 16) == 0);
        uint32_t off = le32(e + 16), n = le32(e + 20);
        CHECK_EQ_INT(off, expect_at);
        CHECK(off + n <= len);
        X509 *file = cert_file(dir_a, want[i].file);
        unsigned char *der = NULL;
        int der_len = file ? i2d_X509(file, &der) : -1;
        CHECK_EQ_INT(n, der_len);
        CHECK(der_len > 0 && off + n <= len && memcmp(t + off, der, n) == 0);
        OPENSSL_free(der);
        X509_free(file);
        expect_at += n;
    }
    CHECK(all_bytes(t + 3 * SIM_CERT_TABLE_ENTRY_SIZE, SIM_CERT_TABLE_ENTRY_SIZE, 0));
    CHECK_EQ_INT(len, expect_at);
    /* The VCEK parsed out of the table verifies a report, as a guest's verifier would. */
    const unsigned char *p = t + le32(t + 16);
    X509 *vcek = d2i_X509(NULL, &p, le32(t + 20));
    struct snp_verify_result res;
    struct snp_verify_opts o = {0};
    o.chain = sk_X509_new_null();
    sk_X509_push(o.chain, chip_a.ask);
    o.extra_root = chip_a.ark;
    CHECK_EQ_INT(snp_verify(report_a, SNP_REPORT_SIZE, vcek, &o, &res), SNP_VERIFY_OK);
    sk_X509_free(o.chain);
    X509_free(vcek);
    free(t);

    struct sim_chip empty = {0};
    CHECK_EQ_INT(sim_chip_cert_table(&empty, &t, &len, err, sizeof(err)), -1);
    CHECK(t == NULL && len == 0);
}

/* ---- the commands ---- */

static void test_cli_show(void)
{
    struct cli_out *o = SIM("show");
    CHECK_EQ_INT(o->rc, 0);
    char id[2 * SNP_CHIP_ID_SIZE + 1], line[256];
    hex_encode(chip_a.chip_id, sizeof(chip_a.chip_id), id);
    snprintf(line, sizeof(line), "  chip_id      %s\n", id);
    CHECK(strstr(o->out, line) != NULL);
    /* The fingerprint is the SHA-256 of ark.pem's certificate, computed here independently. */
    unsigned char md[32];
    unsigned int n = 0;
    char fp[65];
    X509 *ark = cert_file(dir_a, "ark.pem");
    CHECK(ark && X509_digest(ark, EVP_sha256(), md, &n) == 1);
    X509_free(ark);
    hex_encode(md, 32, fp);
    snprintf(line, sizeof(line), "  ark_sha256   %s\n", fp);
    CHECK(strstr(o->out, line) != NULL);

    o = SIM("show", dir_b);
    CHECK_EQ_INT(o->rc, 0);
    CHECK(strstr(o->out, dir_b) != NULL);
    o = SIM("show", dir_empty);
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, "cloister: sim: cannot open "));
    CHECK_STREQ(o->out, "");
}

static void check_sim_usage(struct cli_out *o, const char *prefix)
{
    CHECK_EQ_INT(o->rc, 2);
    CHECK(starts_with(o->err, prefix));
    CHECK(strstr(o->err, "usage: cloister sim init") != NULL);
    if (!starts_with(o->err, prefix))
        fprintf(stderr, "  got: %s", o->err);
}

static void test_cli_sim_usage(void)
{
    check_sim_usage(run(cmd_sim, "sim", (const char *)NULL),
                    "cloister: sim: an action is required");
    check_sim_usage(SIM("bogus"), "cloister: sim: unknown action 'bogus'");
    check_sim_usage(SIM("init", "a", "b"), "cloister: sim: unexpected argument 'b'");
    check_sim_usage(SIM("show", "--force"), "cloister: sim: unknown option '--force'");
    check_sim_usage(SIM("init", "--bogus"), "cloister: sim: unknown option '--bogus'");
    struct cli_out *o = SIM("--help");
    CHECK_EQ_INT(o->rc, 0);
    CHECK(starts_with(o->out, "usage: cloister sim init"));
    o = SIM("init", "--help");
    CHECK_EQ_INT(o->rc, 0);
}

static char p_report[256], p_vcek[256], p_ask[256], p_ark[256], p_chain[256];

static void test_cli_verify_trust_sim(void)
{
    snprintf(p_report, sizeof(p_report), "%s/report.bin", root);
    write_bytes(p_report, report_a, sizeof(report_a));
    path_in(p_vcek, sizeof(p_vcek), dir_a, "vcek.pem");
    path_in(p_ask, sizeof(p_ask), dir_a, "ask.pem");
    path_in(p_ark, sizeof(p_ark), dir_a, "ark.pem");
    snprintf(p_chain, sizeof(p_chain), "%s/chain.pem", root);
    FILE *f = fopen(p_chain, "w");
    PEM_write_X509(f, chip_a.ask);
    PEM_write_X509(f, chip_a.ark);
    fclose(f);
    char meas[97], rdata[129], hdata[65];
    hex_encode(input.measurement, 48, meas);
    hex_encode(input.report_data, 64, rdata);
    hex_encode(input.host_data, 32, hdata);

    /* --trust sim alone: the chip's own VCEK and ASK. */
    struct cli_out *o = VERIFY("--report", p_report, "--trust", "sim", "--expect-measurement", meas,
                               "--expect-report-data", rdata, "--expect-host-data", hdata);
    CHECK_EQ_INT(o->rc, 0);
    if (o->rc != 0)
        fprintf(stderr, "  %s", o->err);
    CHECK(strstr(o->out, "verified: measurement ") != NULL);
    CHECK(strstr(o->out, "  product      Cloister-Sim\n") != NULL);
    CHECK(strstr(o->out, "  root         extra root Cloister simulated ARK ") != NULL);
    /* With the VCEK given (say, from the certificate table), the chip's ASK still completes it. */
    o = VERIFY("--report", p_report, "--vcek", p_vcek, "--trust", "sim");
    CHECK_EQ_INT(o->rc, 0);
    /* The explicit way: every file named. */
    o = VERIFY("--report", p_report, "--vcek", p_vcek, "--chain", p_ask, "--trust", p_ark);
    CHECK_EQ_INT(o->rc, 0);
    o = VERIFY("--report", p_report, "--trust", "sim", "--expect-measurement",
               "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
               "0000000000000000");
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, "cloister: verify: measurement: is 000102"));

    /* Without --trust sim, a simulated report fails at the chain. */
    o = VERIFY("--report", p_report, "--vcek", p_vcek, "--chain", p_chain);
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, "cloister: verify: certificate chain: the ARK 'Cloister simulated "
                              "ARK "));
    CHECK(strstr(o->err, "' is not a trusted root\n") != NULL);
    o = VERIFY("--report", p_report, "--vcek", p_vcek);
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, "cloister: verify: certificate chain: no ASK given"));
    /* Another chip's VCEK: not completed with this chip's ASK, so the chain fails. */
    char b_vcek[256];
    path_in(b_vcek, sizeof(b_vcek), dir_b, "vcek.pem");
    o = VERIFY("--report", p_report, "--vcek", b_vcek, "--trust", "sim");
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, "cloister: verify: certificate chain: "));
    /* A genuine AMD report still verifies with --trust sim (the built-in AMD chain). */
    const char *fx = getenv("CLOISTER_FIXTURES");
    char g_report[1100], g_vcek[1100];
    snprintf(g_report, sizeof(g_report), "%s/snp-milan/report.bin", fx ? fx : "tests/fixtures");
    snprintf(g_vcek, sizeof(g_vcek), "%s/snp-milan/vcek.der", fx ? fx : "tests/fixtures");
    o = VERIFY("--report", g_report, "--vcek", g_vcek, "--trust", "sim");
    CHECK_EQ_INT(o->rc, 0);
    CHECK(strstr(o->out, "  root         AMD ARK-Milan\n") != NULL);
    if (o->rc != 0)
        fprintf(stderr, "  %s (set CLOISTER_FIXTURES)\n", o->err);

    /* No chip where --trust sim looks. */
    setenv("CLOISTER_SIM_DIR", dir_empty, 1);
    o = VERIFY("--report", p_report, "--trust", "sim");
    CHECK_EQ_INT(o->rc, 1);
    CHECK(starts_with(o->err, "cloister: verify: input: --trust sim: no simulated chip in "));
    setenv("CLOISTER_SIM_DIR", dir_a, 1);
    /* --vcek is still required without --trust sim. */
    o = VERIFY("--report", p_report);
    CHECK_EQ_INT(o->rc, 2);
    CHECK(starts_with(o->err, "cloister: verify: --vcek is required"));
}

int main(void)
{
    snprintf(root, sizeof(root), "/tmp/cloister-sim-XXXXXX");
    if (mkdtemp(root) == NULL) {
        printf("FAIL setup: cannot make a temporary directory\n");
        return 1;
    }
    /* The chip and anything derived from $HOME stay under root. */
    snprintf(dir_a, sizeof(dir_a), "%s/data/cloister/sim", root);
    snprintf(dir_b, sizeof(dir_b), "%s/b", root);
    snprintf(dir_c, sizeof(dir_c), "%s/c", root);
    snprintf(dir_empty, sizeof(dir_empty), "%s/empty", root);
    mkdir(dir_empty, 0700);
    fast = sim_chip_default_params;
    fast.rsa_bits = 2048;
    fill_input(&input);

    RUN(default_dir);
    RUN(cli_init_makes_chip_a);
    if (chip_a.vcek_key == NULL) {
        printf("FAIL setup: chip A was not made\n");
        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 1;
    }
    RUN(init_files_and_modes);
    RUN(chip_a_certificates);
    RUN(init_refuses_overwrite);
    RUN(init_force_replaces);
    RUN(init_bad_arguments);
    RUN(load_refuses_mismatched_files);
    RUN(report_fields);
    RUN(report_refusals);
    RUN(report_verifies_with_sim_root);
    RUN(report_fails_without_sim_root);
    RUN(report_changed_bytes_fail);
    RUN(cert_table);
    RUN(cli_show);
    RUN(cli_sim_usage);
    RUN(cli_verify_trust_sim);

    sim_chip_free(&chip_a);
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    UNIT_EXIT();
}
