/*
 * The image reader: maps a .cwi file and checks every rule of include/cloister/cwi.h.
 *
 * An image is untrusted input until this file has finished with it: it may be
 * truncated, corrupted or crafted. The checks run in layers, each relying only on the
 * ones before: the header (so the section table can be read), the table (so every
 * section lies inside the file, in order, without overlap, with no stray bytes between),
 * the hashes (so the bytes are the ones the table names), then the contents of each
 * section (shim header, manifest, file index). All arithmetic on offsets and lengths is
 * done so that it cannot wrap: a length is compared against what is left of the file,
 * never added to an offset before that comparison.
 */
#include "common/md.h"
#include "common/error_line.h"
#include "image/cwi_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cloister/abi.h>

#include "image/file_tree.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "cwi structs are read as they lie");

#define NTYPES (CWI_SEC_NOTES + 1)

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_size, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_line(err, err_size, "image: ", fmt, ap);
    va_end(ap);
    return -1;
}

static const char *type_name(uint32_t t)
{
    static const char *const names[NTYPES] = {
        [CWI_SEC_MANIFEST] = "MANIFEST",     [CWI_SEC_SHIM] = "SHIM",
        [CWI_SEC_FILE_INDEX] = "FILE_INDEX", [CWI_SEC_CHUNK_HASHES] = "CHUNK_HASHES",
        [CWI_SEC_FILE_DATA] = "FILE_DATA",   [CWI_SEC_SIGNATURE] = "SIGNATURE",
        [CWI_SEC_NOTES] = "NOTES",
    };
    return t < NTYPES && names[t] ? names[t] : "unknown";
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static uint64_t chunk_count(uint64_t size)
{
    return (size >> CWI_CHUNK_SHIFT) + ((size & (CWI_CHUNK_SIZE - 1)) != 0);
}

static bool sha256_matches(const void *data, uint64_t len, const uint8_t expect[32])
{
    uint8_t got[32];
    unsigned int n = 0;
    /* A libcrypto failure counts as a mismatch: nothing unverified gets through. */
    if (!EVP_Digest(data, (size_t)len, got, &n, md_sha256(), NULL) || n != 32)
        return false;
    return memcmp(got, expect, 32) == 0;
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

const struct cwi_section *cwi_section(const struct cwi_image *img, enum cwi_section_type t)
{
    if ((unsigned)t >= NTYPES || t == 0 || img->by_type[t] < 0)
        return NULL;
    return &img->sections[img->by_type[t]];
}

const uint8_t *cwi_section_data(const struct cwi_image *img, const struct cwi_section *s)
{
    return img->map + s->offset;
}

static int check_header(struct cwi_image *img, char *err, size_t err_size)
{
    const struct cwi_header *h = &img->header;
    memcpy(&img->header, img->map, sizeof(img->header));
    if (memcmp(h->magic, CWI_MAGIC, sizeof(h->magic)) != 0)
        return fail(err, err_size, "bad magic: not a Cloister image (.cwi)");
    if (h->version != CWI_VERSION)
        return fail(err, err_size, "format version %u, this cloister reads version %u", h->version,
                    CWI_VERSION);
    if (h->flags != 0)
        return fail(err, err_size, "unknown header flags 0x%x", h->flags);
    if (h->header_size != CWI_HEADER_SIZE)
        return fail(err, err_size, "header size %u, expected %u", h->header_size, CWI_HEADER_SIZE);
    if (h->section_count < 1 || h->section_count > CWI_MAX_SECTIONS)
        return fail(err, err_size, "%u sections, expected 1..%u", h->section_count,
                    CWI_MAX_SECTIONS);
    if (h->file_size != img->size)
        return fail(err, err_size, "header says the image is %llu bytes, the file has %llu%s",
                    (unsigned long long)h->file_size, (unsigned long long)img->size,
                    h->file_size > img->size ? " (truncated)" : "");
    if (!all_zero(h->reserved, sizeof(h->reserved)))
        return fail(err, err_size, "non-zero reserved bytes in the header");
    return 0;
}

/* Required alignment of a section's offset: the records of the manifest (and the
 * signature) are 8-byte units; the rest are mapped or addressed by page. */
static uint64_t section_align(uint32_t type)
{
    return type == CWI_SEC_MANIFEST || type == CWI_SEC_SIGNATURE || type == CWI_SEC_NOTES
               ? 8
               : CWI_ALIGN;
}

static int check_table(struct cwi_image *img, char *err, size_t err_size)
{
    uint32_t count = img->header.section_count;
    uint64_t table_end = CWI_HEADER_SIZE + (uint64_t)count * sizeof(struct cwi_section);
    if (table_end > img->size)
        return fail(err, err_size, "the section table runs past the end of the file");
    /* Before any field of it is believed: a type, like every other byte, is hashed. */
    if (!sha256_matches(img->map + CWI_HEADER_SIZE, table_end - CWI_HEADER_SIZE,
                        img->header.table_sha256))
        return fail(err, err_size, "the section table does not match its SHA-256 in the header");
    memcpy(img->sections, img->map + CWI_HEADER_SIZE, count * sizeof(struct cwi_section));

    uint64_t prev_end = table_end;
    for (uint32_t i = 0; i < count; i++) {
        const struct cwi_section *s = &img->sections[i];
        const char *name = type_name(s->type);
        unsigned n = i + 1; /* sections are numbered from 1 in messages */
        if (s->type == 0 || s->type >= NTYPES)
            return fail(err, err_size, "section %u has unknown type %u", n, s->type);
        if (s->flags != 0)
            return fail(err, err_size, "section %u (%s) has unknown flags 0x%x", n, name, s->flags);
        if (img->by_type[s->type] >= 0)
            return fail(err, err_size, "section %u (%s) appears twice (also section %d)", n, name,
                        img->by_type[s->type] + 1);
        if (s->offset > img->size || s->length > img->size - s->offset)
            return fail(err, err_size, "section %u (%s) ends past the end of the file", n, name);
        if (s->offset < table_end)
            return fail(err, err_size,
                        "section %u (%s) starts inside the header or the section table", n, name);
        if (s->offset % section_align(s->type) != 0)
            return fail(err, err_size, "section %u (%s) at offset %llu is not %llu-byte aligned", n,
                        name, (unsigned long long)s->offset,
                        (unsigned long long)section_align(s->type));
        if (i > 0 && s->offset < img->sections[i - 1].offset)
            return fail(err, err_size,
                        "section %u (%s) lies before section %u (%s): the table is not in "
                        "ascending offset order",
                        n, name, n - 1, type_name(img->sections[i - 1].type));
        if (s->offset < prev_end)
            return fail(err, err_size, "section %u (%s) overlaps section %u (%s)", n, name, n - 1,
                        type_name(img->sections[i - 1].type));
        img->by_type[s->type] = (int)i;
        prev_end = s->offset + s->length;
    }
    if (prev_end != img->size)
        return fail(err, err_size, "%llu bytes after the last section",
                    (unsigned long long)(img->size - prev_end));
    for (uint32_t t = CWI_SEC_MANIFEST; t <= CWI_SEC_FILE_DATA; t++)
        if (img->by_type[t] < 0)
            return fail(err, err_size, "no %s section", type_name(t));

    const struct cwi_section *ch = cwi_section(img, CWI_SEC_CHUNK_HASHES);
    if (ch->length % 32 != 0)
        return fail(err, err_size, "CHUNK_HASHES is %llu bytes, not a multiple of 32",
                    (unsigned long long)ch->length);
    const struct cwi_section *fd = cwi_section(img, CWI_SEC_FILE_DATA);
    if (fd->length % CWI_ALIGN != 0)
        return fail(err, err_size, "FILE_DATA is %llu bytes, not a multiple of %u",
                    (unsigned long long)fd->length, CWI_ALIGN);
    const struct cwi_section *sig = cwi_section(img, CWI_SEC_SIGNATURE);
    if (sig != NULL && sig->length != CWI_SIGNATURE_SIZE)
        return fail(err, err_size, "SIGNATURE is %llu bytes, not the %u of an SEV-SNP ID block",
                    (unsigned long long)sig->length, CWI_SIGNATURE_SIZE);
    if (cwi_section(img, CWI_SEC_MANIFEST)->length > CWI_MAX_MANIFEST)
        return fail(err, err_size, "MANIFEST is %llu bytes, more than the limit of %u",
                    (unsigned long long)cwi_section(img, CWI_SEC_MANIFEST)->length,
                    CWI_MAX_MANIFEST);

    /* Bytes no section covers are hashed by nobody: they must be zero, or an image could
     * carry a payload no check sees. The table is in order now, so the gaps are simple. */
    uint64_t pos = table_end;
    for (uint32_t i = 0; i < count; i++) {
        const struct cwi_section *s = &img->sections[i];
        if (!all_zero(img->map + pos, s->offset - pos))
            return fail(err, err_size,
                        "non-zero bytes between offsets %llu and %llu, outside any section",
                        (unsigned long long)pos, (unsigned long long)s->offset);
        pos = s->offset + s->length;
    }
    return 0;
}

/* The sections hashed at every open (bulk false), or FILE_DATA and CHUNK_HASHES. */
static int check_hashes(const struct cwi_image *img, bool bulk, char *err, size_t err_size)
{
    for (uint32_t i = 0; i < img->header.section_count; i++) {
        const struct cwi_section *s = &img->sections[i];
        if (bulk != (s->type == CWI_SEC_FILE_DATA || s->type == CWI_SEC_CHUNK_HASHES))
            continue;
        if (!sha256_matches(cwi_section_data(img, s), s->length, s->sha256))
            return fail(err, err_size,
                        "section %u (%s) does not match its SHA-256 in the section table", i + 1,
                        type_name(s->type));
    }
    return 0;
}

/* The same checks the monitor makes of its embedded shim, so an image's shim can be
 * started exactly like that one. */
static int check_shim(const struct cwi_image *img, char *err, size_t err_size)
{
    const struct cwi_section *s = cwi_section(img, CWI_SEC_SHIM);
    struct cl_shim_header h;
    if (s->length < sizeof(h))
        return fail(err, err_size, "SHIM is %llu bytes, too short for a shim header",
                    (unsigned long long)s->length);
    memcpy(&h, cwi_section_data(img, s), sizeof(h));
    if (h.magic != CL_SHIM_MAGIC)
        return fail(err, err_size, "SHIM does not start with a shim header (magic 0x%08x)",
                    h.magic);
    if (h.abi_version != CL_ABI_VERSION)
        return fail(err, err_size, "image's shim speaks ABI %u, this cloister speaks %u",
                    h.abi_version, CL_ABI_VERSION);
    if (h.load_gpa != CL_GPA_SHIM || h.file_size < sizeof(h) || h.file_size > s->length ||
        h.mem_size > CL_SHIM_MAX_SIZE || h.file_size > h.mem_size ||
        h.entry < CL_KERNEL_BASE + CL_GPA_SHIM ||
        h.entry >= CL_KERNEL_BASE + CL_GPA_SHIM + h.file_size)
        return fail(err, err_size,
                    "the shim's header is inconsistent (load address, sizes or "
                    "entry point)");
    return 0;
}

static int check_manifest(struct cwi_image *img, char *err, size_t err_size)
{
    const struct cwi_section *s = cwi_section(img, CWI_SEC_MANIFEST);
    char why[256];
    if (manifest_decode(cwi_section_data(img, s), (size_t)s->length, &img->manifest, why,
                        sizeof(why)))
        return fail(err, err_size, "%s", why);
    return 0;
}

/* Bytewise order of two counted strings, as the index sorts paths. */
static int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* Index of the entry with this path among the first n, or -1. */
static long find_entry(const struct cwi_image *img, size_t n, const char *p, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct cwi_entry *e = &img->entries[mid];
        int c = path_cmp(img->strings + e->path_offset, e->path_length, p, len);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const struct cwi_entry *cwi_lookup(const struct cwi_image *img, const char *path)
{
    if (!img->index)
        return NULL;
    long i = find_entry(img, img->index->entry_count, path, strlen(path));
    return i < 0 ? NULL : &img->entries[i];
}

/* Where the previous regular file's data and chunk hashes ended: files must not share. */
struct index_walk {
    uint64_t data_end, chunk_end;
    uint64_t data_len, nchunks;
};

#define P(e) (int)((e)->path_length > 200 ? 200 : (e)->path_length), img->strings + (e)->path_offset

static int check_regular(const struct cwi_image *img, const struct cwi_entry *e,
                         struct index_walk *w, char *err, size_t err_size)
{
    if (e->data_offset % CWI_ALIGN != 0)
        return fail(err, err_size, "%.*s: data offset %llu is not page aligned", P(e),
                    (unsigned long long)e->data_offset);
    if (e->data_offset > w->data_len || e->size > w->data_len - e->data_offset)
        return fail(err, err_size, "%.*s: data lies outside FILE_DATA", P(e));
    if (e->data_offset < w->data_end)
        return fail(err, err_size, "%.*s: data overlaps the previous file's", P(e));
    uint64_t n = chunk_count(e->size);
    if (e->first_chunk > w->nchunks || n > w->nchunks - e->first_chunk)
        return fail(err, err_size, "%.*s: chunk hashes lie outside CHUNK_HASHES", P(e));
    if (e->first_chunk < w->chunk_end)
        return fail(err, err_size, "%.*s: chunk hashes overlap the previous file's", P(e));
    /* data_offset + size <= data_len, so neither sum can wrap. */
    w->data_end = align_up(e->data_offset + e->size, CWI_ALIGN);
    w->chunk_end = e->first_chunk + n;
    return 0;
}

static int check_entry(const struct cwi_image *img, uint32_t i, struct index_walk *w, char *err,
                       size_t err_size)
{
    const struct cwi_entry *e = &img->entries[i];
    const uint64_t strings_size = img->index->strings_size;
    static const uint8_t zero_hash[32];

    if (e->reserved != 0)
        return fail(err, err_size, "file index entry %u has non-zero reserved bits", i);
    if ((uint64_t)e->path_offset + e->path_length > strings_size)
        return fail(err, err_size, "file index entry %u: path lies outside the strings", i);
    const char *path = img->strings + e->path_offset;
    const char *why = cwi_path_problem(path, e->path_length);
    if (why)
        return fail(err, err_size, "file index entry %u: path '%.*s' %s", i, P(e), why);
    if (i == 0 && !(e->path_length == 1 && path[0] == '/'))
        return fail(err, err_size, "file index has no \"/\" entry");
    if (i > 0) {
        const struct cwi_entry *p = &img->entries[i - 1];
        if (path_cmp(img->strings + p->path_offset, p->path_length, path, e->path_length) >= 0)
            return fail(err, err_size, "file index is not sorted: '%.*s' after '%.*s'", P(e), P(p));
        /* The parent sorts before its children (it is a prefix), so it is among the
         * entries already checked. */
        size_t plen = (size_t)((const char *)memrchr(path, '/', e->path_length) - path);
        long pi = find_entry(img, i, path, plen ? plen : 1);
        if (pi < 0)
            return fail(err, err_size, "%.*s: its parent directory is not in the file index", P(e));
        if ((img->entries[pi].mode & CWI_S_IFMT) != CWI_S_IFDIR)
            return fail(err, err_size, "%.*s: its parent is not a directory", P(e));
    }
    if (e->mode & ~(CWI_S_IFMT | 0777u))
        return fail(err, err_size, "%.*s: mode 0%o has bits other than type and permissions", P(e),
                    e->mode);
    switch (e->mode & CWI_S_IFMT) {
    case CWI_S_IFDIR:
        if (e->size || e->data_offset || e->first_chunk || memcmp(e->sha256, zero_hash, 32))
            return fail(err, err_size, "%.*s: directory with non-zero size, data or hash", P(e));
        return 0;
    case CWI_S_IFLNK:
        if (e->size == 0 || e->size >= CWI_MAX_PATH)
            return fail(err, err_size, "%.*s: symlink target of %llu bytes", P(e),
                        (unsigned long long)e->size);
        if (e->data_offset > strings_size || e->size > strings_size - e->data_offset)
            return fail(err, err_size, "%.*s: symlink target lies outside the strings", P(e));
        if (memchr(img->strings + e->data_offset, '\0', (size_t)e->size))
            return fail(err, err_size, "%.*s: symlink target holds a NUL byte", P(e));
        if (e->first_chunk || memcmp(e->sha256, zero_hash, 32))
            return fail(err, err_size, "%.*s: symlink with chunk or hash fields", P(e));
        return 0;
    case CWI_S_IFREG:
        return check_regular(img, e, w, err, err_size);
    default:
        return fail(err, err_size, "%.*s: mode 0%o is not a file, directory or symlink", P(e),
                    e->mode);
    }
}

static int check_index(struct cwi_image *img, char *err, size_t err_size)
{
    const struct cwi_section *s = cwi_section(img, CWI_SEC_FILE_INDEX);
    const uint8_t *base = cwi_section_data(img, s);
    struct cwi_index_header h;

    if (s->length < sizeof(h))
        return fail(err, err_size, "FILE_INDEX is %llu bytes, too short for its header",
                    (unsigned long long)s->length);
    memcpy(&h, base, sizeof(h));
    if (h.chunk_shift != CWI_CHUNK_SHIFT)
        return fail(err, err_size, "file index chunk shift %u, expected %u", h.chunk_shift,
                    CWI_CHUNK_SHIFT);
    if (h.entries_offset != sizeof(h))
        return fail(err, err_size, "file index entries at offset %llu, expected %zu",
                    (unsigned long long)h.entries_offset, sizeof(h));
    uint64_t entries_size = (uint64_t)h.entry_count * sizeof(struct cwi_entry);
    if (entries_size > s->length - sizeof(h))
        return fail(err, err_size, "file index claims %u entries, more than its %llu bytes hold",
                    h.entry_count, (unsigned long long)s->length);
    if (h.strings_offset != sizeof(h) + entries_size)
        return fail(err, err_size, "file index strings at offset %llu, expected %llu",
                    (unsigned long long)h.strings_offset,
                    (unsigned long long)(sizeof(h) + entries_size));
    if (h.strings_size != s->length - h.strings_offset)
        return fail(err, err_size, "file index strings are %llu bytes, the section leaves %llu",
                    (unsigned long long)h.strings_size,
                    (unsigned long long)(s->length - h.strings_offset));
    if (h.entry_count == 0)
        return fail(err, err_size, "file index has no \"/\" entry");

    /* Page-aligned section, 8-byte multiples inside: these casts are aligned. */
    img->index = (const struct cwi_index_header *)base;
    img->entries = (const struct cwi_entry *)(base + h.entries_offset);
    img->strings = (const char *)base + h.strings_offset;
    struct index_walk w = {
        .data_len = cwi_section(img, CWI_SEC_FILE_DATA)->length,
        .nchunks = cwi_section(img, CWI_SEC_CHUNK_HASHES)->length / 32,
    };
    for (uint32_t i = 0; i < h.entry_count; i++)
        if (check_entry(img, i, &w, err, err_size))
            return -1;
    if ((img->entries[0].mode & CWI_S_IFMT) != CWI_S_IFDIR)
        return fail(err, err_size, "\"/\" is not a directory");

    const char *entry = img->manifest.entry;
    const struct cwi_entry *e = cwi_lookup(img, entry);
    if (!e)
        return fail(err, err_size, "the entry program %.200s is not in the file index", entry);
    if ((e->mode & CWI_S_IFMT) != CWI_S_IFREG)
        return fail(err, err_size, "the entry program %.200s is not a regular file", entry);
    return 0;
}

/* With CWI_OPEN_VERIFY_DATA: every chunk against its hash, every tree hash against its
 * chunks, and the padding after each file zero (a workload mapping a file's last page
 * must see zeros past its end, as on Linux). */
static int check_data(const struct cwi_image *img, char *err, size_t err_size)
{
    const uint8_t *data = cwi_section_data(img, cwi_section(img, CWI_SEC_FILE_DATA));
    const uint8_t *chunks = cwi_section_data(img, cwi_section(img, CWI_SEC_CHUNK_HASHES));
    for (uint32_t i = 0; i < img->index->entry_count; i++) {
        const struct cwi_entry *e = &img->entries[i];
        if ((e->mode & CWI_S_IFMT) != CWI_S_IFREG)
            continue;
        uint64_t n = chunk_count(e->size);
        const uint8_t *hashes = chunks + 32 * e->first_chunk;
        for (uint64_t c = 0; c < n; c++) {
            uint64_t off = c << CWI_CHUNK_SHIFT;
            uint64_t len = e->size - off < CWI_CHUNK_SIZE ? e->size - off : CWI_CHUNK_SIZE;
            if (!sha256_matches(data + e->data_offset + off, len, hashes + 32 * c))
                return fail(err, err_size, "%.*s: chunk %llu does not match its hash", P(e),
                            (unsigned long long)c);
        }
        if (!sha256_matches(hashes, 32 * n, e->sha256))
            return fail(err, err_size, "%.*s: tree hash does not match its chunk hashes", P(e));
        uint64_t end = e->data_offset + e->size;
        if (!all_zero(data + end, align_up(end, CWI_ALIGN) - end))
            return fail(err, err_size, "%.*s: non-zero bytes after the end of its data", P(e));
    }
    return 0;
}

int cwi_verify_data(const struct cwi_image *img, char *err, size_t err_size)
{
    return check_hashes(img, true, err, err_size) || check_data(img, err, err_size) ? -1 : 0;
}

void cwi_close(struct cwi_image *img)
{
    /* Only an image that got as far as its mapping owns anything; a failed open has
     * already released its descriptor, and a zeroed struct holds fd 0, not ours. */
    if (img->map) {
        munmap((void *)img->map, (size_t)img->size);
        if (img->fd >= 0)
            close(img->fd);
    }
    manifest_free(&img->manifest);
    memset(img, 0, sizeof(*img));
    img->fd = -1;
    for (int t = 0; t < NTYPES; t++)
        img->by_type[t] = -1;
}

int cwi_open_fd(int fd, unsigned flags, struct cwi_image *img, char *err, size_t err_size)
{
    struct stat st;

    memset(img, 0, sizeof(*img));
    img->fd = -1;
    for (int t = 0; t < NTYPES; t++)
        img->by_type[t] = -1;
    if (fstat(fd, &st) != 0) {
        fail(err, err_size, "cannot stat: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, err_size, "not a regular file");
    }
    if ((uint64_t)st.st_size < CWI_HEADER_SIZE) {
        close(fd);
        return fail(err, err_size, "the file is %llu bytes, too short for a header (%u)",
                    (unsigned long long)st.st_size, CWI_HEADER_SIZE);
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        fail(err, err_size, "cannot map the file: %s", strerror(errno));
        close(fd);
        return -1;
    }
    img->fd = fd;
    img->map = map;
    img->size = (uint64_t)st.st_size;

    if (check_header(img, err, err_size) || check_table(img, err, err_size) ||
        check_hashes(img, false, err, err_size) || check_shim(img, err, err_size) ||
        check_manifest(img, err, err_size) || check_index(img, err, err_size) ||
        ((flags & CWI_OPEN_VERIFY_DATA) && cwi_verify_data(img, err, err_size))) {
        cwi_close(img);
        return -1;
    }
    return 0;
}

int cwi_open(const char *path, unsigned flags, struct cwi_image *img, char *err, size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        memset(img, 0, sizeof(*img));
        img->fd = -1;
        for (int t = 0; t < NTYPES; t++)
            img->by_type[t] = -1;
        return fail(err, err_size, "cannot open %.200s: %s", path, strerror(errno));
    }
    return cwi_open_fd(fd, flags, img, err, err_size);
}
