/*
 * Opening an image to vouch for it: `cloister inspect` and `cloister measure` both open
 * images through cwi_audit_open, so that they accept exactly the same images and print
 * the same digest. An image is refused when any check of cwi_open fails, when it cannot
 * be launched (its launch digest cannot be computed), when a byte of FILE_DATA or
 * CHUNK_HASHES disagrees with its hashes, or when its SIGNATURE section does not parse
 * and verify (id_block_parse). The cheap checks come first, so an image too large to
 * launch is refused before its data is read.
 */
#ifndef CLOISTER_LAUNCH_CWI_AUDIT_H
#define CLOISTER_LAUNCH_CWI_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/cwi_read.h"
#include "launch/id_block.h"
#include "launch/snp_digest.h"

struct cwi_audit {
    uint8_t digest[SNP_DIGEST_SIZE]; /* the launch digest with the vCPU count asked for */
    bool is_signed;                  /* a SIGNATURE section, parsed into sig */
    struct id_info sig;
};

/*
 * Opens path into img (close it with cwi_close) and fills *a; vcpus 0 takes the
 * manifest's. 0, or -1 with one line in err ("image: ...") and img closed.
 */
int cwi_audit_open(const char *path, unsigned vcpus, struct cwi_image *img, struct cwi_audit *a,
                   char *err, size_t err_size);

#endif
