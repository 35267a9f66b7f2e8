/*
 * Unit tests for the manifest: the canonical records (encode, decode, every way a
 * reader must refuse a non-canonical or invalid encoding), validation, and the JSON
 * authoring form. Expected encodings are assembled here record by record from the rules
 * of include/cloister/cwi.h, not taken from the encoder.
 */
#include "image/manifest.h"
#include "image/manifest_json.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>

#include <cloister/cwi.h>

/* A hand-built record stream. */
struct recs {
    uint8_t b[CWI_MAX_MANIFEST + 64];
    size_t n;
};

static void rec(struct recs *r, uint16_t key, const void *v, uint32_t len)
{
    struct cwi_record h = {.key = key, .length = len};
    memcpy(r->b + r->n, &h, sizeof(h));
    memcpy(r->b + r->n + 8, v, len);
    size_t padded = (len + 7u) & ~7u;
    memset(r->b + r->n + 8 + len, 0, padded - len);
    r->n += 8 + padded;
}

static void rec_str(struct recs *r, uint16_t key, const char *s)
{
    rec(r, key, s, (uint32_t)strlen(s));
}

static void rec_u64(struct recs *r, uint16_t key, uint64_t v)
{
    rec(r, key, &v, 8); /* the test host is little-endian, like the format */
}

static void rec_u32(struct recs *r, uint16_t key, uint32_t v)
{
    rec(r, key, &v, 4);
}

static void rec_u8(struct recs *r, uint16_t key, uint8_t v)
{
    rec(r, key, &v, 1);
}

/* The records of a small valid manifest, with hooks to leave out or change one. */
enum { SKIP_NONE, SKIP_ENTRY, SKIP_MEM, SKIP_VCPUS, SKIP_CWD, SKIP_POLICY, SKIP_PROCESSES };

static void valid_recs(struct recs *r, int skip)
{
    r->n = 0;
    if (skip != SKIP_ENTRY)
        rec_str(r, CWI_KEY_ENTRY, "/bin/app");
    rec_str(r, CWI_KEY_ARG, "/bin/app");
    rec_str(r, CWI_KEY_ARG, "--flag");
    rec_str(r, CWI_KEY_ENV, "HOME=/");
    if (skip != SKIP_CWD)
        rec_str(r, CWI_KEY_CWD, "/");
    if (skip != SKIP_MEM)
        rec_u64(r, CWI_KEY_MEM_SIZE, 256ull << 20);
    if (skip != SKIP_VCPUS)
        rec_u32(r, CWI_KEY_VCPUS, 2);
    rec_u64(r, CWI_KEY_TMPFS_SIZE, 64ull << 20);
    rec_u8(r, CWI_KEY_EXTRA_ARGS, 0);
    if (skip != SKIP_POLICY)
        rec_u64(r, CWI_KEY_SNP_POLICY, 0x30000);
    if (skip != SKIP_PROCESSES)
        rec_u32(r, CWI_KEY_MAX_PROCESSES, 1024);
}

/* Expects decode to fail with a message containing frag. */
static void expect_decode_error(const uint8_t *b, size_t n, const char *frag)
{
    struct cl_manifest m;
    char err[256] = "";
    CHECK_EQ_INT(manifest_decode(b, n, &m, err, sizeof(err)), -1);
    if (!strstr(err, frag)) {
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err, frag);
        unit_case_failed = 1;
    }
    CHECK(strncmp(err, "manifest: ", 10) == 0);
    CHECK(m.entry == NULL && m.argv == NULL); /* nothing left to free */
}

static void set_argv(struct cl_manifest *m, size_t n, const char *const *v)
{
    m->argv = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        m->argv[i] = strdup(v[i]);
    m->argc = n;
}

static void set_env(struct cl_manifest *m, size_t n, const char *const *v)
{
    m->envp = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        m->envp[i] = strdup(v[i]);
    m->envc = n;
}

/* A valid manifest: entry /bin/app, argv {"/bin/app"}. */
static void small_manifest(struct cl_manifest *m)
{
    static const char *const argv[] = {"/bin/app"};
    manifest_init(m);
    m->entry = strdup("/bin/app");
    set_argv(m, 1, argv);
}

static void expect_invalid(const struct cl_manifest *m, const char *frag)
{
    char err[256] = "";
    uint8_t *out = NULL;
    size_t len = 0;
    CHECK_EQ_INT(manifest_validate(m, err, sizeof(err)), -1);
    if (!strstr(err, frag)) {
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err, frag);
        unit_case_failed = 1;
    }
    CHECK_EQ_INT(manifest_encode(m, &out, &len, err, sizeof(err)), -1);
    CHECK(out == NULL);
}

