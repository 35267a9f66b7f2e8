/*
 * cwi_grow: makes an image as large as a test needs without writing its bytes.
 *
 *   cwi_grow IMAGE SIZE
 *
 * Extends the image's last section, FILE_DATA, with a hole so that the file is SIZE
 * bytes (a multiple of 4096), and rewrites the header's file size, the section's
 * length and the header's SHA-256 of the table to match. Opening an image does not hash FILE_DATA,
 * so the result opens and reaches the launch plan: how the tests show that an image larger than the
 * guest's file window is refused in one line, with no 256 GiB of disk.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "image/cwi_read.h"
#include "image/cwi_write.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cwi_grow IMAGE SIZE\n");
        return 2;
    }
    unsigned long long size = strtoull(argv[2], NULL, 0);
    char err[256];
    struct cwi_image img;
    if (cwi_open(argv[1], 0, &img, err, sizeof(err)) < 0) {
        fprintf(stderr, "cwi_grow: %s\n", err);
        return 1;
    }
    const struct cwi_section *data = cwi_section(&img, CWI_SEC_FILE_DATA);
    int sec_index = img.by_type[CWI_SEC_FILE_DATA];
    uint64_t offset = data->offset, end = data->offset + data->length, old_size = img.size;
    cwi_close(&img);
    if (end != old_size || size % 4096 || size < old_size) {
        fprintf(stderr, "cwi_grow: FILE_DATA is not last, or SIZE is unaligned or too small\n");
        return 1;
    }
    int fd = open(argv[1], O_RDWR);
    if (fd < 0)
        return perror("cwi_grow: open"), 1;
    uint64_t file_size = size, length = size - offset;
    off_t entry = CWI_HEADER_SIZE + (off_t)sec_index * (off_t)sizeof(struct cwi_section);
    if (ftruncate(fd, (off_t)size) < 0 ||
        pwrite(fd, &file_size, 8, offsetof(struct cwi_header, file_size)) != 8 ||
        pwrite(fd, &length, 8, entry + (off_t)offsetof(struct cwi_section, length)) != 8)
        return perror("cwi_grow: write"), 1;
    if (cwi_seal_table(fd, err, sizeof(err)) < 0) {
        fprintf(stderr, "cwi_grow: %s\n", err);
        return 1;
    }
    close(fd);
    return 0;
}
