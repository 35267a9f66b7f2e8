/* `cloister verify`: checks an SEV-SNP attestation report and prints what it proves. */
#include "cli/commands.h"
#include "cli/option_table.h"

#include "simtee/sim_chip.h"
#include "verify/snp_verify.h"
#include "common/file_read.h"
#include "common/hex.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#define EXIT_VERIFIED 0
#define EXIT_REJECTED 1

/* No input this command reads is anywhere near this; it bounds a mistaken path. */
#define MAX_INPUT_SIZE (1 << 20)

static const char usage_text[] =
    "usage: cloister verify --report FILE --vcek FILE [options]\n"
    "       cloister verify --report FILE --trust sim [options]\n"
    "  --report FILE               SEV-SNP attestation report (1184 bytes)\n"
    "  --vcek FILE                 the chip's VCEK certificate (DER or PEM)\n"
    "  --chain FILE                PEM with the ASK and/or the ARK (optional for Milan, Genoa)\n"
    "  --trust FILE                PEM root to trust besides AMD's built-in ARKs\n"
    "  --trust sim                 trust the simulated chip (cloister sim init); its VCEK\n"
    "                              and ASK are used when --vcek and --chain are not given\n"
    "  --expect-measurement HEX    required launch measurement (48 bytes)\n"
    "  --expect-report-data HEX    required report data (up to 64 bytes, zero-padded)\n"
    "  --expect-host-data HEX      required host data (up to 32 bytes, zero-padded)\n"
    "  --expect-id-key-digest HEX  required ID key digest (48 bytes): the image was signed\n"
    "                              with that key (`cloister build --id-key` prints it)\n"
    "  --expect-author-key-digest HEX  required author key digest (48 bytes)\n"
    "  --min-tcb bl=N,tee=N,snp=N,ucode=N   minimum reported TCB, any subset\n"
    "  --allow-debug               accept a guest policy that allows debugging\n"
    "  --vmpl N|any                required VMPL (default 0)\n"
    "  --json                      print the result as JSON\n";

/* What the command line asked for. */
struct args {
    const char *report, *vcek, *chain, *trust;
    bool json;
    bool trust_sim; /* --trust sim: the simulated chip's ARK, and its VCEK and ASK by default */
    struct snp_verify_opts opts;
    uint8_t measurement[SNP_MEASUREMENT_SIZE];
    uint8_t report_data[SNP_REPORT_DATA_SIZE];
    uint8_t host_data[SNP_HOST_DATA_SIZE];
    uint8_t id_key_digest[48], author_key_digest[48];
};

static const struct cli_command verify_command;

/* Prints "cloister: verify: <why>" and the usage on stderr; returns the usage status. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int status = cli_usage_verror(&verify_command, fmt, ap);
    va_end(ap);
    return status;
}

/* Prints the one failure line; also a JSON verdict on stdout when --json was given. */
static int reject(bool json, const char *check, const char *message)
{
    fprintf(stderr, "cloister: verify: %s\n", message);
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "verified", json_false());
        json_object_set_new(o, "check", json_string(check));
        json_object_set_new(o, "error", json_string(message));
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    }
    return EXIT_REJECTED;
}

/* Hex with an optional "0x" prefix for at most max bytes, zero-padded; the number of
 * bytes, or -1 (also for none). */
static long parse_hex(const char *s, uint8_t *out, size_t max)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    long n = hex_decode_padded(s, out, max);
    return n > 0 ? n : -1;
}

/* Parses "bl=N,tee=N,snp=N,ucode=N" (any subset, any order) into *min. Returns 0 or -1. */
static int parse_min_tcb(const char *spec, struct snp_tcb *min)
{
    memset(min, 0, sizeof(*min));
    const char *p = spec;
    while (*p != '\0') {
        const char *eq = strchr(p, '=');
        if (eq == NULL)
            return -1;
        size_t klen = (size_t)(eq - p);
        char *end;
        errno = 0;
        unsigned long v = strtoul(eq + 1, &end, 0);
        if (end == eq + 1 || errno != 0 || v > 255 || (*end != ',' && *end != '\0'))
            return -1;
        if (klen == 2 && strncmp(p, "bl", 2) == 0)
            min->bootloader = (uint8_t)v;
        else if (klen == 3 && strncmp(p, "tee", 3) == 0)
            min->tee = (uint8_t)v;
        else if (klen == 3 && strncmp(p, "snp", 3) == 0)
            min->snp = (uint8_t)v;
        else if (klen == 5 && strncmp(p, "ucode", 5) == 0)
            min->microcode = (uint8_t)v;
        else
            return -1;
        if (*end == ',' && end[1] == '\0')
            return -1; /* a trailing comma: something was left out */
        p = *end == ',' ? end + 1 : end;
    }
    return p == spec ? -1 : 0;
}

