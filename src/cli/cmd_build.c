/*
 * `cloister build`: seal a program, its files and its configuration into a .cwi image.
 *
 * The configuration comes from cloister.json (-f) with the command line on top: flags
 * replace what the JSON says, --add and --env add to it (an --env replaces the JSON's
 * variable of the same name), and the ARGS after "--" replace its "args". The image is
 * written to a temporary file beside OUT and renamed over it only once it has been
 * written, read back through the same checks `cloister run` applies, and measured: a
 * failed build never leaves a partial OUT.
 */
#include "cli/image_commands.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/option_table.h"
#include "cli/size_arg.h"
#include "image/file_tree.h"
#include "launch/id_block.h"
#include "image/manifest_json.h"
#include "image/net_decl.h"
#include "seal/seal.h"
#include "common/hex.h"

#define EXIT_BUILT  0
#define EXIT_FAILED 1

static const char usage_text[] =
    "usage: cloister build -o OUT [-f cloister.json] [--entry HOST[:DST]] [--add SRC:DST]...\n"
    "                      [--env K=V]... [--cwd DIR] [--mem SIZE] [--cpus N] [--tmpfs SIZE]\n"
    "                      [--processes N]\n"
    "                      [--listen PROTO:PORT]... [--connect PROTO:HOST:PORT]...\n"
    "                      [--allow-args] [--id-key PEM [--author-key PEM] [--family-id HEX32]\n"
    "                      [--image-id HEX32] [--guest-svn N]] [-- ARGS...]\n"
    "  -o OUT              the image to write (replaced atomically)\n"
    "  -f FILE             cloister.json; its \"src\" paths are relative to its directory\n"
    "  --entry HOST[:DST]  the program; DST defaults to HOST if absolute, else /NAME\n"
    "  --add SRC:DST       a file, symlink or directory (recursively) at DST in the image\n"
    "  --env K=V           an environment variable of the workload\n"
    "  --secret HOST:PORT|REPO/TYPE/TAG|file:/run/secrets/NAME  (or |env:NAME)\n"
    "                      a secret the shim fetches from that key broker before the\n"
    "                      workload starts, once the broker has checked the attestation;\n"
    "                      append |sha256:PIN (what `cloister kbs --tls-cert` prints) to\n"
    "                      speak TLS and accept only the broker with that certificate\n"
    "  --listen [tcp:|udp:]PORT   a port the workload may listen on (repeatable)\n"
    "  --connect [tcp:|udp:]HOST:PORT   a destination it may reach; HOST an IPv4 address\n"
    "                      or [IPv6]; without either, the workload has no network\n"
    "  --cwd DIR           its working directory (default /)\n"
    "  --mem SIZE          guest memory, a multiple of 2M (default 256M)\n"
    "  --cpus N            vCPUs, 1..64 (default 1)\n"
    "  --tmpfs SIZE        bytes /tmp may hold, 0 for none (default 64M)\n"
    "  --processes N       the most processes at once, zombies included, 1..32768\n"
    "                      (default 1024); a fork beyond it fails with EAGAIN\n"
    "  --allow-args        let `cloister run` append arguments\n"
    "  --id-key PEM        sign: an SEV-SNP ID block over the launch digest and policy,\n"
    "                      signed with this EC P-384 private key (SIGNATURE section)\n"
    "  --author-key PEM    an EC P-384 author key that signs the ID key\n"
    "  --family-id HEX32, --image-id HEX32, --guest-svn N   ID block fields (default 0)\n"
    "  -- ARGS...          argv[1..]; argv[0] is the entry's path in the image\n";

/* What the command line asked for; pointers into argv. */
struct args {
    const char *out, *json, *entry, *cwd;
    const char **adds, **envs, **secrets;
    size_t nadds, nenvs, nsecrets;
    struct cwi_net_decl *net[2]; /* [0] listen, [1] connect */
    size_t nnet[2];
    bool mem_set, cpus_set, tmpfs_set, processes_set, allow_args;
    uint64_t mem, tmpfs;
    uint32_t cpus, processes;
    char **argv; /* after "--", or NULL */
    size_t argc;
    const char *id_key, *author_key;
    uint8_t family_id[16], image_id[16];
    uint32_t guest_svn;
};

