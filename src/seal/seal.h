/*
 * Sealing: a program and its files into a .cwi image, the one path `cloister build` and
 * `cloister_run()` of a bare program both take.
 *
 *   seal_add_program  the entry, and for a dynamically linked one everything ld.so loads
 *                     to start it (interpreter, libraries, the loader's own files)
 *   seal_write        write the image, read it back with the checks `cloister run`
 *                     applies, measure it and, given keys, sign it
 *   seal_to_path      seal_write into a file beside OUT, renamed over OUT only once done
 *
 * Nothing here prints: what was collected and why goes to a notes stream the caller
 * chooses (and into the image's NOTES section), failures leave one line in err.
 */
#ifndef CLOISTER_SEAL_SEAL_H
#define CLOISTER_SEAL_SEAL_H

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>

#include "image/cwi_read.h"
#include "image/cwi_write.h"
#include "image/file_tree.h"
#include "launch/id_block.h"
#include "image/manifest.h"
#include "launch/snp_digest.h"

/*
 * Where a program from the host goes in the image when no place is named: its own path
 * if absolute (so that $ORIGIN in its RUNPATH finds what was collected beside it), else
 * /NAME. A new string, or NULL when out of memory.
 */
char *seal_default_dst(const char *host);

/*
 * Adds the program host at dst in t and, if it is dynamically linked, its interpreter,
 * every library it needs (found as ld.so finds them on this host, src/seal/elf_deps.h)
 * and the loader's own files, at their host paths, with the symlinks on the way kept as
 * symlinks. Each collected file is named on notes (if not NULL) as one line
 * "collected PATH: REASON". 0, or -1 with err.
 */
int seal_add_program(struct file_tree *t, const char *host, const char *dst, FILE *notes, char *err,
                     size_t err_size);

/* An ID block to sign the image with (docs/image-format.md, "SIGNATURE"). */
struct seal_signing {
    EVP_PKEY *id_key;     /* NULL: the image is not signed */
    EVP_PKEY *author_key; /* NULL: no author key */
    uint32_t guest_svn;
    uint8_t family_id[16], image_id[16];
};

struct seal_result {
    struct cwi_write_stats stats;
    uint8_t digest[SNP_DIGEST_SIZE]; /* the SEV-SNP launch digest, manifest's vCPU count */
    struct id_info sig;              /* what was signed, read back (signed images) */
};

/*
 * Writes the image of m, t and the embedded shim to fd (a regular file open for reading
 * and writing, truncated first), with notes (may be NULL) in its NOTES section, and
 * reads it back through cwi_open's checks: a writer bug fails here, not at run time.
 * With res, also computes the launch digest; with sign->id_key (needs res), signs it and
 * parses the signature back with the monitor's own checks.
 *
 * With img, the image read back is left open there (close it with cwi_close; it holds a
 * descriptor of its own, fd stays the caller's). 0, or -1 with err.
 */
int seal_write(int fd, const struct cl_manifest *m, struct file_tree *t, const char *notes,
               const struct seal_signing *sign, struct cwi_image *img, struct seal_result *res,
               char *err, size_t err_size);

/*
 * seal_write into a temporary file beside out, renamed over out once it is complete:
 * readers of out see the old image or the new one, never a partial one, and a failure
 * leaves nothing behind. There is no fsync: like a compiler's output, an image is a
 * build product, and forcing it to disk would cost more than the rest of a large build.
 */
int seal_to_path(const char *out, const struct cl_manifest *m, struct file_tree *t,
                 const char *notes, const struct seal_signing *sign, struct seal_result *res,
                 char *err, size_t err_size);

#endif
