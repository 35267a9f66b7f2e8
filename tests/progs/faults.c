/*
 * Dies the way its argument says: each kind is a fault Linux reports with a signal.
 * It prints the kind first (flushed), so the harness also sees that output written
 * before a fault is not lost.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096

static void *map(int prot)
{
    void *p = mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

static int read_at(uintptr_t addr)
{
    return *(volatile int *)addr;
}

static void null_read(void)
{
    printf("read: %d\n", read_at(0));
}

static void guard_write(void)
{
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + PAGE, PAGE, PROT_NONE) != 0)
        exit(2);
    p[0] = 1; /* fine */
    *(volatile char *)(p + PAGE) = 1;
}

static void munmap_read(void)
{
    char *p = map(PROT_READ | PROT_WRITE);
    p[0] = 1;
    if (munmap(p, PAGE) != 0)
        exit(2);
    printf("read: %d\n", read_at((uintptr_t)p));
}

static void readonly_write(void)
{
    char *p = map(PROT_READ | PROT_WRITE);
    p[0] = 1;
    if (mprotect(p, PAGE, PROT_READ) != 0)
        exit(2);
    printf("still readable: %d\n", p[0]);
    fflush(stdout);
    *(volatile char *)p = 2;
}

static void noexec(void)
{
    unsigned char *p = map(PROT_READ | PROT_WRITE);
    p[0] = 0xc3; /* ret */
    ((void (*)(void))p)();
}

static void jump_null(void)
{
    void (*volatile f)(void) = 0;
    f();
}

static void ud2(void)
{
    __asm__ volatile("ud2");
}

static void int3(void)
{
    __asm__ volatile("int3");
}

static void div0(void)
{
    volatile int zero = 0, x = 7;
    printf("%d\n", x / zero);
}

static void kernel_read(void)
{
    printf("read: %d\n", read_at(0xffffffff80000000ul)); /* where the shim is linked */
}

static void physmap_read(void)
{
    printf("read: %d\n", read_at(0xffff888000800000ul)); /* the shim through the physmap */
}

static void jump_kernel(void)
{
    void (*volatile f)(void) = (void (*)(void))0xffffffff80800000ul; /* the shim's code */
    f();
}

static void noncanonical_read(void)
{
    printf("read: %d\n", read_at(0x8000000000000000ul));
}

static void privileged(void)
{
    __asm__ volatile("cli");
}

static void port_out(void)
{
    __asm__ volatile("outb %%al, %%dx" ::"a"(0), "d"(0x3f8));
}

static volatile int depth_limit = 1 << 30; /* far beyond any stack: keeps gcc quiet */

static int recurse(int n)
{
    volatile char frame[4096];
    frame[0] = (char)n;
    if (n >= depth_limit)
        return 0;
    return recurse(n + 1) + frame[0];
}

static void stack_overflow(void)
{
    printf("%d\n", recurse(0));
}

static void do_abort(void)
{
    abort();
}

static const struct {
    const char *name;
    void (*fn)(void);
} kinds[] = {
    {"null-read", null_read},
    {"guard-write", guard_write},
    {"munmap-read", munmap_read},
    {"readonly-write", readonly_write},
    {"noexec", noexec},
    {"jump-null", jump_null},
    {"ud2", ud2},
    {"int3", int3},
    {"div0", div0},
    {"kernel-read", kernel_read},
    {"physmap-read", physmap_read},
    {"jump-kernel", jump_kernel},
    {"noncanonical-read", noncanonical_read},
    {"privileged", privileged},
    {"port-out", port_out},
    {"stack-overflow", stack_overflow},
    {"abort", do_abort},
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc == 2 && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (!strcmp(argv[1], kinds[i].name)) {
            printf("fault: %s\n", kinds[i].name);
            fflush(stdout);
            kinds[i].fn();
            printf("survived %s\n", kinds[i].name);
            return 0;
        }
    }
    fprintf(stderr, "usage: faults KIND\n");
    return 2;
}
