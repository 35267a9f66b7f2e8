/*
 * /etc/ld.so.cache: reading the file and looking names up as ld.so does (ld_cache.h).
 */
#include "seal/ld_cache.h"
#include "common/error_line.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC          "glibc-ld.so.cache1.1"
#define HEADER_SIZE    48u
#define ENTRY_SIZE     24u
#define EXT_MAGIC      0xeaa42174u
#define EXT_TAG_HWCAPS 1u
#define MAX_CACHE_SIZE (64u << 20)

/* The hwcap field of a glibc-hwcaps entry: bit 62 alone above the ISA-level bits. */
#define HWCAP_EXTENSION_HI 0x40000000u
#define ISA_LEVEL_MASK     0x3ffu

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v; /* the host is little-endian, and we accept only little-endian caches */
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The NUL-terminated string at file offset off, or NULL if it is not wholly inside. */
static const char *string_at(const struct ld_cache *c, uint32_t off)
{
    if (off >= c->size || !memchr(c->data + off, '\0', c->size - off))
        return NULL;
    return (const char *)c->data + off;
}

/* Finds the glibc-hwcaps name array in the extension directory. A bad extension is
 * ignored, not an error: ld.so then merely takes no glibc-hwcaps entries. */
static void load_extension(struct ld_cache *c)
{
    uint32_t off = rd32(c->data + 32);
    if (off == 0 || off % 4 != 0 || off > c->size || c->size - off < 8)
        return;
    if (rd32(c->data + off) != EXT_MAGIC)
        return;
    uint64_t count = rd32(c->data + off + 4);
    if (count > (c->size - off - 8) / 16)
        return;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *s = c->data + off + 8 + 16 * i;
        uint32_t tag = rd32(s), soff = rd32(s + 8), ssize = rd32(s + 12);
        if ((uint64_t)soff + ssize > c->size)
            return;
        if (tag == EXT_TAG_HWCAPS && ssize > 0 && soff % 4 == 0 && ssize % 4 == 0) {
            c->hwcaps_names = (const uint32_t *)(c->data + soff);
            c->nhwcaps_names = ssize / 4;
        }
    }
}

int ld_cache_load(struct ld_cache *c, const char *path, char *err, size_t err_size)
{
    memset(c, 0, sizeof(*c));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_line(err, err_size, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_line(err, err_size, "%s is not a regular file", path);
        goto out;
    }
    if (st.st_size <= (off_t)HEADER_SIZE || st.st_size > (off_t)MAX_CACHE_SIZE) {
        error_line(err, err_size, "%s: size %lld is not that of a cache", path,
                   (long long)st.st_size);
        goto out;
    }
    c->size = (size_t)st.st_size;
    /* 4-byte alignment for the hwcaps array is checked by offset; malloc gives more. */
    c->data = malloc(c->size);
    if (!c->data) {
        error_line(err, err_size, "out of memory reading %s", path);
        goto out;
    }
    for (size_t got = 0; got < c->size;) {
        ssize_t n = pread(fd, c->data + got, c->size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error_line(err, err_size, "cannot read %s", path);
            goto out;
        }
        got += (size_t)n;
    }
    if (memcmp(c->data, MAGIC, strlen(MAGIC)) != 0) {
        error_line(err, err_size, "%s is not a glibc-ld.so.cache1.1 file", path);
        goto out;
    }
    c->nlibs = rd32(c->data + 20);
    if (c->nlibs > (c->size - HEADER_SIZE) / ENTRY_SIZE) {
        error_line(err, err_size, "%s: %u entries do not fit in %zu bytes", path, c->nlibs,
                   c->size);
        goto out;
    }
    uint8_t endian = c->data[28];
    if (endian != 0 && (endian & 3) != 2) {
        error_line(err, err_size, "%s is not a little-endian cache", path);
        goto out;
    }
    load_extension(c);
    rc = 0;
out:
    close(fd);
    if (rc < 0)
        ld_cache_free(c);
    return rc;
}

void ld_cache_free(struct ld_cache *c)
{
    free(c->data);
    memset(c, 0, sizeof(*c));
}

int ld_cache_entry(const struct ld_cache *c, uint32_t i, struct ld_cache_entry *e)
{
    memset(e, 0, sizeof(*e));
    if (i >= c->nlibs)
        return -1;
    const uint8_t *p = c->data + HEADER_SIZE + (size_t)i * ENTRY_SIZE;
    e->flags = (int32_t)rd32(p);
    e->name = string_at(c, rd32(p + 4));
    e->path = string_at(c, rd32(p + 8));
    e->hwcap = rd64(p + 16);
    if (((uint32_t)(e->hwcap >> 32) & ~ISA_LEVEL_MASK) == HWCAP_EXTENSION_HI) {
        uint32_t idx = (uint32_t)e->hwcap;
        if (idx < c->nhwcaps_names)
            e->hwcaps_subdir = string_at(c, rd32((const uint8_t *)&c->hwcaps_names[idx]));
    }
    return e->name && e->path ? 0 : -1;
}