static const struct cli_command build_command;

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int status = cli_usage_verror(&build_command, fmt, ap);
    va_end(ap);
    return status;
}

__attribute__((format(printf, 1, 2))) static int failed(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cloister: build: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAILED;
}

/*
 * Splits "SRC:DST" at the last ":/" (DST is absolute, so that is where it starts; a
 * host path may hold colons of its own). 0, or -1 if there is no ":/" at all.
 */
static int split_spec(const char *spec, char **src, char **dst)
{
    const char *colon = NULL;
    for (const char *p = spec; (p = strstr(p, ":/")) != NULL; p++)
        colon = p;
    if (!colon || colon == spec)
        return -1;
    *src = strndup(spec, (size_t)(colon - spec));
    *dst = strdup(colon + 1);
    return 0;
}

/* A whole unsigned 32-bit number in base (0: C prefixes); 0, or -1. */
static int parse_u32(const char *s, int base, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, base);
    if (errno || end == s || *end || s[0] == '-' || n > UINT32_MAX)
        return -1;
    *out = (uint32_t)n;
    return 0;
}

static int add_file(void *args, const char *spec)
{
    struct args *a = args;
    a->adds[a->nadds++] = spec;
    return 0;
}

static int add_env(void *args, const char *kv)
{
    struct args *a = args;
    if (!strchr(kv, '=') || kv[0] == '=')
        return usage_error("--env wants NAME=value, not '%s'", kv);
    a->envs[a->nenvs++] = kv;
    return 0;
}

static int add_secret(void *args, const char *spec)
{
    struct args *a = args;
    const char *why = manifest_secret_problem(spec);
    if (why)
        return usage_error("--secret '%s' %s", spec, why);
    /* allowed (trustee's plain-HTTP setups) but worth saying: without a pin the host can
     * answer in the broker's place with a value of its choosing */
    if (!strstr(spec, "|sha256:"))
        fprintf(stderr,
                "cloister: warning: --secret '%s' has no broker certificate pin "
                "(|sha256:...): plain HTTP, the broker is not authenticated\n",
                spec);
    a->secrets[a->nsecrets++] = spec;
    return 0;
}

static int add_net(struct args *a, bool listen, const char *text)
{
    struct cwi_net_decl d;
    const char *why = net_decl_parse(text, listen, &d);
    if (why)
        return usage_error("--%s '%s' %s", listen ? "listen" : "connect", text, why);
    a->net[!listen][a->nnet[!listen]++] = d;
    return 0;
}

static int add_listen(void *args, const char *text)
{
    return add_net(args, true, text);
}

static int add_connect(void *args, const char *text)
{
    return add_net(args, false, text);
}

static int set_mem(void *args, const char *size)
{
    struct args *a = args;
    if (parse_size(size, &a->mem) < 0)
        return usage_error("bad memory size '%s'", size);
    a->mem_set = true;
    return 0;
}

static int set_tmpfs(void *args, const char *size)
{
    struct args *a = args;
    if (parse_size(size, &a->tmpfs) < 0)
        return usage_error("bad tmpfs size '%s'", size);
    a->tmpfs_set = true;
    return 0;
}

static int set_cpus(void *args, const char *count)
{
    struct args *a = args;
    if (parse_u32(count, 10, &a->cpus) < 0)
        return usage_error("bad vCPU count '%s'", count);
    a->cpus_set = true;
    return 0;
}

static int set_processes(void *args, const char *count)
{
    struct args *a = args;
    if (parse_u32(count, 10, &a->processes) < 0)
        return usage_error("bad process count '%s'", count);
    a->processes_set = true;
    return 0;
}

/* --family-id, --image-id: 16 bytes, as 32 hex digits. */
static int set_id(uint8_t id[16], const char *option, const char *hex)
{
    if (hex_decode(hex, id, 16) < 0)
        return usage_error("%s wants 32 hex digits, not '%s'", option, hex);
    return 0;
}