static void test_defaults(void)
{
    struct cl_manifest m;
    manifest_init(&m);
    CHECK_EQ_INT(m.mem_size, 256ull << 20);
    CHECK_EQ_INT(m.vcpus, 1);
    CHECK_EQ_INT(m.tmpfs_size, 64ull << 20);
    CHECK(m.cwd == NULL); /* "/", without an allocation */
    CHECK(!m.extra_args);
    CHECK_EQ_INT(m.snp_policy, 0x30000);
    CHECK_EQ_INT(m.max_processes, 1024);
    CHECK(m.entry == NULL && m.argc == 0 && m.envc == 0);
    manifest_free(&m);
}

static void test_encoding_is_canonical_records(void)
{
    static const char *const argv[] = {"/bin/app", "--flag"};
    static const char *const env[] = {"HOME=/"};
    struct cl_manifest m;
    struct recs expect;
    uint8_t *out = NULL;
    size_t len = 0;
    char err[256];

    manifest_init(&m);
    m.entry = strdup("/bin/app");
    set_argv(&m, 2, argv);
    set_env(&m, 1, env);
    m.vcpus = 2;
    valid_recs(&expect, SKIP_NONE);
    CHECK_EQ_INT(manifest_encode(&m, &out, &len, err, sizeof(err)), 0);
    CHECK_EQ_INT(len, expect.n);
    CHECK(out && len == expect.n && memcmp(out, expect.b, len) == 0);
    CHECK_EQ_INT(len % 8, 0);
    free(out);
    manifest_free(&m);
}

static void test_round_trip(void)
{
    static const char *const argv[] = {"app", "", "two words", "\xff\x01"};
    static const char *const env[] = {"Z=1", "A=", "PATH=/bin:/usr/bin"};
    struct cl_manifest m, d;
    uint8_t *out = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    char err[256];

    manifest_init(&m);
    m.entry = strdup("/opt/app/bin/server");
    set_argv(&m, 4, argv);
    set_env(&m, 3, env);
    free(m.cwd);
    m.cwd = strdup("/srv/data");
    m.mem_size = 1ull << 30;
    m.vcpus = 64;
    m.tmpfs_size = 0;
    m.extra_args = true;
    m.snp_policy = 0x30000 | (1u << 19);
    m.max_processes = 32768;
    CHECK_EQ_INT(manifest_encode(&m, &out, &len, err, sizeof(err)), 0);
    CHECK_EQ_INT(manifest_decode(out, len, &d, err, sizeof(err)), 0);
    CHECK_STREQ(d.entry, m.entry);
    CHECK_EQ_INT(d.argc, 4);
    for (size_t i = 0; i < d.argc && i < 4; i++)
        CHECK_STREQ(d.argv[i], argv[i]);
    CHECK_EQ_INT(d.envc, 3);
    for (size_t i = 0; i < d.envc && i < 3; i++)
        CHECK_STREQ(d.envp[i], env[i]); /* order kept, not sorted */
    CHECK_STREQ(d.cwd, "/srv/data");
    CHECK_EQ_INT(d.mem_size, 1ull << 30);
    CHECK_EQ_INT(d.vcpus, 64);
    CHECK_EQ_INT(d.tmpfs_size, 0);
    CHECK(d.extra_args);
    CHECK_EQ_INT(d.snp_policy, 0x30000 | (1u << 19));
    CHECK_EQ_INT(d.max_processes, 32768);
    CHECK_EQ_INT(manifest_encode(&d, &again, &len2, err, sizeof(err)), 0);
    CHECK(len2 == len && memcmp(out, again, len) == 0);
    free(out);
    free(again);
    manifest_free(&m);
    manifest_free(&d);
}

static void test_decode_accepts_valid(void)
{
    struct recs r;
    struct cl_manifest m;
    char err[256];
    valid_recs(&r, SKIP_NONE);
    CHECK_EQ_INT(manifest_decode(r.b, r.n, &m, err, sizeof(err)), 0);
    CHECK_EQ_INT(m.vcpus, 2);
    CHECK_EQ_INT(m.argc, 2);
    CHECK_EQ_INT(m.max_processes, 1024);
    manifest_free(&m);
}

