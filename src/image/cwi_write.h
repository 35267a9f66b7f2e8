/* Writing a .cwi image: manifest, shim and file tree into one reproducible file. */
#ifndef CLOISTER_IMAGE_CWI_WRITE_H
#define CLOISTER_IMAGE_CWI_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "image/file_tree.h"
#include "image/manifest.h"

struct cwi_write_stats {
    uint64_t entries;    /* index entries, directories and symlinks included */
    uint64_t files;      /* regular files */
    uint64_t data_bytes; /* their contents */
    uint64_t image_size; /* bytes of the whole image */
};

/*
 * Writes the image of manifest m, file tree t and the shim (shim_len bytes starting with
 * a struct cl_shim_header) to fd, which must be a regular file open for writing: it is
 * truncated first and written with pwrite at computed offsets, so whatever it held
 * before leaves no trace. The tree is finished here if it was not (parents, order).
 *
 * The output depends only on m, the tree's paths, modes and contents, and the shim: two
 * calls with the same inputs write identical bytes. File contents are streamed in large
 * reads and never held whole in memory; a file that changed since it was added (other
 * inode, other size, shorter or longer when read) fails the write rather than produce an
 * image whose index lies about it. The manifest's entry must be a regular file in t.
 *
 * 0 and *stats filled (stats may be NULL), or -1 with one line in err; the file's
 * contents are then unspecified and the caller should remove it.
 */
int cwi_write(int fd, const struct cl_manifest *m, struct file_tree *t, const uint8_t *shim,
              size_t shim_len, struct cwi_write_stats *stats, char *err, size_t err_size);

/* The same, with notes: free text stored in the optional NOTES section, for `inspect`
 * (cloister build records there what it collected for a dynamic program, and why).
 * Notes are not measured: they are not part of what runs. */
int cwi_write_with_notes(int fd, const struct cl_manifest *m, struct file_tree *t,
                         const uint8_t *shim, size_t shim_len, const char *notes,
                         struct cwi_write_stats *stats, char *err, size_t err_size);

/*
 * The same, reserving a SIGNATURE section of sig_len zero bytes (none if 0) after
 * FILE_DATA. The signature signs the launch digest, which can only be computed from the
 * written image; the section is not measured, so cwi_set_signature can then fill it
 * (and its hash in the table) without changing the digest.
 */
int cwi_write_signable(int fd, const struct cl_manifest *m, struct file_tree *t,
                       const uint8_t *shim, size_t shim_len, const char *notes, size_t sig_len,
                       struct cwi_write_stats *stats, char *err, size_t err_size);
int cwi_set_signature(int fd, const uint8_t *sig, size_t len, char *err, size_t err_size);

/*
 * Rewrites the header's table_sha256 to match the section table as fd now holds it:
 * after a section's table entry changed (cwi_set_signature; the test tools that play a
 * host rewriting an image, which anyone holding the file can do). 0, or -1 with err.
 */
int cwi_seal_table(int fd, char *err, size_t err_size);

#endif
