/*
 * cwi_sig_tamper: plays the host that controls a signed image, for the signing tests.
 *
 *   cwi_sig_tamper IMAGE OFFSET        flip one byte of the SIGNATURE section
 *   cwi_sig_tamper IMAGE --from OTHER  put OTHER's (validly signed) SIGNATURE in IMAGE
 *
 * Either way the section table's SHA-256 is rewritten to match, as an attacker would,
 * so that only the launch's ID block checks can notice.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/cwi_read.h"
#include "image/cwi_write.h"

static int signature_of(const char *path, uint8_t *out, size_t *len)
{
    char err[256];
    struct cwi_image img;
    if (cwi_open(path, 0, &img, err, sizeof(err)) < 0) {
        fprintf(stderr, "cwi_sig_tamper: %s\n", err);
        return -1;
    }
    const struct cwi_section *s = cwi_section(&img, CWI_SEC_SIGNATURE);
    int rc = -1;
    if (!s || s->length > *len)
        fprintf(stderr, "cwi_sig_tamper: %s has no SIGNATURE section\n", path);
    else {
        memcpy(out, cwi_section_data(&img, s), (size_t)s->length);
        *len = (size_t)s->length;
        rc = 0;
    }
    cwi_close(&img);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 4 && strcmp(argv[2], "--from") == 0)) {
        fprintf(stderr, "usage: cwi_sig_tamper IMAGE OFFSET | IMAGE --from OTHER\n");
        return 2;
    }
    uint8_t sig[65536];
    size_t len = sizeof(sig);
    if (signature_of(argc == 4 ? argv[3] : argv[1], sig, &len) < 0)
        return 1;
    if (argc == 3) {
        unsigned long off = strtoul(argv[2], NULL, 0);
        if (off >= len) {
            fprintf(stderr, "cwi_sig_tamper: offset past the signature\n");
            return 1;
        }
        sig[off] ^= 0x01;
    }
    char err[256];
    int fd = open(argv[1], O_RDWR);
    if (fd < 0 || cwi_set_signature(fd, sig, len, err, sizeof(err)) < 0) {
        fprintf(stderr, "cwi_sig_tamper: %s\n", fd < 0 ? "cannot open the image" : err);
        return 1;
    }
    close(fd);
    return 0;
}
