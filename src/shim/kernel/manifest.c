/*
 * Strict decoding of the canonical manifest records (include/cloister/cwi.h). The
 * bytes are measured, but the shim checks them as carefully as hostile input all the
 * same: a bad manifest must end in a clear error, never in undefined behaviour.
 */
#include "kernel/manifest.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"

#include <cloister/cwi.h>

/* argv/env strings, entry and cwd, NUL-terminated: never longer than the records */
static char *strings;
static u64 strings_cap, used;

static const char *save(const u8 *v, u32 len, bool is_path)
{
    if (used + len + 1 > strings_cap || memchr_u8(v, 0, len))
        return NULL;
    if (is_path && (len == 0 || v[0] != '/' || len >= CWI_MAX_PATH))
        return NULL;
    char *s = strings + used;
    memcpy(s, v, len);
    s[len] = 0;
    used += len + 1;
    return s;
}

static bool read_u64(const u8 *v, u32 len, u64 *out)
{
    if (len != 8)
        return false;
    memcpy(out, v, 8);
    return true;
}

/* A value's decoder: false if the value is malformed. */
typedef bool (*decode_fn)(struct manifest *m, const u8 *v, u32 len);

static bool decode_entry(struct manifest *m, const u8 *v, u32 len)
{
    return (m->entry = save(v, len, true)) != NULL;
}

static bool decode_cwd(struct manifest *m, const u8 *v, u32 len)
{
    return (m->cwd = save(v, len, true)) != NULL;
}

static bool decode_mem_size(struct manifest *m, const u8 *v, u32 len)
{
    return read_u64(v, len, &m->mem_size);
}

static bool decode_vcpus(struct manifest *m, const u8 *v, u32 len)
{
    if (len != 4)
        return false;
    memcpy(&m->vcpus, v, 4);
    return true;
}

static bool decode_tmpfs_size(struct manifest *m, const u8 *v, u32 len)
{
    return read_u64(v, len, &m->tmpfs_size);
}

static bool decode_extra_args(struct manifest *m, const u8 *v, u32 len)
{
    if (len != 1 || v[0] > 1)
        return false;
    m->extra_args = v[0];
    return true;
}

static bool decode_snp_policy(struct manifest *m, const u8 *v, u32 len)
{
    return read_u64(v, len, &m->snp_policy);
}

static bool decode_secret(struct manifest *m, const u8 *v, u32 len)
{
    if (m->nsecrets >= MANIFEST_MAX_SECRETS)
        return false;
    return (m->secrets[m->nsecrets++] = save(v, len, false)) != NULL;
}

static bool decode_max_processes(struct manifest *m, const u8 *v, u32 len)
{
    if (len != 4)
        return false;
    memcpy(&m->max_processes, v, 4);
    return m->max_processes >= 1 && m->max_processes <= CWI_PROCESSES_MAX;
}

/* A LISTEN or CONNECT record, canonical as the host's encoder writes it (cwi.h). */
static bool decode_net(struct cwi_net_decl *table, u32 *n, const u8 *v, u32 len, bool listen)
{
    struct cwi_net_decl d;
    if (len != sizeof(d) || *n >= CWI_NET_MAX_DECLS)
        return false;
    memcpy(&d, v, sizeof(d));
    if ((d.proto != CWI_NET_TCP && d.proto != CWI_NET_UDP) || d.port == 0)
        return false;
    u32 first_zero = listen ? 0 : d.family == 4 ? 4 : 16;
    if (listen ? d.family != 0 : d.family != 4 && d.family != 6)
        return false;
    for (u32 i = first_zero; i < 16; i++)
        if (d.addr[i])
            return false;
    table[(*n)++] = d;
    return true;
}

static bool decode_listen(struct manifest *m, const u8 *v, u32 len)
{
    return decode_net(m->listen, &m->nlisten, v, len, true);
}

static bool decode_connect(struct manifest *m, const u8 *v, u32 len)
{
    return decode_net(m->connect, &m->nconnect, v, len, false);
}

