/*
 * Reading /etc/ld.so.cache, the table ldconfig writes of library names and the paths
 * ld.so takes for them, and looking a name up the way glibc 2.36's ld.so does.
 *
 * The format we read is the one ldconfig has written by default since glibc 2.32 (and
 * the only one Debian 12 writes): "glibc-ld.so.cache" "1.1", then the number of entries,
 * the string table's length, an endianness flag, the offset of an extension directory,
 * and then entries of 24 bytes: flags (int32), key and value (offsets of the name and
 * path, counted from the start of the file), the OS version (unused since glibc 2.36)
 * and a 64-bit hwcap field. Entries are sorted by name, in ldconfig's order, which
 * compares runs of digits as numbers. An entry whose hwcap has bit 62 set is for a
 * glibc-hwcaps subdirectory: its low 32 bits index the array of subdirectory names in
 * the extension section with tag 1. Older formats (the libc5 "ld.so-1.7.0" header) are
 * refused: no glibc we support writes them.
 *
 * The file is untrusted input like any other: every count, offset and string is checked
 * against the file's size before use.
 */
#ifndef CLOISTER_SEAL_LD_CACHE_H
#define CLOISTER_SEAL_LD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "seal/ld_hwcaps.h"

/* flags of an entry: an ELF library for glibc on x86-64 (the only ones ld.so there
 * takes: FLAG_ELF_LIBC6 | FLAG_X8664_LIB64). */
#define LD_CACHE_FLAGS_X86_64 0x0303

struct ld_cache {
    uint8_t *data; /* the whole file */
    size_t size;
    uint32_t nlibs;
    const uint32_t *hwcaps_names; /* extension tag 1: string offsets, or NULL */
    uint32_t nhwcaps_names;
};

struct ld_cache_entry {
    int32_t flags;
    const char *name, *path; /* point into the cache's data */
    uint64_t hwcap;
    const char *hwcaps_subdir; /* for a glibc-hwcaps entry its name ("x86-64-v3"), else NULL */
};

/*
 * Reads and checks the cache file at path. 0, or -1 with err (missing, unreadable or
 * malformed: ld.so then runs as if there were no cache, and so does elf_deps).
 */
int ld_cache_load(struct ld_cache *c, const char *path, char *err, size_t err_size);
void ld_cache_free(struct ld_cache *c);

/* Entry i (< c->nlibs); -1 if its strings are out of bounds (ld.so skips such an entry). */
int ld_cache_entry(const struct ld_cache *c, uint32_t i, struct ld_cache_entry *e);

/*
 * The path ld.so 2.36 would take from this cache for the library name, on a CPU with
 * the search facts h, or NULL: among the entries whose name matches (digit runs compared
 * as numbers, so "libx.so.01" matches "libx.so.1"), those with flags other than
 * LD_CACHE_FLAGS_X86_64 are ignored; a glibc-hwcaps entry the CPU supports wins over a
 * plain one, the best level first; otherwise the first plain entry whose legacy hwcap
 * bits the CPU has. The result points into the cache's data.
 */
const char *ld_cache_lookup(const struct ld_cache *c, const char *name, const struct ld_hwcaps *h);

/* ldconfig's name order: <0, 0, >0; runs of decimal digits compare as numbers. */
int ld_cache_name_cmp(const char *a, const char *b);

#endif
