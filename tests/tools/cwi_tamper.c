/*
 * cwi_tamper: plays the host that controls an image file, for the integrity tests.
 *
 *   cwi_tamper IMAGE PATH OFFSET
 *
 * Flips one byte of file PATH at OFFSET inside the image's FILE_DATA, then rewrites the
 * section table's SHA-256 of FILE_DATA and the header's SHA-256 of the table to match,
 * as an attacker would, so that only the shim's chunk checks (rooted in the measured
 * launch) can notice.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/cwi_read.h"
#include "image/cwi_write.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: cwi_tamper IMAGE PATH OFFSET\n");
        return 2;
    }
    char err[256];
    struct cwi_image img;
    if (cwi_open(argv[1], 0, &img, err, sizeof(err)) < 0) {
        fprintf(stderr, "cwi_tamper: %s\n", err);
        return 1;
    }
    const struct cwi_entry *e = cwi_lookup(&img, argv[2]);
    unsigned long long off = strtoull(argv[3], NULL, 0);
    if (!e || (e->mode & CWI_S_IFMT) != CWI_S_IFREG || off >= e->size) {
        fprintf(stderr, "cwi_tamper: %s is no regular file of the image, or too short\n", argv[2]);
        return 1;
    }
    const struct cwi_section *data = cwi_section(&img, CWI_SEC_FILE_DATA);
    int sec_index = img.by_type[CWI_SEC_FILE_DATA];
    uint64_t pos = data->offset + e->data_offset + off, sec_off = data->offset;
    uint64_t sec_len = data->length;
    cwi_close(&img);

    int fd = open(argv[1], O_RDWR);
    if (fd < 0)
        return perror("cwi_tamper: open"), 1;
    unsigned char b;
    if (pread(fd, &b, 1, (off_t)pos) != 1)
        return perror("cwi_tamper: read"), 1;
    b ^= 0x5a;
    if (pwrite(fd, &b, 1, (off_t)pos) != 1)
        return perror("cwi_tamper: write"), 1;
    unsigned char *map = mmap(NULL, sec_off + sec_len, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return perror("cwi_tamper: mmap"), 1;
    unsigned char digest[32];
    unsigned int n;
    EVP_Digest(map + sec_off, sec_len, digest, &n, EVP_sha256(), NULL);
    munmap(map, sec_off + sec_len);
    off_t entry = CWI_HEADER_SIZE + (off_t)sec_index * (off_t)sizeof(struct cwi_section);
    if (pwrite(fd, digest, 32, entry + (off_t)offsetof(struct cwi_section, sha256)) != 32)
        return perror("cwi_tamper: write"), 1;
    if (cwi_seal_table(fd, err, sizeof(err)) < 0) {
        fprintf(stderr, "cwi_tamper: %s\n", err);
        return 1;
    }
    close(fd);
    return 0;
}