static void test_decode_rejects_unknown_key(void)
{
    struct recs r;
    char want[32];
    valid_recs(&r, SKIP_NONE);
    rec_u64(&r, CWI_KEY_MAX, 1);
    snprintf(want, sizeof(want), "unknown key %u", CWI_KEY_MAX);
    expect_decode_error(r.b, r.n, want);
    valid_recs(&r, SKIP_NONE);
    memset(r.b, 0, 2); /* the ENTRY record becomes key 0 */
    expect_decode_error(r.b, r.n, "unknown key 0");
}

static void test_decode_rejects_wrong_order(void)
{
    struct recs r = {.n = 0};
    rec_str(&r, CWI_KEY_ENTRY, "/bin/app");
    rec_str(&r, CWI_KEY_ARG, "/bin/app");
    rec_str(&r, CWI_KEY_CWD, "/");
    rec_str(&r, CWI_KEY_ENV, "A=b"); /* ENV belongs before CWD */
    rec_u64(&r, CWI_KEY_MEM_SIZE, 256ull << 20);
    rec_u32(&r, CWI_KEY_VCPUS, 1);
    expect_decode_error(r.b, r.n, "out of order");

    r.n = 0; /* ARGs must be adjacent: an ARG after an ENV is out of order too */
    rec_str(&r, CWI_KEY_ENTRY, "/bin/app");
    rec_str(&r, CWI_KEY_ARG, "/bin/app");
    rec_str(&r, CWI_KEY_ENV, "A=b");
    rec_str(&r, CWI_KEY_ARG, "x");
    expect_decode_error(r.b, r.n, "ARG record after ENV");
}

static void test_decode_rejects_duplicate(void)
{
    struct recs r = {.n = 0};
    rec_str(&r, CWI_KEY_ENTRY, "/bin/app");
    rec_str(&r, CWI_KEY_ARG, "/bin/app");
    rec_str(&r, CWI_KEY_CWD, "/");
    rec_str(&r, CWI_KEY_CWD, "/tmp");
    expect_decode_error(r.b, r.n, "CWD record appears twice");
}

static void test_decode_rejects_bad_int_length(void)
{
    struct recs r = {.n = 0};
    rec_str(&r, CWI_KEY_ENTRY, "/bin/app");
    rec_str(&r, CWI_KEY_ARG, "/bin/app");
    rec_str(&r, CWI_KEY_CWD, "/");
    rec_u64(&r, CWI_KEY_MEM_SIZE, 256ull << 20);
    rec_u64(&r, CWI_KEY_VCPUS, 1); /* VCPUS is a u32 */
    expect_decode_error(r.b, r.n, "VCPUS record is 8 bytes, expected 4");

    r.n = 0;
    rec_str(&r, CWI_KEY_ENTRY, "/bin/app");
    rec_str(&r, CWI_KEY_ARG, "/bin/app");
    rec_str(&r, CWI_KEY_CWD, "/");
    rec_u32(&r, CWI_KEY_MEM_SIZE, 256u << 20);
    expect_decode_error(r.b, r.n, "MEM_SIZE record is 4 bytes, expected 8");
}

static void test_decode_rejects_padding_and_reserved(void)
{
    struct recs r;
    /* "/bin/app" is 8 bytes and has no padding: poke that of "--flag", the third record */
    valid_recs(&r, SKIP_NONE);
    size_t third = 16 + 16; /* ENTRY 8+8, ARG 8+8 */
    CHECK_EQ_INT(r.b[third], CWI_KEY_ARG);
    r.b[third + 8 + 6] = 0x20; /* "--flag" is 6 bytes, then 2 bytes of padding */
    expect_decode_error(r.b, r.n, "non-zero padding");

    valid_recs(&r, SKIP_NONE);
    r.b[2] = 1; /* ENTRY's reserved field */
    expect_decode_error(r.b, r.n, "non-zero reserved");
}

static void test_decode_rejects_nul_in_string(void)
{
    struct recs r = {.n = 0};
    rec(&r, CWI_KEY_ENTRY, "/bin/a\0p", 8);
    expect_decode_error(r.b, r.n, "NUL");
}

static void test_decode_rejects_trailing_garbage(void)
{
    struct recs r;
    valid_recs(&r, SKIP_NONE);
    r.b[r.n] = 0xee;
    expect_decode_error(r.b, r.n + 3, "truncated record header");
    valid_recs(&r, SKIP_NONE);
    expect_decode_error(r.b, r.n - 4, "runs past the end"); /* last record cut short */
}

