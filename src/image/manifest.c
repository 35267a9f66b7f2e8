/*
 * The manifest's canonical binary records (include/cloister/cwi.h): encode, decode,
 * validate.
 *
 * Canonical means one configuration has exactly one encoding, so that it always
 * measures the same. The encoder therefore writes every key, always, in ascending
 * order: ENTRY, the ARGs, the ENVs, CWD, MEM_SIZE, VCPUS, TMPFS_SIZE, EXTRA_ARGS,
 * SNP_POLICY, then the SECRETs, LISTENs and CONNECTs there are (binary, fixed-size), then
 * MAX_PROCESSES. Writing even the keys that hold their default means a reader never has to know
 * a default (the shim and the monitor cannot disagree about one), and the decoder can demand
 * every key and so accept exactly what the encoder produces: a missing key, an unknown one, a
 * wrong order, a duplicate, a bad length, non-zero padding or reserved bits, a NUL in a string,
 * a boolean other than 0 or 1, or trailing bytes are all refused. decode(encode(m)) == m and
 * encode(decode(b)) == b for every accepted b.
 */
#include "image/manifest.h"
#include "common/error_line.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cloister/abi.h>
#include <cloister/cwi.h>

#include "image/file_tree.h"
#include "image/net_decl.h"

#define MIB                (1ull << 20)
#define GIB                (1ull << 30)
#define MEM_MIN            (32 * MIB)
#define MEM_MAX            CL_MEM_MAX /* 255 GiB: RAM ends by the doorbell (abi.h) */
#define MEM_ALIGN          (2 * MIB)  /* the shim maps guest RAM with 2 MiB pages */
#define VCPUS_MAX          64u
#define TMPFS_ALIGN        4096u
#define SNP_POLICY_RSVD1   (1ull << 17) /* "must be one" in the SEV-SNP ABI */
#define SNP_POLICY_DEFAULT (0x30000ull) /* SMT allowed, the reserved bit */

static const char *const key_names[CWI_KEY_MAX] = {
    [CWI_KEY_ENTRY] = "ENTRY",
    [CWI_KEY_ARG] = "ARG",
    [CWI_KEY_ENV] = "ENV",
    [CWI_KEY_CWD] = "CWD",
    [CWI_KEY_MEM_SIZE] = "MEM_SIZE",
    [CWI_KEY_VCPUS] = "VCPUS",
    [CWI_KEY_TMPFS_SIZE] = "TMPFS_SIZE",
    [CWI_KEY_EXTRA_ARGS] = "EXTRA_ARGS",
    [CWI_KEY_SNP_POLICY] = "SNP_POLICY",
    [CWI_KEY_SECRET] = "SECRET",
    [CWI_KEY_LISTEN] = "LISTEN",
    [CWI_KEY_CONNECT] = "CONNECT",
    [CWI_KEY_MAX_PROCESSES] = "MAX_PROCESSES",
};

/* Bytes of value an integer key must have; 0 for the string keys. */
static const uint32_t int_length[CWI_KEY_MAX] = {
    [CWI_KEY_MEM_SIZE] = 8,
    [CWI_KEY_VCPUS] = 4,
    [CWI_KEY_TMPFS_SIZE] = 8,
    [CWI_KEY_EXTRA_ARGS] = 1,
    [CWI_KEY_SNP_POLICY] = 8,
    [CWI_KEY_LISTEN] = sizeof(struct cwi_net_decl),
    [CWI_KEY_CONNECT] = sizeof(struct cwi_net_decl),
    [CWI_KEY_MAX_PROCESSES] = 4,
};

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_size, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_line(err, err_size, "manifest: ", fmt, ap);
    va_end(ap);
    return -1;
}

/* The working directory when m->cwd is NULL. manifest_init() allocates nothing, so a
 * caller may fill a manifest with borrowed strings and never call manifest_free(). */
static const char *cwd_of(const struct cl_manifest *m)
{
    return m->cwd ? m->cwd : "/";
}

