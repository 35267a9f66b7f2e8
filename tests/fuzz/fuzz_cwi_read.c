/*
 * libFuzzer target for the image reader: any file must be opened or refused with one
 * "image: " line, without a memory error, and whatever opens must be consistent (every
 * index path found again by cwi_lookup, every section where the table says).
 *
 * Each input is tried twice: as given, and with every section hash that can be located
 * recomputed, and the header's hash of the table after them. Random bytes almost never match a
 * SHA-256, so without the second try the fuzzer would stop at the hash checks and never reach the
 * shim header, the manifest or the file index behind them.
 *
 * Built by `make fuzz-cwi_read` (tests/fuzz/fuzz.mk); tests/static/fuzz.sh runs it
 * briefly and bench/fuzz.sh for hours, from the seeds in tests/fuzz/corpus/cwi_read/
 * (tests/fuzz/README.md).
 */
#include "image/cwi_read.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One memfd for the whole run; each open gets a dup, which the image then owns. */
static int image_fd = -1;

static void check_open_image(const struct cwi_image *img)
{
    for (uint32_t t = CWI_SEC_MANIFEST; t <= CWI_SEC_FILE_DATA; t++) {
        const struct cwi_section *s = cwi_section(img, (enum cwi_section_type)t);
        if (!s || s->type != t || s->offset > img->size || s->length > img->size - s->offset)
            abort();
    }
    for (uint32_t i = 0; i < img->index->entry_count; i++) {
        const struct cwi_entry *e = &img->entries[i];
        char *path = strndup(img->strings + e->path_offset, e->path_length);
        if (!path || cwi_lookup(img, path) != e)
            abort();
        free(path);
    }
    const struct cwi_entry *entry = cwi_lookup(img, img->manifest.entry);
    if (!entry || (entry->mode & CWI_S_IFMT) != CWI_S_IFREG)
        abort();
}

static void try_open(const uint8_t *data, size_t size)
{
    if (ftruncate(image_fd, 0) != 0 || pwrite(image_fd, data, size, 0) != (ssize_t)size)
        abort();
    int fd = dup(image_fd);
    if (fd < 0)
        abort();
    struct cwi_image img;
    char err[256];
    memset(err, 'x', sizeof(err));
    if (cwi_open_fd(fd, CWI_OPEN_VERIFY_DATA, &img, err, sizeof(err)) != 0) {
        /* A refusal is one terminated "image: " line, and leaves nothing open. */
        if (!memchr(err, '\0', sizeof(err)) || strncmp(err, "image: ", 7) != 0 ||
            strchr(err, '\n') || img.map != NULL || img.fd != -1)
            abort();
        cwi_close(&img);
        return;
    }
    check_open_image(&img);
    cwi_close(&img);
}

/* Recomputes the hash of every section the table places inside the buffer, then the
 * header's hash of the table. */
static void fix_hashes(uint8_t *b, size_t size)
{
    if (size < CWI_HEADER_SIZE)
        return;
    struct cwi_header h;
    memcpy(&h, b, sizeof(h));
    uint32_t n = h.section_count < CWI_MAX_SECTIONS ? h.section_count : CWI_MAX_SECTIONS;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = CWI_HEADER_SIZE + i * sizeof(struct cwi_section);
        struct cwi_section s;
        if (at + sizeof(s) > size)
            return;
        memcpy(&s, b + at, sizeof(s));
        if (s.offset > size || s.length > size - s.offset)
            continue;
        unsigned len = 0;
        if (!EVP_Digest(b + s.offset, (size_t)s.length, s.sha256, &len, EVP_sha256(), NULL))
            abort();
        memcpy(b + at, &s, sizeof(s));
    }
    size_t tlen = n * sizeof(struct cwi_section);
    if (CWI_HEADER_SIZE + tlen > size)
        return;
    unsigned len = 0;
    if (!EVP_Digest(b + CWI_HEADER_SIZE, tlen, h.table_sha256, &len, EVP_sha256(), NULL))
        abort();
    memcpy(b + offsetof(struct cwi_header, table_sha256), h.table_sha256, 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (image_fd < 0 && (image_fd = memfd_create("fuzz-cwi", MFD_CLOEXEC)) < 0)
        abort();
    try_open(data, size);

    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    fix_hashes(copy, size);
    if (size && memcmp(copy, data, size) != 0)
        try_open(copy, size);
    free(copy);
    return 0;
}