static void test_decode_rejects_missing_keys(void)
{
    struct recs r;
    valid_recs(&r, SKIP_ENTRY);
    expect_decode_error(r.b, r.n, "no ENTRY record");
    valid_recs(&r, SKIP_MEM);
    expect_decode_error(r.b, r.n, "no MEM_SIZE record");
    valid_recs(&r, SKIP_VCPUS);
    expect_decode_error(r.b, r.n, "no VCPUS record");
    /* Every key is written, always: a missing optional one is not canonical either. */
    valid_recs(&r, SKIP_CWD);
    expect_decode_error(r.b, r.n, "no CWD record");
    valid_recs(&r, SKIP_POLICY);
    expect_decode_error(r.b, r.n, "no SNP_POLICY record");
    /* an image sealed before the key existed: refused, with what to do about it */
    valid_recs(&r, SKIP_PROCESSES);
    expect_decode_error(r.b, r.n, "no MAX_PROCESSES record (built before process limits");
    expect_decode_error(r.b, 0, "no ENTRY record");
}

static void test_decode_rejects_noncanonical_bool(void)
{
    struct recs r;
    valid_recs(&r, SKIP_NONE);
    /* EXTRA_ARGS is the third-last record, 8 + 8 (u8 padded), before SNP_POLICY's 16 and
     * MAX_PROCESSES' 16 (u32 padded) */
    size_t at = r.n - 16 - 16 - 16;
    CHECK_EQ_INT(r.b[at], CWI_KEY_EXTRA_ARGS);
    r.b[at + 8] = 2;
    expect_decode_error(r.b, r.n, "EXTRA_ARGS is 2");
}

static void test_decode_applies_validation(void)
{
    struct recs r = {.n = 0};
    rec_str(&r, CWI_KEY_ENTRY, "bin/app");
    rec_str(&r, CWI_KEY_ARG, "x");
    rec_str(&r, CWI_KEY_CWD, "/");
    rec_u64(&r, CWI_KEY_MEM_SIZE, 256ull << 20);
    rec_u32(&r, CWI_KEY_VCPUS, 1);
    rec_u64(&r, CWI_KEY_TMPFS_SIZE, 0);
    rec_u8(&r, CWI_KEY_EXTRA_ARGS, 0);
    rec_u64(&r, CWI_KEY_SNP_POLICY, 0x30000);
    rec_u32(&r, CWI_KEY_MAX_PROCESSES, 1024);
    expect_decode_error(r.b, r.n, "is not absolute");
}

/* MAX_PROCESSES: the last key, a u32 in 1..32768, after any network declaration. */
static void test_decode_max_processes(void)
{
    static const struct cwi_net_decl listen = {.proto = CWI_NET_TCP, .port = 8080};
    struct recs r;
    struct cl_manifest m;
    char err[256];

    valid_recs(&r, SKIP_PROCESSES);
    rec(&r, CWI_KEY_LISTEN, &listen, sizeof(listen));
    rec_u32(&r, CWI_KEY_MAX_PROCESSES, 1);
    CHECK_EQ_INT(manifest_decode(r.b, r.n, &m, err, sizeof(err)), 0);
    CHECK_EQ_INT(m.max_processes, 1);
    CHECK_EQ_INT(m.nlisten, 1);
    manifest_free(&m);

    valid_recs(&r, SKIP_PROCESSES);
    rec_u32(&r, CWI_KEY_MAX_PROCESSES, 64);
    rec(&r, CWI_KEY_LISTEN, &listen, sizeof(listen));
    expect_decode_error(r.b, r.n, "LISTEN record after MAX_PROCESSES");
    valid_recs(&r, SKIP_NONE);
    rec_u32(&r, CWI_KEY_MAX_PROCESSES, 64);
    expect_decode_error(r.b, r.n, "MAX_PROCESSES record appears twice");
    valid_recs(&r, SKIP_PROCESSES);
    rec_u64(&r, CWI_KEY_MAX_PROCESSES, 1024);
    expect_decode_error(r.b, r.n, "MAX_PROCESSES record is 8 bytes, expected 4");
    static const uint32_t out_of_range[] = {0, 32769, UINT32_MAX};
    for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
        char want[64];
        valid_recs(&r, SKIP_PROCESSES);
        rec_u32(&r, CWI_KEY_MAX_PROCESSES, out_of_range[i]);
        snprintf(want, sizeof(want), "process limit %u is outside 1..32768", out_of_range[i]);
        expect_decode_error(r.b, r.n, want);
    }
}