static int set_family_id(void *args, const char *hex)
{
    return set_id(((struct args *)args)->family_id, "--family-id", hex);
}

static int set_image_id(void *args, const char *hex)
{
    return set_id(((struct args *)args)->image_id, "--image-id", hex);
}

static int set_guest_svn(void *args, const char *n)
{
    struct args *a = args;
    if (parse_u32(n, 0, &a->guest_svn) < 0)
        return usage_error("bad guest SVN '%s'", n);
    return 0;
}

static const struct cli_option build_options[] = {
    CLI_STRING("o", struct args, out),
    CLI_STRING("f", struct args, json),
    CLI_STRING("entry", struct args, entry),
    CLI_VALUE_CALL("add", add_file),
    CLI_VALUE_CALL("env", add_env),
    CLI_VALUE_CALL("secret", add_secret),
    CLI_VALUE_CALL("listen", add_listen),
    CLI_VALUE_CALL("connect", add_connect),
    CLI_STRING("cwd", struct args, cwd),
    CLI_VALUE_CALL("mem", set_mem),
    CLI_VALUE_CALL("cpus", set_cpus),
    CLI_VALUE_CALL("tmpfs", set_tmpfs),
    CLI_VALUE_CALL("processes", set_processes),
    CLI_FLAG("allow-args", struct args, allow_args),
    CLI_STRING("id-key", struct args, id_key),
    CLI_STRING("author-key", struct args, author_key),
    CLI_VALUE_CALL("family-id", set_family_id),
    CLI_VALUE_CALL("image-id", set_image_id),
    CLI_VALUE_CALL("guest-svn", set_guest_svn),
    CLI_HELP("h"),
    CLI_HELP("help"),
};

static const struct cli_command build_command = {
    .name = "build",
    .usage = usage_text,
    .options = build_options,
    .noptions = sizeof(build_options) / sizeof(build_options[0]),
};

/* The workload's arguments: what follows "--", if the options ended with one. */
static int take_workload_args(int argc, char **argv, int first, struct args *a)
{
    bool after_dashes = first > 1 && strcmp(argv[first - 1], "--") == 0;
    if (first < argc && !after_dashes)
        return usage_error("unexpected argument '%s' (workload arguments go after --)",
                           argv[first]);
    if (after_dashes) {
        a->argv = argv + first; /* "--" and nothing after: no arguments */
        a->argc = (size_t)(argc - first);
    }
    return 0;
}

/* Parses the command line into *a. Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
    /* each repeatable option at most once per argument */
    a->adds = calloc((size_t)argc, sizeof(*a->adds));
    a->envs = calloc((size_t)argc, sizeof(*a->envs));
    a->secrets = calloc((size_t)argc, sizeof(*a->secrets));
    a->net[0] = calloc((size_t)argc, sizeof(*a->net[0]));
    a->net[1] = calloc((size_t)argc, sizeof(*a->net[1]));
    if (!a->adds || !a->envs || !a->secrets || !a->net[0] || !a->net[1])
        return failed("out of memory");
    int first;
    int status = cli_parse_options(&build_command, argc, argv, a, &first);
    if (status != CLI_OPTIONS_PARSED)
        return status;
    if ((status = take_workload_args(argc, argv, first, a)) != 0)
        return status;
    if (!a->out)
        return usage_error("no output image (-o OUT)");
    if (!a->entry && !a->json)
        return usage_error("no entry program (--entry, or \"entry\" in cloister.json)");
    if (!a->id_key && a->author_key)
        return usage_error("--author-key signs the ID key: it needs --id-key");
    return -1;
}

