/*
 * 1 MiB of pseudo-random bytes (every byte value, NULs included) through stdout, in
 * chunks of many sizes: through stdio first, then with raw write() calls. The harness
 * compares the output's SHA-256 with a native run's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TOTAL (1 << 20)

int main(void)
{
    static unsigned char buf[TOTAL];
    uint32_t x = 12345;
    for (size_t i = 0; i < TOTAL; i++) {
        x = x * 1103515245 + 12345;
        buf[i] = (unsigned char)(x >> 16);
    }
    static const size_t sizes[] = {1, 7, 4096, 65539, 3, 8191, 100000, 512, 4097};
    size_t off = 0, k = 0;
    while (off < TOTAL / 2) {
        size_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];
        if (n > TOTAL / 2 - off)
            n = TOTAL / 2 - off;
        if (fwrite(buf + off, 1, n, stdout) != n)
            return 1;
        off += n;
    }
    if (fflush(stdout) != 0)
        return 1;
    while (off < TOTAL) {
        size_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];
        if (n > TOTAL - off)
            n = TOTAL - off;
        ssize_t w = write(1, buf + off, n);
        if (w <= 0)
            return 1;
        off += (size_t)w; /* a short write is legal: go on from where it stopped */
    }
    return 0;
}