static void test_validate_paths(void)
{
    static const char *const bad[][2] = {
        {"bin/app", "is not absolute"}, {"/bin/../app", "'..' component"},
        {"/bin/./app", "'.' or '..'"},  {"/bin//app", "empty component"},
        {"/bin/app/", "ends with '/'"}, {"", "is empty"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cl_manifest m;
        small_manifest(&m);
        free(m.entry);
        m.entry = strdup(bad[i][0]);
        expect_invalid(&m, bad[i][1]);
        manifest_free(&m);
    }
    struct cl_manifest m;
    small_manifest(&m);
    free(m.entry);
    m.entry = malloc(CWI_MAX_PATH + 1);
    m.entry[0] = '/';
    memset(m.entry + 1, 'a', CWI_MAX_PATH - 1);
    m.entry[CWI_MAX_PATH] = '\0'; /* CWI_MAX_PATH bytes: one too many */
    expect_invalid(&m, "too long");
    m.entry[CWI_MAX_PATH - 1] = '\0';
    char err[256];
    CHECK_EQ_INT(manifest_validate(&m, err, sizeof(err)), 0);
    free(m.cwd);
    m.cwd = strdup("tmp");
    expect_invalid(&m, "working directory 'tmp' is not absolute");
    manifest_free(&m);
}

static void test_validate_limits(void)
{
    struct cl_manifest m;
    char err[256];
    small_manifest(&m);

    m.mem_size = (256ull << 20) + 4096;
    expect_invalid(&m, "not a multiple of 2 MiB");
    m.mem_size = 30ull << 20;
    expect_invalid(&m, "outside 32 MiB..255 GiB");
    /* RAM ends by the doorbell at 255 GiB (abi.h's 39-bit map) */
    m.mem_size = (255ull << 30) + (2ull << 20);
    expect_invalid(&m, "outside 32 MiB..255 GiB");
    m.mem_size = 512ull << 30;
    expect_invalid(&m, "outside 32 MiB..255 GiB");
    m.mem_size = 32ull << 20;
    m.tmpfs_size = 0;
    CHECK_EQ_INT(manifest_validate(&m, err, sizeof(err)), 0);
    m.mem_size = 255ull << 30;
    CHECK_EQ_INT(manifest_validate(&m, err, sizeof(err)), 0);

    m.vcpus = 0;
    expect_invalid(&m, "outside 1..64");
    m.vcpus = 65;
    expect_invalid(&m, "outside 1..64");
    m.vcpus = 64;

    m.mem_size = 64ull << 20;
    m.tmpfs_size = 128ull << 20;
    expect_invalid(&m, "larger than memory");
    m.tmpfs_size = 1000;
    expect_invalid(&m, "multiple of 4 KiB");
    m.tmpfs_size = 0;

    m.max_processes = 0;
    expect_invalid(&m, "process limit 0 is outside 1..32768");
    m.max_processes = 40000;
    expect_invalid(&m, "process limit 40000 is outside 1..32768");
    m.max_processes = UINT32_MAX;
    expect_invalid(&m, "outside 1..32768");
    m.max_processes = 1;
    CHECK_EQ_INT(manifest_validate(&m, err, sizeof(err)), 0);
    m.max_processes = 32768;
    CHECK_EQ_INT(manifest_validate(&m, err, sizeof(err)), 0);

    m.snp_policy = 0x10000;
    expect_invalid(&m, "bit 17");
    m.snp_policy = 0x30000;
    CHECK_EQ_INT(manifest_validate(&m, err, sizeof(err)), 0);
    manifest_free(&m);
}

static void test_validate_argv_env(void)
{
    static const char *const dup_env[] = {"A=1", "B=2", "A=3"};
    static const char *const bad_env[] = {"NOEQUALS"};
    static const char *const anon_env[] = {"=x"};
    struct cl_manifest m;

    manifest_init(&m);
    m.entry = strdup("/bin/app");
    expect_invalid(&m, "argv is empty");
    manifest_free(&m);

    small_manifest(&m);
    set_env(&m, 3, dup_env);
    expect_invalid(&m, "A is set twice");
    manifest_free(&m);
    small_manifest(&m);
    set_env(&m, 1, bad_env);
    expect_invalid(&m, "not NAME=value");
    manifest_free(&m);
    small_manifest(&m);
    set_env(&m, 1, anon_env);
    expect_invalid(&m, "not NAME=value");
    manifest_free(&m);
}

static void test_validate_size_limit(void)
{
    struct cl_manifest m;
    char err[256], want[64];
    small_manifest(&m);
    /* Each 1000-byte argument costs a 1008-byte record: this many pass the limit. */
    size_t n = CWI_MAX_MANIFEST / 1008 + 1;
    char **v = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        v[i] = malloc(1001);
        memset(v[i], 'x', 1000);
        v[i][1000] = '\0';
    }
    for (size_t i = 0; i < m.argc; i++)
        free(m.argv[i]);
    free(m.argv);
    m.argv = v;
    m.argc = n;
    snprintf(want, sizeof(want), "larger than %u bytes", CWI_MAX_MANIFEST);
    expect_invalid(&m, want);
    m.argc = n - 8; /* the rest stay allocated for manifest_free */
    CHECK_EQ_INT(manifest_validate(&m, err, sizeof(err)), 0);
    m.argc = n;
    manifest_free(&m);
}