static int expect_measurement(void *args, const char *hex)
{
    struct args *a = args;
    if (parse_hex(hex, a->measurement, sizeof(a->measurement)) != SNP_MEASUREMENT_SIZE)
        return usage_error("--expect-measurement needs 96 hex digits, not '%s'", hex);
    a->opts.expect_measurement = a->measurement;
    return 0;
}

static int expect_report_data(void *args, const char *hex)
{
    struct args *a = args;
    if (parse_hex(hex, a->report_data, sizeof(a->report_data)) < 0)
        return usage_error("--expect-report-data needs up to 128 hex digits, not '%s'", hex);
    a->opts.expect_report_data = a->report_data;
    return 0;
}

static int expect_host_data(void *args, const char *hex)
{
    struct args *a = args;
    if (parse_hex(hex, a->host_data, sizeof(a->host_data)) < 0)
        return usage_error("--expect-host-data needs up to 64 hex digits, not '%s'", hex);
    a->opts.expect_host_data = a->host_data;
    return 0;
}

/* The 48-byte key digests, as 96 hex digits: into digest, which *expect then names. */
static int expect_key_digest(uint8_t digest[48], const uint8_t **expect, const char *option,
                             const char *hex)
{
    if (parse_hex(hex, digest, 48) != 48)
        return usage_error("%s needs 96 hex digits, not '%s'", option, hex);
    *expect = digest;
    return 0;
}

static int expect_id_key_digest(void *args, const char *hex)
{
    struct args *a = args;
    return expect_key_digest(a->id_key_digest, &a->opts.expect_id_key_digest,
                             "--expect-id-key-digest", hex);
}

static int expect_author_key_digest(void *args, const char *hex)
{
    struct args *a = args;
    return expect_key_digest(a->author_key_digest, &a->opts.expect_author_key_digest,
                             "--expect-author-key-digest", hex);
}

static int min_tcb(void *args, const char *spec)
{
    struct args *a = args;
    if (parse_min_tcb(spec, &a->opts.min_tcb) != 0)
        return usage_error("--min-tcb takes bl=N,tee=N,snp=N,ucode=N, not '%s'", spec);
    a->opts.check_min_tcb = true;
    return 0;
}

static int vmpl(void *args, const char *level)
{
    struct args *a = args;
    if (strcmp(level, "any") == 0) {
        a->opts.any_vmpl = true;
    } else if (level[0] >= '0' && level[0] <= '3' && level[1] == '\0') {
        a->opts.any_vmpl = false;
        a->opts.vmpl = (uint32_t)(level[0] - '0');
    } else {
        return usage_error("--vmpl takes 0, 1, 2, 3 or any, not '%s'", level);
    }
    return 0;
}

static const struct cli_option verify_options[] = {
    CLI_STRING("report", struct args, report),
    CLI_STRING("vcek", struct args, vcek),
    CLI_STRING("chain", struct args, chain),
    CLI_STRING("trust", struct args, trust),
    CLI_VALUE_CALL("expect-measurement", expect_measurement),
    CLI_VALUE_CALL("expect-report-data", expect_report_data),
    CLI_VALUE_CALL("expect-host-data", expect_host_data),
    CLI_VALUE_CALL("expect-id-key-digest", expect_id_key_digest),
    CLI_VALUE_CALL("expect-author-key-digest", expect_author_key_digest),
    CLI_VALUE_CALL("min-tcb", min_tcb),
    CLI_FLAG("allow-debug", struct args, opts.allow_debug),
    CLI_VALUE_CALL("vmpl", vmpl),
    CLI_FLAG("json", struct args, json),
    CLI_HELP("help"),
};

static const struct cli_command verify_command = {
    .name = "verify",
    .usage = usage_text,
    .options = verify_options,
    .noptions = sizeof(verify_options) / sizeof(verify_options[0]),
};

/* Parses the command line into *a. Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
    int first;
    int status = cli_parse_options(&verify_command, argc, argv, a, &first);
    if (status != CLI_OPTIONS_PARSED)
        return status;
    if (first < argc)
        return usage_error("unexpected argument '%s'", argv[first]);
    if (a->report == NULL)
        return usage_error("--report is required");
    a->trust_sim = a->trust != NULL && strcmp(a->trust, "sim") == 0;
    if (a->vcek == NULL && !a->trust_sim)
        return usage_error("--vcek is required (or --trust sim, for the simulated chip's)");
    return -1;
}

/* Reads a certificate in DER or PEM; NULL with why filled. */
static X509 *read_cert(const char *path, char *err, size_t err_size)
{
    size_t len;
    uint8_t *data = (uint8_t *)file_read_small(path, MAX_INPUT_SIZE, &len, err, err_size);
    if (data == NULL)
        return NULL;
    X509 *cert = NULL;
    if (memmem(data, len, "-----BEGIN", 10) != NULL) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    } else {
        const unsigned char *p = data;
        cert = d2i_X509(NULL, &p, (long)len);
        if (cert != NULL && p != data + len) {
            X509_free(cert);
            cert = NULL;
        }
    }
    if (cert == NULL)
        snprintf(err, err_size, "%s is not a DER or PEM certificate", path);
    ERR_clear_error();
    free(data);
    return cert;
}

