/*
 * Memory system calls whose results must match Linux: MAP_FIXED over a mapping,
 * MAP_FIXED_NOREPLACE, mprotect, munmap, brk, madvise(MADV_DONTNEED), large
 * reservations, and the argument errors Linux reports. (The fatal cases, such as
 * touching unmapped memory, are in faults.c.) Prints facts, never addresses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE 4096ul
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW   (PROT_READ | PROT_WRITE)

static const char *yes(int c)
{
    return c ? "yes" : "no";
}

static const char *err(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EINVAL:
        return "EINVAL";
    case ENOMEM:
        return "ENOMEM";
    case EEXIST:
        return "EEXIST";
    case EFAULT:
        return "EFAULT";
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case ENOSYS:
        return "ENOSYS";
    default:
        return "other";
    }
}

static int filled(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

/* Prints "what: ok" or "what: failed, errno". */
static void report_map(const char *what, void *p, void *want)
{
    if (p == MAP_FAILED)
        printf("%s: MAP_FAILED, errno %s\n", what, err(errno));
    else if (want)
        printf("%s: %s\n", what, p == want ? "at the address asked" : "ELSEWHERE");
    else
        printf("%s: ok\n", what);
}

static unsigned char *map4(void)
{
    unsigned char *p = mmap(NULL, 4 * PAGE, RW, ANON, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmap: MAP_FAILED\n");
        _exit(1);
    }
    memset(p, 0xaa, 4 * PAGE);
    return p;
}

static void map_fixed_over(void)
{
    unsigned char *p = map4();
    void *q = mmap(p + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED, -1, 0);
    report_map("MAP_FIXED over the middle two of four pages", q, p + PAGE);
    printf("  replaced pages read zero: %s\n", yes(filled(p + PAGE, 2 * PAGE, 0)));
    printf("  first and last page kept their bytes: %s\n",
           yes(filled(p, PAGE, 0xaa) && filled(p + 3 * PAGE, PAGE, 0xaa)));
    munmap(p, 4 * PAGE);
}