/* Parses JSON text from this directory; returns 0 or -1 with err. */
static int parse_json(const char *text, struct manifest_json *j, char *err, size_t size)
{
    return manifest_json_parse(text, strlen(text), "app.json", "/home/u/proj", j, err, size);
}

static void expect_json_error(const char *text, const char *frag)
{
    struct manifest_json j;
    char err[256] = "";
    CHECK_EQ_INT(parse_json(text, &j, err, sizeof(err)), -1);
    if (!strstr(err, frag)) {
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err, frag);
        unit_case_failed = 1;
    }
    CHECK(strncmp(err, "app.json: ", 10) == 0);
}

static void test_json_full(void)
{
    struct manifest_json j;
    char err[256] = "";
    const char *text = "{\"entry\": \"/bin/app\", \"args\": [\"-v\", \"x y\"],"
                       " \"env\": {\"Z\": \"1\", \"A\": \"two=2\"}, \"cwd\": \"/srv\","
                       " \"memory\": \"1G\", \"cpus\": 4, \"tmpfs\": 0, \"extra_args\": true,"
                       " \"snp_policy\": \"0x70000\", \"processes\": 100,"
                       " \"files\": [{\"src\": \"out/app\", \"dst\": \"/bin/app\"},"
                       "            {\"dst\": \"/etc\", \"src\": \"/etc/app\"}]}";
    CHECK_EQ_INT(parse_json(text, &j, err, sizeof(err)), 0);
    CHECK_STREQ(j.m.entry, "/bin/app");
    CHECK_EQ_INT(j.m.argc, 3);
    CHECK(j.m.argv[0] == NULL); /* "the entry", filled in by the builder */
    CHECK_STREQ(j.m.argv[1], "-v");
    CHECK_STREQ(j.m.argv[2], "x y");
    CHECK_EQ_INT(j.m.envc, 2);
    CHECK_STREQ(j.m.envp[0], "Z=1"); /* the order written */
    CHECK_STREQ(j.m.envp[1], "A=two=2");
    CHECK_STREQ(j.m.cwd, "/srv");
    CHECK_EQ_INT(j.m.mem_size, 1ull << 30);
    CHECK_EQ_INT(j.m.vcpus, 4);
    CHECK_EQ_INT(j.m.tmpfs_size, 0);
    CHECK(j.m.extra_args);
    CHECK_EQ_INT(j.m.snp_policy, 0x70000);
    CHECK_EQ_INT(j.m.max_processes, 100);
    CHECK_EQ_INT(j.nfiles, 2);
    CHECK_STREQ(j.files[0].src, "/home/u/proj/out/app");
    CHECK_STREQ(j.files[0].dst, "/bin/app");
    CHECK_STREQ(j.files[1].src, "/etc/app");
    manifest_json_free(&j);
}

static void test_json_defaults_and_forms(void)
{
    struct manifest_json j;
    char err[256] = "";
    CHECK_EQ_INT(parse_json("{}", &j, err, sizeof(err)), 0);
    CHECK(j.m.entry == NULL);
    CHECK_EQ_INT(j.m.argc, 1);
    CHECK_EQ_INT(j.m.mem_size, 256ull << 20);
    CHECK_EQ_INT(j.m.tmpfs_size, 64ull << 20);
    CHECK_EQ_INT(j.m.snp_policy, 0x30000);
    CHECK_EQ_INT(j.m.max_processes, 1024);
    manifest_json_free(&j);

    CHECK_EQ_INT(parse_json("{\"env\": [\"B=1\", \"A=2\"], \"memory\": 67108864, \"argv0\": "
                            "\"sh\", \"tmpfs\": \"512KiB\", \"snp_policy\": 196608}",
                            &j, err, sizeof(err)),
                 0);
    CHECK_EQ_INT(j.m.envc, 2);
    CHECK_STREQ(j.m.envp[0], "B=1");
    CHECK_EQ_INT(j.m.mem_size, 64ull << 20);
    CHECK_STREQ(j.m.argv[0], "sh");
    CHECK_EQ_INT(j.m.tmpfs_size, 512ull << 10);
    CHECK_EQ_INT(j.m.snp_policy, 0x30000);
    manifest_json_free(&j);
}