int ld_cache_name_cmp(const char *a, const char *b)
{
    while (*a) {
        bool da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
        if (da && db) {
            /* Compare the two runs as numbers without converting them: drop leading
             * zeros, then the longer run is larger, else the first differing digit. */
            while (*a == '0' && a[1] >= '0' && a[1] <= '9')
                a++;
            while (*b == '0' && b[1] >= '0' && b[1] <= '9')
                b++;
            size_t la = 0, lb = 0;
            while (a[la] >= '0' && a[la] <= '9')
                la++;
            while (b[lb] >= '0' && b[lb] <= '9')
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int d = memcmp(a, b, la);
            if (d)
                return d;
            a += la;
            b += lb;
        } else if (da) {
            return 1;
        } else if (db) {
            return -1;
        } else if (*a != *b) {
            return (unsigned char)*a - (unsigned char)*b;
        } else {
            a++, b++;
        }
    }
    return -(int)(unsigned char)*b;
}

/* 1-based preference of a glibc-hwcaps subdirectory on this CPU, 0 if it is not usable. */
static uint32_t level_priority(const struct ld_hwcaps *h, const struct ld_cache_entry *e)
{
    if (!e->hwcaps_subdir)
        return 0;
    uint32_t isa = (uint32_t)(e->hwcap >> 32) & ISA_LEVEL_MASK;
    if (isa >= 32 || !(h->isa_bits & (1u << isa)))
        return 0;
    for (size_t i = 0; i < h->nlevels; i++)
        if (strcmp(e->hwcaps_subdir, h->levels[i]) == 0)
            return (uint32_t)i + 1;
    return 0;
}

/* Whether ld.so takes a plain (not glibc-hwcaps) entry's legacy hwcap bits. */
static bool legacy_ok(const struct ld_hwcaps *h, uint64_t hwcap)
{
    uint64_t allowed = h->legacy_hwcap | LD_HWCAP_PLATFORMS | LD_HWCAP_TLS;
    if (hwcap & ~allowed)
        return false;
    uint64_t plat = hwcap & LD_HWCAP_PLATFORMS;
    return plat == 0 || plat == h->platform_bit;
}

/* Some index whose name compares equal to name, or -1. The entries are sorted in
 * descending order; a bad key stops the search, as in ld.so. */
static int64_t bsearch_name(const struct ld_cache *c, const char *name)
{
    int64_t lo = 0, hi = (int64_t)c->nlibs - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        struct ld_cache_entry e;
        ld_cache_entry(c, (uint32_t)mid, &e);
        if (!e.name)
            return -1;
        int cmp = ld_cache_name_cmp(name, e.name);
        if (cmp == 0)
            return mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

const char *ld_cache_lookup(const struct ld_cache *c, const char *name, const struct ld_hwcaps *h)
{
    if (!c->data)
        return NULL;
    int64_t i = bsearch_name(c, name);
    if (i < 0)
        return NULL;
    struct ld_cache_entry e;
    while (i > 0 && ld_cache_entry(c, (uint32_t)(i - 1), &e) >= 0 &&
           ld_cache_name_cmp(name, e.name) == 0)
        i--;
    const char *best = NULL;
    uint32_t best_priority = 0;
    /* glibc-hwcaps entries come first in a run of equal names: among them the best
     * level wins; the first usable plain entry ends the run. */
    for (; i < (int64_t)c->nlibs; i++) {
        ld_cache_entry(c, (uint32_t)i, &e);
        if (!e.name || ld_cache_name_cmp(name, e.name) != 0)
            break;
        if (e.flags != LD_CACHE_FLAGS_X86_64 || !e.path)
            continue;
        bool named = ((uint32_t)(e.hwcap >> 32) & ~ISA_LEVEL_MASK) == HWCAP_EXTENSION_HI;
        if (named) {
            uint32_t p = level_priority(h, &e);
            if (p != 0 && (!best || p < best_priority)) {
                best = e.path;
                best_priority = p;
            }
            continue;
        }
        if (best)
            break;
        if (!legacy_ok(h, e.hwcap))
            continue;
        return e.path;
    }
    return best;
}
