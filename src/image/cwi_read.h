/*
 * Opening an image: the file is mapped read-only and every structural rule of
 * include/cloister/cwi.h is checked (header, section table, section hashes, manifest,
 * file index) before anything else sees it. A failure leaves one line in err naming
 * the problem ("image: section 3 (FILE_INDEX) ends past the end of the file").
 *
 * Checking a section hash costs its length, so FILE_DATA and CHUNK_HASHES are hashed
 * only when asked (CWI_OPEN_VERIFY_DATA): running an image must not cost time in
 * proportion to its files. Their integrity is the shim's job, chunk by chunk.
 */
#ifndef CLOISTER_IMAGE_CWI_READ_H
#define CLOISTER_IMAGE_CWI_READ_H

#include <stddef.h>
#include <stdint.h>

#include <cloister/cwi.h>

#include "image/manifest.h"

#define CWI_OPEN_VERIFY_DATA 0x1u /* also hash FILE_DATA and CHUNK_HASHES */

struct cwi_image {
    int fd;
    const uint8_t *map; /* the whole file, read-only */
    uint64_t size;
    struct cwi_header header;
    struct cwi_section sections[CWI_MAX_SECTIONS];
    /* per enum cwi_section_type, an index into sections[] or -1 */
    int by_type[CWI_SEC_NOTES + 1];
    struct cl_manifest manifest; /* decoded from the MANIFEST section */
    const struct cwi_index_header *index;
    const struct cwi_entry *entries;
    const char *strings;
};

/* The section of a type, or NULL if the image has none. */
const struct cwi_section *cwi_section(const struct cwi_image *img, enum cwi_section_type t);
/* Its bytes (inside img->map). */
const uint8_t *cwi_section_data(const struct cwi_image *img, const struct cwi_section *s);

int cwi_open(const char *path, unsigned flags, struct cwi_image *img, char *err, size_t err_size);
/* The same over an open descriptor (e.g. a memfd); the image takes ownership of fd. */
int cwi_open_fd(int fd, unsigned flags, struct cwi_image *img, char *err, size_t err_size);
void cwi_close(struct cwi_image *img);

/* What CWI_OPEN_VERIFY_DATA adds, for an image already open: FILE_DATA and CHUNK_HASHES
 * against their section hashes, every chunk and tree hash, the zeros after each file.
 * 0, or -1 with one line in err. */
int cwi_verify_data(const struct cwi_image *img, char *err, size_t err_size);

/* The entry for a path, or NULL. */
const struct cwi_entry *cwi_lookup(const struct cwi_image *img, const char *path);

#endif