static void test_json_errors(void)
{
    expect_json_error("{\"entry\": \"/a\", \"memroy\": \"1G\"}", "unknown key \"memroy\"");
    expect_json_error("{\"files\": [{\"src\": \"a\", \"dst\": \"/a\", \"mode\": 1}]}",
                      "unknown key \"mode\"");
    expect_json_error("{\"cpus\": \"4\"}", "\"cpus\" must be");
    expect_json_error("{\"memory\": \"lots\"}", "\"memory\" must be a size");
    expect_json_error("{\"memory\": -1}", "\"memory\" must be a size");
    expect_json_error("{\"args\": \"-v\"}", "\"args\" must be an array");
    expect_json_error("{\"args\": [1]}", "\"args\"[0] must be a string");
    expect_json_error("{\"env\": [\"NOEQ\"]}", "\"env\"[0] must be");
    expect_json_error("{\"env\": {\"A=B\": \"1\"}}", "not a variable name");
    expect_json_error("{\"env\": \"A=1\"}", "\"env\" must be");
    expect_json_error("{\"extra_args\": 1}", "true or false");
    expect_json_error("{\"files\": [{\"src\": \"a\"}]}", "needs \"src\" and \"dst\"");
    expect_json_error("{\"files\": [{\"src\": \"a\", \"dst\": \"/x/../y\"}]}", "'..'");
    expect_json_error("{\"entry\": \"/a\", \"entry\": \"/b\"}", "duplicate");
    expect_json_error("{\"entry\": \"/a\"", "line 1");
    expect_json_error("[]", "must be a JSON object");
    expect_json_error("{\"entry\": \"/a\\u0000b\"}", "is not allowed");
    expect_json_error("{\"snp_policy\": \"policy\"}", "\"snp_policy\" must be");
    expect_json_error("{\"processes\": \"100\"}", "\"processes\" must be a number");
    expect_json_error("{\"processes\": -1}", "\"processes\" must be a number");
    expect_json_error("{\"processes\": 4294967296}", "\"processes\" must be a number");
    expect_json_error("{\"processes\": 1.5}", "\"processes\" must be a number");
}

/* "processes" out of range parses (it is a count) and is refused by validation, the
 * one place that knows the range, as `cloister build -f` reports it. */
static void test_json_processes_range(void)
{
    struct manifest_json j;
    char err[256] = "";
    CHECK_EQ_INT(parse_json("{\"entry\": \"/a\", \"processes\": 0}", &j, err, sizeof(err)), 0);
    j.m.argv[0] = strdup(j.m.entry);
    expect_invalid(&j.m, "process limit 0 is outside 1..32768");
    manifest_json_free(&j);
    CHECK_EQ_INT(parse_json("{\"entry\": \"/a\", \"processes\": 32768}", &j, err, sizeof(err)), 0);
    j.m.argv[0] = strdup(j.m.entry);
    CHECK_EQ_INT(manifest_validate(&j.m, err, sizeof(err)), 0);
    manifest_json_free(&j);
}

static void test_json_reverse(void)
{
    static const char *const argv[] = {"/bin/app", "-v"};
    static const char *const env[] = {"K=V"};
    struct cl_manifest m;
    struct manifest_json j;
    char err[256];

    manifest_init(&m);
    m.entry = strdup("/bin/app");
    set_argv(&m, 2, argv);
    set_env(&m, 1, env);
    m.mem_size = 3ull << 20 << 10; /* 3 GiB */
    m.vcpus = 3;
    m.max_processes = 7;
    json_t *o = manifest_to_json(&m);
    CHECK(o != NULL);
    CHECK(json_object_get(o, "argv0") == NULL); /* argv[0] is the entry */
    CHECK_STREQ(json_string_value(json_object_get(o, "memory")), "3G");
    CHECK_STREQ(json_string_value(json_object_get(o, "tmpfs")), "64M");
    CHECK_STREQ(json_string_value(json_object_get(o, "snp_policy")), "0x30000");
    CHECK_EQ_INT(json_integer_value(json_object_get(o, "processes")), 7);
    char *text = json_dumps(o, JSON_COMPACT);
    CHECK_EQ_INT(parse_json(text, &j, err, sizeof(err)), 0);
    j.m.argv[0] = strdup(j.m.entry); /* what the builder does */
    uint8_t *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    CHECK_EQ_INT(manifest_encode(&m, &a, &la, err, sizeof(err)), 0);
    CHECK_EQ_INT(manifest_encode(&j.m, &b, &lb, err, sizeof(err)), 0);
    CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
    free(a);
    free(b);
    free(text);
    json_decref(o);
    manifest_json_free(&j);
    manifest_free(&m);
}