void manifest_init(struct cl_manifest *m)
{
    memset(m, 0, sizeof(*m)); /* cwd NULL: "/" */
    m->mem_size = MANIFEST_DEFAULT_MEM;
    m->vcpus = 1;
    m->tmpfs_size = MANIFEST_DEFAULT_TMPFS;
    m->extra_args = false;
    m->snp_policy = SNP_POLICY_DEFAULT;
    m->max_processes = MANIFEST_DEFAULT_PROCESSES;
}

void manifest_free(struct cl_manifest *m)
{
    free(m->entry);
    for (size_t i = 0; i < m->argc; i++)
        free(m->argv[i]);
    free(m->argv);
    for (size_t i = 0; i < m->envc; i++)
        free(m->envp[i]);
    free(m->envp);
    for (size_t i = 0; i < m->nsecrets; i++)
        free(m->secrets[i]);
    free(m->secrets);
    free(m->listen);
    free(m->connect);
    free(m->cwd);
    memset(m, 0, sizeof(*m));
}

static uint64_t record_size(size_t value_len)
{
    return sizeof(struct cwi_record) + (((uint64_t)value_len + 7) & ~7ull);
}

/* The encoded size, or UINT64_MAX once it is past any limit (no overflow either way). */
static uint64_t encoded_size(const struct cl_manifest *m)
{
    uint64_t n = record_size(strlen(m->entry)) + record_size(strlen(cwd_of(m))) +
                 record_size(8) * 3 + record_size(4) * 2 + record_size(1);
    for (size_t i = 0; i < m->argc && n <= CWI_MAX_MANIFEST; i++)
        n += record_size(strlen(m->argv[i]));
    for (size_t i = 0; i < m->envc && n <= CWI_MAX_MANIFEST; i++)
        n += record_size(strlen(m->envp[i]));
    for (size_t i = 0; i < m->nsecrets && n <= CWI_MAX_MANIFEST; i++)
        n += record_size(strlen(m->secrets[i]));
    n += record_size(sizeof(struct cwi_net_decl)) * (m->nlisten + m->nconnect);
    return n > CWI_MAX_MANIFEST ? UINT64_MAX : n;
}

static int cmp_env_names(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
    int c = memcmp(x, y, nx < ny ? nx : ny);
    return c ? c : (nx > ny) - (nx < ny);
}

/* Each NAME at most once: a duplicate would leave the workload's getenv() to choose. */
static int check_env_unique(const struct cl_manifest *m, char *err, size_t err_size)
{
    if (m->envc < 2)
        return 0;
    const char **v = malloc(m->envc * sizeof(*v));
    if (!v)
        return fail(err, err_size, "out of memory");
    for (size_t i = 0; i < m->envc; i++)
        v[i] = m->envp[i];
    qsort(v, m->envc, sizeof(*v), cmp_env_names);
    int rc = 0;
    for (size_t i = 1; i < m->envc && rc == 0; i++)
        if (cmp_env_names(&v[i - 1], &v[i]) == 0)
            rc = fail(err, err_size, "environment variable %.*s is set twice",
                      (int)strcspn(v[i], "="), v[i]);
    free(v);
    return rc;
}

static bool all_of(const char *s, size_t n, const char *set)
{
    return n > 0 && strspn(s, set) >= n;
}

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

