/*
 * Reads stdin to end of file with read() calls of varying sizes and prints the byte
 * count and an FNV-1a checksum; a read after end of file must return 0 again.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    static unsigned char buf[70000];
    static const size_t sizes[] = {1, 100, 4096, 65536, 7, 70000};
    uint64_t h = 0xcbf29ce484222325ull, total = 0;
    size_t k = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))]);
        if (n < 0) {
            perror("read");
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 0x100000001b3ull;
        total += (uint64_t)n;
    }
    printf("bytes: %llu\n", (unsigned long long)total);
    printf("fnv1a64: %016llx\n", (unsigned long long)h);
    printf("read after EOF: %zd\n", read(0, buf, sizeof(buf)));
    return 0;
}
