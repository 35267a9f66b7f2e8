/*
 * Maps stdin (a regular file) and prints its size and an FNV-1a checksum of the mapped
 * bytes, then of the same bytes read with read(): the two must agree with each other
 * and with the file, whatever sizes the host's reads come back in.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

int main(void)
{
    struct stat st;
    if (fstat(0, &st) != 0 || !S_ISREG(st.st_mode)) {
        printf("stdin is not a regular file\n");
        return 1;
    }
    const unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, 0, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    printf("size: %lld\n", (long long)st.st_size);
    printf("mapped fnv1a64: %016llx\n",
           (unsigned long long)fnv(0xcbf29ce484222325ull, m, (size_t)st.st_size));
    static unsigned char buf[65536];
    uint64_t h = 0xcbf29ce484222325ull, total = 0;
    ssize_t n;
    while ((n = pread(0, buf, sizeof(buf), (off_t)total)) > 0) {
        h = fnv(h, buf, (size_t)n);
        total += (uint64_t)n;
    }
    printf("read %llu bytes, fnv1a64: %016llx\n", (unsigned long long)total, (unsigned long long)h);
    return n < 0;
}
