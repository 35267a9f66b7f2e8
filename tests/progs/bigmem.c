/*
 * 64 MiB from malloc and 64 MiB from mmap, each touched page by page and read back
 * through a checksum; a 16 MiB calloc must read back as zeros. Prints only values that
 * do not depend on where the memory is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define SIZE (64ul << 20)
#define PAGE 4096ul

/* Writes one 64-bit word in every page (and the last byte), derived from the index. */
static void touch(unsigned char *p, size_t size, uint64_t seed)
{
    for (size_t off = 0; off < size; off += PAGE) {
        uint64_t v = (off / PAGE) * 0x9e3779b97f4a7c15ull ^ seed;
        *(volatile uint64_t *)(p + off) = v;
        p[off + PAGE - 1] = (unsigned char)v;
    }
}

static uint64_t checksum(const unsigned char *p, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t off = 0; off < size; off += PAGE) {
        h = (h ^ *(const volatile uint64_t *)(p + off)) * 0x100000001b3ull;
        h = (h ^ p[off + PAGE - 1]) * 0x100000001b3ull;
        h = (h ^ p[off + PAGE / 2]) * 0x100000001b3ull; /* untouched: zero or garbage */
    }
    return h;
}

static int all_zero(const unsigned char *p, size_t size)
{
    for (size_t i = 0; i < size; i += sizeof(uint64_t))
        if (*(const uint64_t *)(p + i))
            return 0;
    return 1;
}

int main(void)
{
    unsigned char *m = malloc(SIZE);
    printf("malloc(64 MiB): %s\n", m ? "ok" : "NULL");
    if (!m)
        return 1;
    for (size_t off = PAGE / 2; off < SIZE; off += PAGE)
        m[off] = 0; /* malloc memory need not be zero: make the checksum defined */
    touch(m, SIZE, 1);
    printf("malloc checksum: %016llx\n", (unsigned long long)checksum(m, SIZE));
    free(m);

    unsigned char *a = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap(64 MiB): %s\n", a != MAP_FAILED ? "ok" : "MAP_FAILED");
    if (a == MAP_FAILED)
        return 1;
    printf("mmap fresh pages read zero: %s\n", all_zero(a, SIZE) ? "yes" : "no");
    touch(a, SIZE, 2);
    printf("mmap checksum: %016llx\n", (unsigned long long)checksum(a, SIZE));
    printf("munmap: %d\n", munmap(a, SIZE));

    unsigned char *c = calloc(16, 1 << 20);
    printf("calloc(16 MiB): %s, zero: %s\n", c ? "ok" : "NULL",
           c && all_zero(c, 16 << 20) ? "yes" : "no");
    free(c);
    return 0;
}
