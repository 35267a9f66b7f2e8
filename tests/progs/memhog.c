/*
 * Allocates memory and touches every page until something stops it: argv[1] "mmap"
 * (1 MiB anonymous mappings), "brk" (sbrk in 1 MiB steps) or "malloc". If an
 * allocation fails, it says after how many MiB and exits 3; otherwise the kernel (the
 * shim) must stop it when guest RAM runs out, as Linux's OOM killer would: SIGKILL.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STEP (1ul << 20)
#define PAGE 4096ul

static void *grow(const char *how)
{
    if (!strcmp(how, "mmap")) {
        void *p = mmap(NULL, STEP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
    }
    if (!strcmp(how, "brk")) {
        void *p = sbrk((intptr_t)STEP);
        return p == (void *)-1 ? NULL : p;
    }
    return malloc(STEP);
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "mmap";
    for (unsigned long mib = 0;; mib++) {
        volatile unsigned char *p = grow(how);
        if (!p) {
            printf("%s: allocation failed after %lu MiB\n", how, mib);
            return 3;
        }
        for (unsigned long off = 0; off < STEP; off += PAGE)
            p[off] = 1;
    }
}