static void map_fixed_noreplace(void)
{
    unsigned char *p = map4();
    errno = 0;
    void *q = mmap(p, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    report_map("MAP_FIXED_NOREPLACE on an occupied page", q, p);
    printf("  page kept its bytes: %s\n", yes(filled(p, PAGE, 0xaa)));
    munmap(p + 2 * PAGE, 2 * PAGE);
    errno = 0;
    q = mmap(p + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    report_map("MAP_FIXED_NOREPLACE half over a mapping", q, p + PAGE);
    errno = 0;
    q = mmap(p + 2 * PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    report_map("MAP_FIXED_NOREPLACE on a free range", q, p + 2 * PAGE);
    if (q != MAP_FAILED)
        printf("  reads zero: %s\n", yes(filled(q, 2 * PAGE, 0)));
    munmap(p, 4 * PAGE);
}

static void protect(void)
{
    unsigned char *p = map4();
    printf("mprotect(PROT_READ): %d\n", mprotect(p, 4 * PAGE, PROT_READ));
    printf("  still reads its bytes: %s\n", yes(filled(p, 4 * PAGE, 0xaa)));
    int none = mprotect(p, PAGE, PROT_NONE);
    int back = mprotect(p, PAGE, RW);
    printf("mprotect(PROT_NONE) then back to RW: %d %d\n", none, back);
    p[0] = 1;
    printf("  writable again, bytes kept: %s\n", yes(p[0] == 1 && filled(p + 1, PAGE - 1, 0xaa)));
    errno = 0;
    int r = syscall(SYS_mprotect, p + 1, PAGE, PROT_READ); /* musl's mprotect rounds */
    printf("mprotect(unaligned): %d %s\n", r, err(errno));
    munmap(p, 4 * PAGE);
    errno = 0;
    r = mprotect(p, PAGE, PROT_READ);
    printf("mprotect(unmapped range): %d %s\n", r, err(errno));
}

static void unmap(void)
{
    unsigned char *p = map4();
    printf("munmap(middle page): %d\n", munmap(p + PAGE, PAGE));
    printf("  neighbours kept their bytes: %s\n",
           yes(filled(p, PAGE, 0xaa) && filled(p + 2 * PAGE, 2 * PAGE, 0xaa)));
    printf("munmap(already unmapped page): %d\n", munmap(p + PAGE, PAGE));
    errno = 0;
    int r = munmap(p + 1, PAGE);
    printf("munmap(unaligned): %d %s\n", r, err(errno));
    errno = 0;
    r = munmap(p, 0);
    printf("munmap(length 0): %d %s\n", r, err(errno));
    printf("munmap(whole range with a hole): %d\n", munmap(p, 4 * PAGE));
}

static void map_errors(void)
{
    errno = 0;
    void *q = mmap(NULL, 0, RW, ANON, -1, 0);
    printf("mmap(length 0): %s %s\n", q == MAP_FAILED ? "MAP_FAILED" : "mapped", err(errno));
    errno = 0;
    q = mmap((void *)(0x10000000 + 1), PAGE, RW, ANON | MAP_FIXED, -1, 0);
    printf("mmap(MAP_FIXED, unaligned): %s %s\n", q == MAP_FAILED ? "MAP_FAILED" : "mapped",
           err(errno));
    errno = 0;
    q = mmap(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0);
    printf("mmap(neither private nor shared): %s %s\n", q == MAP_FAILED ? "MAP_FAILED" : "mapped",
           err(errno));
}

static void reserve(void)
{
    size_t size = 1ul << 30;
    unsigned char *p = mmap(NULL, size, PROT_NONE, ANON | MAP_NORESERVE, -1, 0);
    report_map("mmap(1 GiB, PROT_NONE, MAP_NORESERVE)", p, NULL);
    if (p != MAP_FAILED) {
        int first = mprotect(p, 1 << 20, RW);
        int last = mprotect(p + size - (1 << 20), 1 << 20, RW);
        printf("  mprotect first and last MiB RW: %d %d\n", first, last);
        p[0] = 1;
        p[size - 1] = 2;
        printf("  written and read back: %s\n", yes(p[0] == 1 && p[size - 1] == 2));
        printf("  munmap: %d\n", munmap(p, size));
    }
    p = mmap(NULL, size, RW, ANON | MAP_NORESERVE, -1, 0);
    report_map("mmap(1 GiB, RW, MAP_NORESERVE)", p, NULL);
    if (p != MAP_FAILED) {
        for (size_t off = 0; off < size; off += 64 << 20)
            p[off] = 3;
        printf("  one page in every 64 MiB touched: %s\n",
               yes(p[0] == 3 && p[size - (64 << 20)] == 3));
        printf("  munmap: %d\n", munmap(p, size));
    }
}

static void dontneed(void)
{
    unsigned char *p = map4();
    printf("madvise(MADV_DONTNEED, 2 pages): %d\n", madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED));
    printf("  those pages read zero: %s, the others kept their bytes: %s\n",
           yes(filled(p + PAGE, 2 * PAGE, 0)),
           yes(filled(p, PAGE, 0xaa) && filled(p + 3 * PAGE, PAGE, 0xaa)));
    p[PAGE] = 5;
    printf("  writable afterwards: %s\n", yes(p[PAGE] == 5));
    munmap(p, 4 * PAGE);
}

/*
 * brk through the raw system call (musl's brk() and sbrk(n) refuse to move it). The C
 * library may own the break too, so everything is put back before anything is printed.
 */
static void brk_growth(void)
{
    uintptr_t start = syscall(SYS_brk, 0);
    uintptr_t grown = syscall(SYS_brk, start + (1 << 20));
    int grew = grown == start + (1 << 20);
    int zero = grew && filled((unsigned char *)start, 1 << 20, 0);
    if (grew)
        memset((void *)start, 0x55, 1 << 20);
    uintptr_t shrunk = syscall(SYS_brk, start + PAGE);
    uintptr_t regrown = syscall(SYS_brk, start + 2 * PAGE);
    int regrow_zero = regrown == start + 2 * PAGE && filled((unsigned char *)start + PAGE, PAGE, 0);
    int kept = shrunk == start + PAGE && *(unsigned char *)start == 0x55;
    uintptr_t below = syscall(SYS_brk, start - (16 << 20));
    uintptr_t huge = syscall(SYS_brk, start + (1ul << 47));
    uintptr_t back = syscall(SYS_brk, start);

    printf("brk(0) then brk(+1 MiB) grows to exactly that: %s\n", yes(grew));
    printf("  new memory reads zero: %s\n", yes(zero));
    printf("brk shrink to +1 page: %s, first page kept: %s\n", yes(shrunk == start + PAGE),
           yes(kept));
    printf("brk regrow: released page reads zero again: %s\n", yes(regrow_zero));
    printf("brk below the start is refused (break unchanged): %s\n",
           yes(below == start + 2 * PAGE));
    printf("brk(+128 TiB, beyond user space) is refused (break unchanged): %s\n",
           yes(huge == start + 2 * PAGE));
    printf("brk back to the start: %s\n", yes(back == start));
}

int main(void)
{
    brk_growth();
    map_fixed_over();
    map_fixed_noreplace();
    protect();
    unmap();
    map_errors();
    dontneed();
    reserve();
    return 0;
}