/* A report of a guest launched from a signed image (an ID block): its ID key digest is
 * not zero. Unsigned launches print as before. */
static bool signed_image(const struct snp_report *r)
{
    static const uint8_t zero[sizeof(r->id_key_digest)];
    return memcmp(r->id_key_digest, zero, sizeof(zero)) != 0;
}

static void print_text(const struct snp_verify_result *res)
{
    const struct snp_report *r = &res->report;
    char h[2 * SNP_REPORT_DATA_SIZE + 1];
    struct snp_tcb t = snp_tcb_decode(r->reported_tcb);

    hex_encode(r->measurement, sizeof(r->measurement), h);
    printf("verified: measurement %s\n", h);
    hex_encode(r->report_data, sizeof(r->report_data), h);
    printf("  report_data  %s\n", h);
    hex_encode(r->host_data, sizeof(r->host_data), h);
    printf("  host_data    %s\n", h);
    hex_encode(r->chip_id, sizeof(r->chip_id), h);
    printf("  chip_id      %s\n", h);
    printf("  reported_tcb bl=%u tee=%u snp=%u ucode=%u (0x%016llx)\n", t.bootloader, t.tee, t.snp,
           t.microcode, (unsigned long long)r->reported_tcb);
    printf("  policy       0x%llx (debug %s)\n", (unsigned long long)r->policy,
           (r->policy & SNP_POLICY_DEBUG) ? "allowed" : "not allowed");
    printf("  vmpl         %u\n", r->vmpl);
    printf("  version      %u\n", r->version);
    printf("  guest_svn    %u\n", r->guest_svn);
    if (signed_image(r)) {
        hex_encode(r->id_key_digest, sizeof(r->id_key_digest), h);
        printf("  id_key_digest     %s\n", h);
        if (r->author_key_en) {
            hex_encode(r->author_key_digest, sizeof(r->author_key_digest), h);
            printf("  author_key_digest %s\n", h);
        }
    }
    printf("  product      %s\n", res->product[0] ? res->product : "(unknown)");
    printf("  root         %s\n", res->root);
}

static json_t *json_hex(const uint8_t *p, size_t n)
{
    char h[2 * SNP_CHIP_ID_SIZE + 1];
    hex_encode(p, n, h);
    return json_string(h);
}

static void print_json(const struct snp_verify_result *res)
{
    const struct snp_report *r = &res->report;
    struct snp_tcb t = snp_tcb_decode(r->reported_tcb);
    char raw[32];
    json_t *o = json_object(), *tcb = json_object();

    snprintf(raw, sizeof(raw), "0x%016llx", (unsigned long long)r->reported_tcb);
    json_object_set_new(tcb, "raw", json_string(raw));
    json_object_set_new(tcb, "bootloader", json_integer(t.bootloader));
    json_object_set_new(tcb, "tee", json_integer(t.tee));
    json_object_set_new(tcb, "snp", json_integer(t.snp));
    json_object_set_new(tcb, "microcode", json_integer(t.microcode));

    json_object_set_new(o, "verified", json_true());
    json_object_set_new(o, "measurement", json_hex(r->measurement, sizeof(r->measurement)));
    json_object_set_new(o, "report_data", json_hex(r->report_data, sizeof(r->report_data)));
    json_object_set_new(o, "host_data", json_hex(r->host_data, sizeof(r->host_data)));
    json_object_set_new(o, "chip_id", json_hex(r->chip_id, sizeof(r->chip_id)));
    json_object_set_new(o, "reported_tcb", tcb);
    snprintf(raw, sizeof(raw), "0x%llx", (unsigned long long)r->policy);
    json_object_set_new(o, "policy", json_string(raw));
    json_object_set_new(o, "debug", json_boolean(r->policy & SNP_POLICY_DEBUG));
    json_object_set_new(o, "vmpl", json_integer(r->vmpl));
    json_object_set_new(o, "version", json_integer(r->version));
    json_object_set_new(o, "guest_svn", json_integer(r->guest_svn));
    if (signed_image(r)) {
        json_object_set_new(o, "id_key_digest", json_hex(r->id_key_digest, 48));
        if (r->author_key_en)
            json_object_set_new(o, "author_key_digest", json_hex(r->author_key_digest, 48));
    }
    json_object_set_new(o, "product", json_string(res->product));
    json_object_set_new(o, "root", json_string(res->root));
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
}