/* ARG and ENV have none: their strings are gathered by collect_strings. */
static const decode_fn decoders[CWI_KEY_MAX] = {
    [CWI_KEY_ENTRY] = decode_entry,
    [CWI_KEY_CWD] = decode_cwd,
    [CWI_KEY_MEM_SIZE] = decode_mem_size,
    [CWI_KEY_VCPUS] = decode_vcpus,
    [CWI_KEY_TMPFS_SIZE] = decode_tmpfs_size,
    [CWI_KEY_EXTRA_ARGS] = decode_extra_args,
    [CWI_KEY_SNP_POLICY] = decode_snp_policy,
    [CWI_KEY_SECRET] = decode_secret,
    [CWI_KEY_LISTEN] = decode_listen,
    [CWI_KEY_CONNECT] = decode_connect,
    [CWI_KEY_MAX_PROCESSES] = decode_max_processes,
};

/*
 * The record at *off: its header in *r, its value at *value, *off moved past its
 * padding. NULL on success, else what is wrong with the framing.
 */
static const char *next_record(const u8 *buf, u64 len, u64 *off, struct cwi_record *r,
                               const u8 **value)
{
    if (len - *off < sizeof(*r))
        return "manifest: truncated record";
    memcpy(r, buf + *off, sizeof(*r));
    *off += sizeof(*r);
    if (r->reserved || r->length > len - *off)
        return "manifest: bad record";
    const u8 *v = buf + *off;
    u64 padded = ALIGN_UP((u64)r->length, 8);
    if (padded > len - *off)
        return "manifest: truncated record";
    for (u64 i = r->length; i < padded; i++)
        if (v[i])
            return "manifest: non-zero padding";
    *off += padded;
    *value = v;
    return NULL;
}

/* Keys ascend; only ARG, ENV, SECRET, LISTEN and CONNECT may repeat. */
static bool key_in_order(u32 key, u32 last_key)
{
    bool repeatable = key == CWI_KEY_ARG || key == CWI_KEY_ENV || key == CWI_KEY_SECRET ||
                      key == CWI_KEY_LISTEN || key == CWI_KEY_CONNECT;
    return key != 0 && key < CWI_KEY_MAX && key >= last_key && (key != last_key || repeatable);
}

/* The first pass: checks every record and decodes all but the strings. */
static const char *decode_records(const u8 *buf, u64 len, struct manifest *m)
{
    u32 last_key = 0;
    for (u64 off = 0; off < len;) {
        struct cwi_record r;
        const u8 *v;
        const char *why = next_record(buf, len, &off, &r, &v);
        if (why)
            return why;
        if (!key_in_order(r.key, last_key))
            return "manifest: unknown, repeated or out-of-order key";
        last_key = r.key;
        if (decoders[r.key] && !decoders[r.key](m, v, r.length))
            return "manifest: bad value";
    }
    return NULL;
}

/*
 * Copies the strings of one key (ARG, then ENV in a second call) after those already
 * saved, so that argv and envp lie contiguous in m->strings. The records were checked
 * by decode_records.
 */
static const char *collect_strings(const u8 *buf, u64 len, struct manifest *m, u32 key)
{
    for (u64 off = 0; off < len;) {
        struct cwi_record r;
        const u8 *v;
        const char *why = next_record(buf, len, &off, &r, &v);
        if (why)
            return why; /* decode_records has checked them: never */
        if (r.key != key)
            continue;
        const char *str = save(v, r.length, false);
        if (!str || (key == CWI_KEY_ENV && !memchr_u8(v, '=', r.length)))
            return "manifest: bad argument or environment string";
        if (!m->strings)
            m->strings = str;
        if (key == CWI_KEY_ARG)
            m->argc++;
        else
            m->envc++;
    }
    return NULL;
}

int manifest_parse(const u8 *buf, u64 len, struct manifest *m, const char **why)
{
    memzero(m, sizeof(*m));
    used = 0;
    strings_cap = len + 16;
    strings = kmalloc(strings_cap);
    if (!strings)
        return *why = "manifest: out of memory", -1;
    m->cwd = "/";
    m->max_processes = CWI_PROCESSES_DEFAULT; /* an image from before the key */
    const char *bad = decode_records(buf, len, m);
    if (!bad)
        bad = collect_strings(buf, len, m, CWI_KEY_ARG);
    if (!bad)
        bad = collect_strings(buf, len, m, CWI_KEY_ENV);
    if (bad)
        return *why = bad, -1;
    if (!m->entry || !m->mem_size || !m->vcpus)
        return *why = "manifest: entry, memory size or vCPU count missing", -1;
    m->strings_size = m->strings ? (u64)(strings + used - m->strings) : 0;
    if (!m->strings)
        m->strings = strings + used;
    return 0;
}