/* Sets NAME=value in m's environment, replacing an existing NAME. */
static int set_env(struct cl_manifest *m, const char *kv)
{
    size_t n = strcspn(kv, "=");
    char *copy = strdup(kv);
    if (!copy)
        return -1;
    for (size_t i = 0; i < m->envc; i++)
        if (strncmp(m->envp[i], kv, n) == 0 && m->envp[i][n] == '=') {
            free(m->envp[i]);
            m->envp[i] = copy;
            return 0;
        }
    char **v = realloc(m->envp, (m->envc + 1) * sizeof(*v));
    if (!v) {
        free(copy);
        return -1;
    }
    m->envp = v;
    m->envp[m->envc++] = copy;
    return 0;
}

/* Replaces argv[1..] with args, keeping argv[0] (possibly NULL: the entry). */
static int set_args(struct cl_manifest *m, char **args, size_t n)
{
    char **v = calloc(n + 1, sizeof(*v));
    if (!v)
        return -1;
    v[0] = m->argc ? m->argv[0] : NULL;
    for (size_t i = 1; i < m->argc; i++)
        free(m->argv[i]);
    free(m->argv);
    m->argv = v;
    m->argc = n + 1;
    for (size_t i = 0; i < n; i++)
        if (!(v[i + 1] = strdup(args[i])))
            return -1;
    return 0;
}

/* The entry program: HOST[:DST]. Adds it to t and names it in m, with what it needs. */
static int add_entry(const char *spec, struct file_tree *t, struct cl_manifest *m, FILE *notes,
                     char *err, size_t err_size)
{
    char *host = NULL, *dst = NULL;
    if (split_spec(spec, &host, &dst) != 0 && (host = strdup(spec)) != NULL)
        dst = seal_default_dst(host);
    int rc = -1;
    if (!host || !dst)
        snprintf(err, err_size, "out of memory");
    else if (seal_add_program(t, host, dst, notes, err, err_size) == 0) {
        free(m->entry);
        m->entry = dst;
        dst = NULL;
        rc = 0;
    }
    free(host);
    free(dst);
    return rc;
}

/* Collects every file the JSON and the flags name. 0, or -1 with err. */
static int collect(const struct args *a, const struct manifest_json *mj, struct file_tree *t,
                   struct cl_manifest *m, FILE *notes, char *err, size_t err_size)
{
    for (size_t i = 0; i < mj->nfiles; i++)
        if (file_tree_add(t, mj->files[i].src, mj->files[i].dst, err, err_size))
            return -1;
    for (size_t i = 0; i < a->nadds; i++) {
        char *src, *dst;
        if (split_spec(a->adds[i], &src, &dst) != 0) {
            snprintf(err, err_size, "--add %s: expected SRC:DST with an absolute DST", a->adds[i]);
            return -1;
        }
        int rc = src && dst ? file_tree_add(t, src, dst, err, err_size) : -1;
        free(src);
        free(dst);
        if (rc)
            return -1;
    }
    if (a->entry && add_entry(a->entry, t, m, notes, err, err_size))
        return -1;
    return file_tree_finish(t, err, err_size);
}

/* Applies the flags on top of the JSON's manifest; argv[0] becomes the entry's path. */
static int apply_flags(const struct args *a, struct cl_manifest *m)
{
    for (size_t i = 0; i < a->nenvs; i++)
        if (set_env(m, a->envs[i]))
            return -1;
    if (a->cwd) {
        free(m->cwd);
        if (!(m->cwd = strdup(a->cwd)))
            return -1;
    }
    if (a->mem_set)
        m->mem_size = a->mem;
    if (a->tmpfs_set)
        m->tmpfs_size = a->tmpfs;
    if (a->cpus_set)
        m->vcpus = a->cpus;
    if (a->processes_set)
        m->max_processes = a->processes;
    if (a->allow_args)
        m->extra_args = true;
    for (size_t i = 0; i < a->nsecrets; i++) {
        char **v = realloc(m->secrets, (m->nsecrets + 1) * sizeof(*v));
        if (!v || !(v[m->nsecrets] = strdup(a->secrets[i])))
            return -1;
        m->secrets = v;
        m->nsecrets++;
    }
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < a->nnet[k]; i++)
            if (manifest_add_net(m, k == 0, &a->net[k][i]))
                return -1;
    if (a->argv && set_args(m, a->argv, a->argc))
        return -1;
    if (m->argc == 0 && set_args(m, NULL, 0))
        return -1;
    if (!m->argv[0] && m->entry && !(m->argv[0] = strdup(m->entry)))
        return -1;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
    char hex[2 * 64 + 1];
    hex_encode(b, n, hex);
    printf("%s%s", label, hex);
}