/*
 * --trust sim: the simulated chip's ARK becomes the extra root, and its VCEK the VCEK
 * when --vcek is not given. Fills paths (ARK, VCEK, ASK) for the files it stands for.
 * Returns 0, or -1 with why filled.
 */
static int use_sim_chip(struct args *a, char paths[3][PATH_MAX], char *err, size_t err_size)
{
    const char *dir = sim_chip_default_dir();
    if (dir == NULL) {
        snprintf(err, err_size, "--trust sim: no chip directory (set CLOISTER_SIM_DIR or HOME)");
        return -1;
    }
    snprintf(paths[0], PATH_MAX, "%s/%s", dir, SIM_CHIP_ARK_CERT);
    snprintf(paths[1], PATH_MAX, "%s/%s", dir, SIM_CHIP_VCEK_CERT);
    snprintf(paths[2], PATH_MAX, "%s/%s", dir, SIM_CHIP_ASK_CERT);
    if (access(paths[0], F_OK) != 0) {
        snprintf(err, err_size,
                 "--trust sim: no simulated chip in %s (cloister sim init makes one)", dir);
        return -1;
    }
    a->trust = paths[0];
    if (a->vcek == NULL)
        a->vcek = paths[1];
    return 0;
}

/*
 * With --trust sim and no --chain, the simulated chip's ASK completes the chain of a
 * VCEK it issued; any other VCEK (a genuine AMD one) keeps the built-in AMD chain.
 * Returns 0 with *chain set or left NULL, or -1 with why filled.
 */
static int sim_chain(const char *ask_path, X509 *vcek, STACK_OF(X509) * *chain, char *err,
                     size_t err_size)
{
    STACK_OF(X509) *ask = pem_read_certs(ask_path, MAX_INPUT_SIZE, err, err_size);
    if (ask == NULL)
        return -1;
    X509_NAME *ask_name = X509_get_subject_name(sk_X509_value(ask, 0));
    if (X509_NAME_cmp(X509_get_issuer_name(vcek), ask_name) == 0)
        *chain = ask;
    else
        sk_X509_pop_free(ask, X509_free);
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    struct args a;
    memset(&a, 0, sizeof(a));
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;

    char why[512];
    uint8_t *report = NULL;
    size_t report_len = 0;
    X509 *vcek = NULL, *trust = NULL;
    STACK_OF(X509) *chain = NULL, *trust_certs = NULL;
    struct snp_verify_result *res = calloc(1, sizeof(*res));
    char sim_paths[3][PATH_MAX];

    if (res == NULL) {
        rc = reject(a.json, "input", "input: out of memory");
        goto out;
    }
    if ((a.trust_sim && use_sim_chip(&a, sim_paths, why, sizeof(why)) != 0) ||
        (report = (uint8_t *)file_read_small(a.report, MAX_INPUT_SIZE, &report_len, why,
                                             sizeof(why))) == NULL ||
        (vcek = read_cert(a.vcek, why, sizeof(why))) == NULL ||
        (a.chain && (chain = pem_read_certs(a.chain, MAX_INPUT_SIZE, why, sizeof(why))) == NULL) ||
        (a.trust_sim && !a.chain && sim_chain(sim_paths[2], vcek, &chain, why, sizeof(why))) ||
        (a.trust &&
         (trust_certs = pem_read_certs(a.trust, MAX_INPUT_SIZE, why, sizeof(why))) == NULL)) {
        char line[600];
        snprintf(line, sizeof(line), "input: %s", why);
        rc = reject(a.json, "input", line);
        goto out;
    }
    if (trust_certs != NULL) {
        if (sk_X509_num(trust_certs) != 1) {
            rc = reject(a.json, "input", "input: --trust needs a file with exactly one root");
            goto out;
        }
        trust = sk_X509_value(trust_certs, 0);
    }
    a.opts.chain = chain;
    a.opts.extra_root = trust;

    if (snp_verify(report, report_len, vcek, &a.opts, res) != SNP_VERIFY_OK) {
        rc = reject(a.json, snp_verify_check_name(res->status), res->message);
        goto out;
    }
    if (a.json)
        print_json(res);
    else
        print_text(res);
    rc = EXIT_VERIFIED;
out:
    fflush(stdout);
    free(res);
    free(report);
    X509_free(vcek);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(trust_certs, X509_free);
    return rc;
}