const char *manifest_secret_problem(const char *spec)
{
    const char *bar1 = strchr(spec, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    const char *bar3 = bar2 ? strchr(bar2 + 1, '|') : NULL;
    if (!bar1 || !bar2 || (bar3 && strchr(bar3 + 1, '|')))
        return "is not HOST:PORT|REPO/TYPE/TAG|DESTINATION[|sha256:PIN]";
    /* the broker's certificate pin: the shim then speaks TLS and trusts only that one */
    if (bar3 && (strncmp(bar3 + 1, "sha256:", 7) || strlen(bar3 + 8) != 64 ||
                 !all_of(bar3 + 8, 64, "0123456789abcdef")))
        return "has a broker certificate pin that is not sha256: and 64 lowercase hex digits";
    const char *colon = memchr(spec, ':', (size_t)(bar1 - spec));
    if (!colon || !all_of(spec, (size_t)(colon - spec), NAME_CHARS) ||
        !all_of(colon + 1, (size_t)(bar1 - colon - 1), "0123456789") || bar1 - colon - 1 > 5 ||
        atol(colon + 1) < 1 || atol(colon + 1) > 65535)
        return "has no valid HOST:PORT for the key broker";
    const char *r = bar1 + 1, *s1 = memchr(r, '/', (size_t)(bar2 - r));
    const char *s2 = s1 ? memchr(s1 + 1, '/', (size_t)(bar2 - s1 - 1)) : NULL;
    if (!s1 || !s2 || !all_of(r, (size_t)(s1 - r), NAME_CHARS) ||
        !all_of(s1 + 1, (size_t)(s2 - s1 - 1), NAME_CHARS) ||
        !all_of(s2 + 1, (size_t)(bar2 - s2 - 1), NAME_CHARS))
        return "has no valid REPO/TYPE/TAG resource";
    const char *d = bar2 + 1;
    size_t dlen = bar3 ? (size_t)(bar3 - d) : strlen(d);
    if (dlen > 18 && !strncmp(d, "file:/run/secrets/", 18) &&
        all_of(d + 18, dlen - 18, NAME_CHARS) &&
        !(dlen - 18 <= 2 && all_of(d + 18, dlen - 18, ".")))
        return NULL;
    if (dlen > 4 && !strncmp(d, "env:", 4) &&
        all_of(d + 4, dlen - 4,
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
               "0123456789_") &&
        !(d[4] >= '0' && d[4] <= '9'))
        return NULL;
    return "goes neither to file:/run/secrets/NAME nor to env:NAME";
}

int manifest_add_net(struct cl_manifest *m, bool listen, const struct cwi_net_decl *d)
{
    struct cwi_net_decl **v = listen ? &m->listen : &m->connect;
    size_t *n = listen ? &m->nlisten : &m->nconnect;
    struct cwi_net_decl *grown = realloc(*v, (*n + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    grown[(*n)++] = *d;
    *v = grown;
    return 0;
}

/* Each declaration canonical and stated once: the same set always measures the same. */
static int check_net(const struct cwi_net_decl *d, size_t n, bool listen, char *err,
                     size_t err_size)
{
    const char *kind = listen ? "listen" : "connect";
    if (n > CWI_NET_MAX_DECLS)
        return fail(err, err_size, "more than %u %s declarations", CWI_NET_MAX_DECLS, kind);
    for (size_t i = 0; i < n; i++) {
        char text[NET_DECL_TEXT_MAX];
        net_decl_format(&d[i], text);
        const char *why = net_decl_problem(&d[i], listen);
        if (why)
            return fail(err, err_size, "%s declaration %zu %s", kind, i, why);
        for (size_t j = 0; j < i; j++)
            if (net_decl_equal(&d[i], &d[j]))
                return fail(err, err_size, "%s %s is declared twice", kind, text);
    }
    return 0;
}

int manifest_validate(const struct cl_manifest *m, char *err, size_t err_size)
{
    if (!m->entry)
        return fail(err, err_size, "no entry program");
    const char *why = cwi_path_problem(m->entry, strlen(m->entry));
    if (why)
        return fail(err, err_size, "entry path '%.200s' %s", m->entry, why);
    if ((why = cwi_path_problem(cwd_of(m), strlen(cwd_of(m)))))
        return fail(err, err_size, "working directory '%.200s' %s", m->cwd, why);
    if (m->argc == 0 || !m->argv)
        return fail(err, err_size, "argv is empty (argv[0] is required)");
    for (size_t i = 0; i < m->argc; i++)
        if (!m->argv[i])
            return fail(err, err_size, "argv[%zu] is missing", i);
    for (size_t i = 0; i < m->envc; i++) {
        const char *eq = m->envp[i] ? strchr(m->envp[i], '=') : NULL;
        if (!eq || eq == m->envp[i])
            return fail(err, err_size, "environment entry '%s' is not NAME=value",
                        m->envp[i] ? m->envp[i] : "(null)");
    }
    if (check_env_unique(m, err, err_size))
        return -1;
    if (m->mem_size % MEM_ALIGN != 0)
        return fail(err, err_size, "memory size %llu is not a multiple of 2 MiB",
                    (unsigned long long)m->mem_size);
    if (m->mem_size < MEM_MIN || m->mem_size > MEM_MAX)
        return fail(err, err_size, "memory size %llu MiB is outside 32 MiB..255 GiB",
                    (unsigned long long)(m->mem_size / MIB));
    if (m->vcpus < 1 || m->vcpus > VCPUS_MAX)
        return fail(err, err_size, "%u vCPUs is outside 1..%u", m->vcpus, VCPUS_MAX);
    if (m->tmpfs_size % TMPFS_ALIGN != 0)
        return fail(err, err_size, "tmpfs size %llu is not a multiple of 4 KiB",
                    (unsigned long long)m->tmpfs_size);
    if (m->tmpfs_size > m->mem_size)
        return fail(err, err_size, "tmpfs size (%llu MiB) is larger than memory (%llu MiB)",
                    (unsigned long long)(m->tmpfs_size / MIB),
                    (unsigned long long)(m->mem_size / MIB));
    if (m->max_processes < 1 || m->max_processes > CWI_PROCESSES_MAX)
        return fail(err, err_size, "process limit %u is outside 1..%u", m->max_processes,
                    CWI_PROCESSES_MAX);
    if (!(m->snp_policy & SNP_POLICY_RSVD1))
        return fail(err, err_size,
                    "SEV-SNP policy 0x%llx lacks bit 17, which the ABI requires to be 1",
                    (unsigned long long)m->snp_policy);
    for (size_t i = 0; i < m->nsecrets; i++) {
        const char *why2 = m->secrets[i] ? manifest_secret_problem(m->secrets[i]) : "is missing";
        if (why2)
            return fail(err, err_size, "secret '%.200s' %s", m->secrets[i] ? m->secrets[i] : "",
                        why2);
    }
    if (check_net(m->listen, m->nlisten, true, err, err_size) ||
        check_net(m->connect, m->nconnect, false, err, err_size))
        return -1;
    if (encoded_size(m) == UINT64_MAX)
        return fail(err, err_size, "encoding is larger than %u bytes (too many arguments?)",
                    CWI_MAX_MANIFEST);
    return 0;
}

/* Appends one record at *pos; the buffer was sized by encoded_size() and zeroed. */
static void put_record(uint8_t *buf, size_t *pos, uint16_t key, const void *value, size_t len)
{
    struct cwi_record r = {.key = key, .reserved = 0, .length = (uint32_t)len};
    memcpy(buf + *pos, &r, sizeof(r));
    memcpy(buf + *pos + sizeof(r), value, len);
    *pos += (size_t)record_size(len);
}

static void put_string(uint8_t *buf, size_t *pos, uint16_t key, const char *s)
{
    put_record(buf, pos, key, s, strlen(s));
}

static void put_u32(uint8_t *buf, size_t *pos, uint16_t key, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_record(buf, pos, key, le, 4);
}

static void put_u64(uint8_t *buf, size_t *pos, uint16_t key, uint64_t v)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    put_record(buf, pos, key, le, 8);
}

int manifest_encode(const struct cl_manifest *m, uint8_t **out, size_t *len, char *err,
                    size_t err_size)
{
    if (manifest_validate(m, err, err_size))
        return -1;
    size_t size = (size_t)encoded_size(m);
    uint8_t *buf = calloc(1, size); /* zero: the padding */
    if (!buf)
        return fail(err, err_size, "out of memory");
    size_t pos = 0;
    put_string(buf, &pos, CWI_KEY_ENTRY, m->entry);
    for (size_t i = 0; i < m->argc; i++)
        put_string(buf, &pos, CWI_KEY_ARG, m->argv[i]);
    for (size_t i = 0; i < m->envc; i++)
        put_string(buf, &pos, CWI_KEY_ENV, m->envp[i]);
    put_string(buf, &pos, CWI_KEY_CWD, cwd_of(m));
    put_u64(buf, &pos, CWI_KEY_MEM_SIZE, m->mem_size);
    put_u32(buf, &pos, CWI_KEY_VCPUS, m->vcpus);
    put_u64(buf, &pos, CWI_KEY_TMPFS_SIZE, m->tmpfs_size);
    uint8_t extra = m->extra_args ? 1 : 0;
    put_record(buf, &pos, CWI_KEY_EXTRA_ARGS, &extra, 1);
    put_u64(buf, &pos, CWI_KEY_SNP_POLICY, m->snp_policy);
    for (size_t i = 0; i < m->nsecrets; i++)
        put_string(buf, &pos, CWI_KEY_SECRET, m->secrets[i]);
    for (size_t i = 0; i < m->nlisten; i++)
        put_record(buf, &pos, CWI_KEY_LISTEN, &m->listen[i], sizeof(m->listen[i]));
    for (size_t i = 0; i < m->nconnect; i++)
        put_record(buf, &pos, CWI_KEY_CONNECT, &m->connect[i], sizeof(m->connect[i]));
    put_u32(buf, &pos, CWI_KEY_MAX_PROCESSES, m->max_processes);
    *out = buf;
    *len = pos;
    return 0;
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Appends a copy of a string value to a growing array. */
static int push_string(char ***v, size_t *n, const uint8_t *s, size_t len)
{
    /* Capacity is the next power of two: grow whenever the count reaches one. */
    if ((*n & (*n - 1)) == 0) {
        size_t cap = *n ? *n * 2 : 1;
        char **nv = realloc(*v, cap * sizeof(*nv));
        if (!nv)
            return -1;
        *v = nv;
    }
    char *c = strndup((const char *)s, len);
    if (!c)
        return -1;
    (*v)[(*n)++] = c;
    return 0;
}

/* Applies one record (already checked for order and framing) to m. */
static int apply(struct cl_manifest *m, uint16_t key, const uint8_t *v, uint32_t len, char *err,
                 size_t err_size)
{
    if (int_length[key] == 0 && memchr(v, '\0', len))
        return fail(err, err_size, "%s record holds a NUL byte", key_names[key]);
    if (int_length[key] != 0 && len != int_length[key])
        return fail(err, err_size, "%s record is %u bytes, expected %u", key_names[key], len,
                    int_length[key]);
    switch (key) {
    case CWI_KEY_ENTRY:
        return (m->entry = strndup((const char *)v, len)) ? 0 : fail(err, err_size, "no memory");
    case CWI_KEY_CWD:
        free(m->cwd);
        return (m->cwd = strndup((const char *)v, len)) ? 0 : fail(err, err_size, "no memory");
    case CWI_KEY_ARG:
        return push_string(&m->argv, &m->argc, v, len) ? fail(err, err_size, "no memory") : 0;
    case CWI_KEY_ENV:
        return push_string(&m->envp, &m->envc, v, len) ? fail(err, err_size, "no memory") : 0;
    case CWI_KEY_MEM_SIZE:
        m->mem_size = get_le(v, 8);
        return 0;
    case CWI_KEY_VCPUS:
        m->vcpus = (uint32_t)get_le(v, 4);
        return 0;
    case CWI_KEY_TMPFS_SIZE:
        m->tmpfs_size = get_le(v, 8);
        return 0;
    case CWI_KEY_EXTRA_ARGS:
        if (v[0] > 1)
            return fail(err, err_size, "EXTRA_ARGS is %u, not 0 or 1", v[0]);
        m->extra_args = v[0] == 1;
        return 0;
    case CWI_KEY_SNP_POLICY:
        m->snp_policy = get_le(v, 8);
        return 0;
    case CWI_KEY_SECRET:
        return push_string(&m->secrets, &m->nsecrets, v, len) ? fail(err, err_size, "no memory")
                                                              : 0;
    case CWI_KEY_LISTEN:
    case CWI_KEY_CONNECT: {
        struct cwi_net_decl d;
        memcpy(&d, v, sizeof(d));
        return manifest_add_net(m, key == CWI_KEY_LISTEN, &d) ? fail(err, err_size, "no memory")
                                                              : 0;
    }
    case CWI_KEY_MAX_PROCESSES:
        m->max_processes = (uint32_t)get_le(v, 4);
        return 0;
    }
    return fail(err, err_size, "unknown key %u", key);
}

/* The keys that may repeat, and so may also be absent. */
static bool repeatable(unsigned key)
{
    return key == CWI_KEY_ARG || key == CWI_KEY_ENV || key == CWI_KEY_SECRET ||
           key == CWI_KEY_LISTEN || key == CWI_KEY_CONNECT;
}

int manifest_decode(const uint8_t *buf, size_t len, struct cl_manifest *m, char *err,
                    size_t err_size)
{
    unsigned seen[CWI_KEY_MAX] = {0};
    unsigned prev = 0;
    size_t pos = 0;

    manifest_init(m);
    if (len > CWI_MAX_MANIFEST) {
        fail(err, err_size, "%zu bytes, more than the limit of %u", len, CWI_MAX_MANIFEST);
        goto bad;
    }
    while (pos < len) {
        struct cwi_record r;
        if (len - pos < sizeof(r)) {
            fail(err, err_size, "truncated record header at offset %zu", pos);
            goto bad;
        }
        memcpy(&r, buf + pos, sizeof(r));
        if (r.key == 0 || r.key >= CWI_KEY_MAX) {
            fail(err, err_size, "unknown key %u at offset %zu", r.key, pos);
            goto bad;
        }
        if (r.reserved != 0) {
            fail(err, err_size, "%s record at offset %zu has non-zero reserved bits",
                 key_names[r.key], pos);
            goto bad;
        }
        if (r.key < prev) {
            fail(err, err_size, "%s record after %s: keys out of order", key_names[r.key],
                 key_names[prev]);
            goto bad;
        }
        if (r.key == prev && !repeatable(r.key)) {
            fail(err, err_size, "%s record appears twice", key_names[r.key]);
            goto bad;
        }
        size_t body = len - pos - sizeof(r);
        uint64_t padded = ((uint64_t)r.length + 7) & ~7ull;
        if (padded > body) {
            fail(err, err_size, "%s record at offset %zu runs past the end", key_names[r.key], pos);
            goto bad;
        }
        const uint8_t *v = buf + pos + sizeof(r);
        for (uint64_t i = r.length; i < padded; i++)
            if (v[i] != 0) {
                fail(err, err_size, "%s record at offset %zu has non-zero padding",
                     key_names[r.key], pos);
                goto bad;
            }
        if (apply(m, r.key, v, r.length, err, err_size))
            goto bad;
        seen[r.key]++;
        prev = r.key;
        pos += sizeof(r) + (size_t)padded;
    }
    for (unsigned k = 1; k < CWI_KEY_MAX; k++)
        if (!seen[k] && !repeatable(k)) {
            fail(err, err_size, "no %s record%s", key_names[k],
                 k == CWI_KEY_MAX_PROCESSES ? " (built before process limits: rebuild it)" : "");
            goto bad;
        }
    if (manifest_validate(m, err, err_size))
        goto bad;
    return 0;
bad:
    manifest_free(m);
    return -1;
}