/* What build collected by itself and why: printed, and kept in the image's NOTES for
 * `inspect`. */
struct notes {
    char *text;
    size_t size;
    FILE *out;
};

int cmd_build(int argc, char **argv)
{
    struct args a = {0};
    struct manifest_json mj = {0};
    struct file_tree t;
    struct seal_signing sg = {0};
    struct notes notes = {0};
    char err[1024] = "";
    int status = EXIT_FAILED;
    double start = now();

    file_tree_init(&t);
    int prc = parse_args(argc, argv, &a);
    if (prc >= 0) {
        status = prc; /* EXIT_BUILT after --help */
        goto out;
    }
    if (a.json) {
        if (manifest_json_load(a.json, &mj, err, sizeof(err))) {
            status = failed("%s", err);
            goto out;
        }
    } else {
        manifest_init(&mj.m);
    }
    if (!(notes.out = open_memstream(&notes.text, &notes.size))) {
        status = failed("out of memory");
        goto out;
    }
    int crc = collect(&a, &mj, &t, &mj.m, notes.out, err, sizeof(err));
    fflush(notes.out);
    fputs(notes.text, stdout);
    if (crc) {
        status = failed("%s", err);
        goto out;
    }
    if (!mj.m.entry) {
        status = usage_error("no entry program (--entry, or \"entry\" in %s)", a.json);
        goto out;
    }
    if (apply_flags(&a, &mj.m)) {
        status = failed("out of memory");
        goto out;
    }
    if (manifest_validate(&mj.m, err, sizeof(err))) {
        status = failed("%s", err);
        goto out;
    }

    /* the keys before the (long) write, so that a bad key fails fast */
    if (a.id_key &&
        (!(sg.id_key = id_key_load(a.id_key, err, sizeof(err))) ||
         (a.author_key && !(sg.author_key = id_key_load(a.author_key, err, sizeof(err)))))) {
        status = failed("%s", err);
        goto out;
    }
    sg.guest_svn = a.guest_svn;
    memcpy(sg.family_id, a.family_id, sizeof(sg.family_id));
    memcpy(sg.image_id, a.image_id, sizeof(sg.image_id));
    fclose(notes.out);
    notes.out = NULL;
    struct seal_result res;
    if (seal_to_path(a.out, &mj.m, &t, notes.size ? notes.text : NULL, &sg, &res, err,
                     sizeof(err))) {
        status = failed("%s", err);
        goto out;
    }
    double secs = now() - start;
    print_hex("launch digest (SEV-SNP): ", res.digest, SNP_DIGEST_SIZE);
    if (sg.id_key) {
        print_hex("\nid_key_digest: ", res.sig.id_key_digest, 48);
        if (res.sig.has_author)
            print_hex("\nauthor_key_digest: ", res.sig.author_key_digest, 48);
    }
    const struct cwi_write_stats *st = &res.stats;
    printf("\nbuilt %s: %llu files (%llu entries), %llu bytes of data, image %llu bytes, "
           "%.3f s, %.1f MB/s\n",
           a.out, (unsigned long long)st->files, (unsigned long long)st->entries,
           (unsigned long long)st->data_bytes, (unsigned long long)st->image_size, secs,
           secs > 0 ? (double)st->data_bytes / 1e6 / secs : 0.0);
    status = EXIT_BUILT;
out:
    if (notes.out)
        fclose(notes.out);
    free(notes.text);
    EVP_PKEY_free(sg.id_key);
    EVP_PKEY_free(sg.author_key);
    file_tree_free(&t);
    manifest_json_free(&mj);
    free(a.adds);
    free(a.envs);
    free(a.secrets);
    free(a.net[0]);
    free(a.net[1]);
    return status;
}
