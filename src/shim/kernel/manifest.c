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

int manifest_parse(const u8 *buf, u64 len, struct manifest *m, const char **why)
{
    memzero(m, sizeof(*m));
    used = 0;
    strings_cap = len + 16;
    strings = kmalloc(strings_cap);
    if (!strings)
        return *why = "manifest: out of memory", -1;
    m->cwd = "/";
    u32 last_key = 0;
    /* argv strings first, then env strings: a separate pass each keeps them contiguous */
    for (int pass = 0; pass < 3; pass++) {
        u64 off = 0;
        last_key = 0;
        while (off < len) {
            struct cwi_record r;
            if (len - off < sizeof(r))
                return *why = "manifest: truncated record", -1;
            memcpy(&r, buf + off, sizeof(r));
            off += sizeof(r);
            if (r.reserved || r.length > len - off)
                return *why = "manifest: bad record", -1;
            const u8 *v = buf + off;
            u64 padded = ALIGN_UP((u64)r.length, 8);
            if (padded > len - off)
                return *why = "manifest: truncated record", -1;
            for (u64 i = r.length; i < padded; i++)
                if (v[i])
                    return *why = "manifest: non-zero padding", -1;
            off += padded;
            bool repeatable =
                r.key == CWI_KEY_ARG || r.key == CWI_KEY_ENV || r.key == CWI_KEY_SECRET;
            if (r.key == 0 || r.key >= CWI_KEY_MAX || r.key < last_key ||
                (r.key == last_key && !repeatable))
                return *why = "manifest: unknown, repeated or out-of-order key", -1;
            last_key = r.key;
            u64 v64;
            bool ok = true;
            if (pass > 0) {
                /* pass 1 takes the arguments, pass 2 the environment, after them */
                if (r.key != (pass == 1 ? CWI_KEY_ARG : CWI_KEY_ENV))
                    continue;
                const char *str = save(v, r.length, false);
                if (!str || (pass == 2 && !memchr_u8(v, '=', r.length)))
                    return *why = "manifest: bad argument or environment string", -1;
                if (!m->strings)
                    m->strings = str;
                if (pass == 1)
                    m->argc++;
                else
                    m->envc++;
                continue;
            }
            switch (r.key) {
            case CWI_KEY_ENTRY:
                ok = (m->entry = save(v, r.length, true)) != NULL;
                break;
            case CWI_KEY_CWD:
                ok = (m->cwd = save(v, r.length, true)) != NULL;
                break;
            case CWI_KEY_MEM_SIZE:
                ok = read_u64(v, r.length, &m->mem_size);
                break;
            case CWI_KEY_VCPUS:
                ok = r.length == 4;
                if (ok) {
                    u32 n;
                    memcpy(&n, v, 4);
                    m->vcpus = n;
                }
                break;
            case CWI_KEY_TMPFS_SIZE:
                ok = read_u64(v, r.length, &m->tmpfs_size);
                break;
            case CWI_KEY_EXTRA_ARGS:
                ok = r.length == 1 && v[0] <= 1;
                m->extra_args = ok && v[0];
                break;
            case CWI_KEY_SNP_POLICY:
                ok = read_u64(v, r.length, &v64);
                m->snp_policy = v64;
                break;
            case CWI_KEY_SECRET:
                ok = m->nsecrets < MANIFEST_MAX_SECRETS &&
                     (m->secrets[m->nsecrets] = save(v, r.length, false)) != NULL;
                m->nsecrets += ok;
                break;
            default:
                break; /* ARG and ENV: later passes */
            }
            if (!ok)
                return *why = "manifest: bad value", -1;
        }
    }
    if (!m->entry || !m->mem_size || !m->vcpus)
        return *why = "manifest: entry, memory size or vCPU count missing", -1;
    m->strings_size = m->strings ? (u64)(strings + used - m->strings) : 0;
    if (!m->strings)
        m->strings = strings + used;
    return 0;
}