/* --secret specs: the three fields, and the optional certificate pin of a TLS broker. */
static void test_secret_specs(void)
{
    static const char pin[] =
        "sha256:46391931aedf738fa06c5d81d576d5fd5db6cc3839a3cd3573e038e683f92b35";
    char spec[256];
    CHECK(manifest_secret_problem("10.0.0.5:8080|default/key/db|file:/run/secrets/db") == NULL);
    CHECK(manifest_secret_problem("kbs:443|default/key/token|env:API_TOKEN") == NULL);
    snprintf(spec, sizeof(spec), "10.0.0.5:8080|default/key/db|file:/run/secrets/db|%s", pin);
    CHECK(manifest_secret_problem(spec) == NULL);
    snprintf(spec, sizeof(spec), "kbs:443|default/key/token|env:API_TOKEN|%s", pin);
    CHECK(manifest_secret_problem(spec) == NULL);
    /* the destination is still checked when a pin follows it */
    snprintf(spec, sizeof(spec), "kbs:443|a/b/c|file:/run/secrets/..|%s", pin);
    CHECK(strstr(manifest_secret_problem(spec), "neither") != NULL);
    snprintf(spec, sizeof(spec), "kbs:443|a/b/c|env:|%s", pin);
    CHECK(strstr(manifest_secret_problem(spec), "neither") != NULL);
    snprintf(spec, sizeof(spec), "kbs:443|a/b/c|file:/run/secrets/.x|%s", pin);
    CHECK(manifest_secret_problem(spec) == NULL);
    /* malformed pins: uppercase, short, long, another hash, a fifth field, empty */
    static const char *const bad[] = {
        "kbs:443|a/b/"
        "c|env:X|sha256:46391931AEDF738FA06C5D81D576D5FD5DB6CC3839A3CD3573E038E683F92B35",
        "kbs:443|a/b/"
        "c|env:X|sha256:46391931aedf738fa06c5d81d576d5fd5db6cc3839a3cd3573e038e683f92b3",
        "kbs:443|a/b/"
        "c|env:X|sha256:46391931aedf738fa06c5d81d576d5fd5db6cc3839a3cd3573e038e683f92b355",
        "kbs:443|a/b/"
        "c|env:X|sha384:46391931aedf738fa06c5d81d576d5fd5db6cc3839a3cd3573e038e683f92b35",
        "kbs:443|a/b/c|env:X|46391931aedf738fa06c5d81d576d5fd5db6cc3839a3cd3573e038e683f92b35",
        "kbs:443|a/b/c|env:X|",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(strstr(manifest_secret_problem(bad[i]), "pin") != NULL);
    snprintf(spec, sizeof(spec), "kbs:443|a/b/c|env:X|%s|x", pin);
    CHECK(strstr(manifest_secret_problem(spec), "is not HOST:PORT") != NULL);
}

int main(void)
{
    RUN(defaults);
    RUN(encoding_is_canonical_records);
    RUN(round_trip);
    RUN(decode_accepts_valid);
    RUN(decode_rejects_unknown_key);
    RUN(decode_rejects_wrong_order);
    RUN(decode_rejects_duplicate);
    RUN(decode_rejects_bad_int_length);
    RUN(decode_rejects_padding_and_reserved);
    RUN(decode_rejects_nul_in_string);
    RUN(decode_rejects_trailing_garbage);
    RUN(decode_rejects_missing_keys);
    RUN(decode_rejects_noncanonical_bool);
    RUN(decode_applies_validation);
    RUN(decode_max_processes);
    RUN(validate_paths);
    RUN(validate_limits);
    RUN(validate_argv_env);
    RUN(validate_size_limit);
    RUN(json_full);
    RUN(json_defaults_and_forms);
    RUN(json_errors);
    RUN(json_processes_range);
    RUN(json_reverse);
    RUN(secret_specs);
    UNIT_EXIT();
}
