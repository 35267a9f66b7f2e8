/*
 * Boot page tables.
 *
 * They map only the kernel half: the first GiB of RAM at CL_KERNEL_BASE (where the shim
 * is linked) and every GPA the guest uses (RAM, doorbell, files) at CL_PHYSMAP_BASE +
 * GPA, all with 2 MiB pages (PVM faults on 1 GiB ones). The whole guest-physical map
 * lies below 2^39 (abi.h), so the physmap is one top-level entry. Below the top level
 * every entry carries the user bit and the top-level entries do not: the kernel half is
 * supervisor-only, and the shim can open it to its own ring-3 code on PVM by flipping
 * the top-level bits (src/shim/arch/x86/arch.h).
 */
#include "launch/boot_page_tables.h"

#include <string.h>

#define PTE_P    0x1ull
#define PTE_W    0x2ull
#define PTE_U    0x4ull
#define PTE_PWT  0x8ull
#define PTE_PCD  0x10ull
#define PTE_PS   0x80ull
#define PTE_G    0x100ull
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define GIB      (1ull << 30)

struct builder {
    uint8_t *pages;
    unsigned used;
    int failed;
};

static uint64_t *table(struct builder *b, uint64_t gpa)
{
    return (uint64_t *)(b->pages + (gpa - CL_GPA_PAGE_TABLES));
}

static uint64_t new_table(struct builder *b)
{
    if (b->used == CL_PAGE_TABLES_MAX) {
        b->failed = 1;
        return 0;
    }
    uint64_t gpa = CL_GPA_PAGE_TABLES + (uint64_t)b->used++ * CL_PAGE_SIZE;
    memset(table(b, gpa), 0, CL_PAGE_SIZE);
    return gpa;
}

/* The next-level table under entry e, created if absent. */
static uint64_t *descend(struct builder *b, uint64_t *e, uint64_t flags)
{
    if (!(*e & PTE_P)) {
        uint64_t t = new_table(b);
        if (!t)
            return NULL;
        *e = t | flags;
    }
    return table(b, *e & PTE_ADDR);
}

static void map_range(struct builder *b, uint64_t va, uint64_t gpa, uint64_t size,
                      uint64_t leaf_flags)
{
    for (uint64_t off = 0; off < size && !b->failed; off += CL_LARGE_PAGE) {
        uint64_t v = va + off;
        uint64_t *pml4 = table(b, CL_GPA_PAGE_TABLES);
        uint64_t *pdpt = descend(b, &pml4[(v >> 39) & 511], PTE_P | PTE_W);
        uint64_t *pd = pdpt ? descend(b, &pdpt[(v >> 30) & 511], PTE_P | PTE_W | PTE_U) : NULL;
        if (pd)
            pd[(v >> 21) & 511] = (gpa + off) | PTE_P | PTE_U | PTE_PS | leaf_flags;
    }
}

unsigned boot_page_tables_build(uint64_t mem_size, uint64_t files_size, uint8_t *pages)
{
    struct builder b = {pages, 0, 0};
    new_table(&b); /* the PML4 */
    map_range(&b, CL_KERNEL_BASE, 0, mem_size < GIB ? mem_size : GIB, PTE_W | PTE_G);
    map_range(&b, CL_PHYSMAP_BASE, 0, mem_size, PTE_W | PTE_NX);
    map_range(&b, CL_PHYSMAP_BASE + CL_GPA_DOORBELL, CL_GPA_DOORBELL, CL_LARGE_PAGE,
              PTE_W | PTE_NX | PTE_PCD | PTE_PWT);
    if (files_size)
        map_range(&b, CL_PHYSMAP_BASE + CL_GPA_FILES, CL_GPA_FILES, files_size, PTE_NX);
    return b.failed ? 0 : b.used;
}
