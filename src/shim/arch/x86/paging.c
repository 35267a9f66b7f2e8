/*
 * The user half of the page tables (4-level, 4 KiB pages), and the user-access switch
 * of the kernel half for PVM mode.
 */
#include "arch/x86/paging.h"
#include "arch/x86/arch.h"
#include "lib/lib.h"

u64 paging_boot_root(void)
{
    return CL_GPA_PAGE_TABLES; /* the monitor puts the PML4 first */
}

static unsigned pml4_index(u64 va)
{
    return (va >> 39) & 511;
}

void paging_kernel_user_access(bool on)
{
    /* The kernel half's top-level entries the monitor creates (image/boot_page_tables.c):
     * the physmap, one slot for the whole 39-bit map (abi.h), and the kernel image. */
    const u64 vas[] = {CL_PHYSMAP_BASE, CL_KERNEL_BASE};
    u64 *top = phys_to_virt(paging_boot_root());
    for (unsigned i = 0; i < ARRAY_SIZE(vas); i++) {
        u64 *e = &top[pml4_index(vas[i])];
        if (*e & PTE_P)
            *e = on ? (*e | PTE_U) : (*e & ~PTE_U);
    }
    arch_flush_tlb_local();
}

u64 *pte_lookup(u64 root, u64 va, bool create)
{
    if (va >= CL_USER_TOP)
        return NULL;
    u64 *table = phys_to_virt(root);
    for (int shift = 39; shift > 12; shift -= 9) {
        u64 *e = &table[(va >> shift) & 511];
        if (!(*e & PTE_P)) {
            if (!create)
                return NULL;
            u64 page = page_alloc();
            if (!page)
                return NULL;
            *e = page | PTE_P | PTE_W | PTE_U;
        }
        table = phys_to_virt(*e & PTE_ADDR_MASK);
    }
    return &table[(va >> 12) & 511];
}

u64 paging_new_root(void)
{
    u64 root = page_alloc();
    if (!root)
        return 0;
    const u64 *boot = phys_to_virt(paging_boot_root());
    u64 *top = phys_to_virt(root);
    for (unsigned i = 256; i < 512; i++)
        top[i] = boot[i];
    return root;
}

/* Frees the table entry e points to and the tables below it: depth 3 for a PDPT (under
 * a PML4 entry), 2 for a page directory, 1 for a page table, whose entries are pages. */
static void free_table(u64 e, int depth)
{
    u64 *table = phys_to_virt(e & PTE_ADDR_MASK);
    if (depth > 1)
        for (unsigned i = 0; i < 512; i++)
            if (table[i] & PTE_P)
                free_table(table[i], depth - 1);
    page_free(e & PTE_ADDR_MASK);
}

void paging_free_tables(u64 root, bool free_root)
{
    u64 *top = phys_to_virt(root);
    for (unsigned i = 0; i < 256; i++) {
        if (top[i] & PTE_P)
            free_table(top[i], 3);
        top[i] = 0;
    }
    if (free_root)
        page_free(root);
}

/* The walk below one table entry covering [base, base + 2^(shift+9)). */
static void walk_table(u64 *table, int shift, u64 base, u64 start, u64 end, pte_fn fn, void *ctx)
{
    u64 span = 1ull << shift;
    unsigned first = start > base ? (unsigned)((start - base) >> shift) : 0;
    for (unsigned i = first; i < 512; i++) {
        u64 lo = base + i * span;
        if (lo >= end)
            break;
        u64 *e = &table[i];
        if (shift == 12) {
            if (*e & (PTE_P | PTE_HELD))
                fn(lo, e, ctx);
        } else if (*e & PTE_P) {
            walk_table(phys_to_virt(*e & PTE_ADDR_MASK), shift - 9, lo, start, end, fn, ctx);
        }
    }
}

void paging_walk(u64 root, u64 start, u64 end, pte_fn fn, void *ctx)
{
    if (end > CL_USER_TOP)
        end = CL_USER_TOP;
    if (start < end)
        walk_table(phys_to_virt(root), 39, 0, start, end, fn, ctx);
}

static void unmap_one(u64 va, u64 *pte, void *ctx)
{
    (void)va;
    if (!(*pte & PTE_CACHE))
        page_put(*pte & PTE_ADDR_MASK);
    *pte = 0;
    *(bool *)ctx = true;
}

void unmap_range(u64 root, u64 start, u64 end)
{
    bool any = false;
    paging_walk(root, start, end, unmap_one, &any);
    if (any)
        arch_flush_tlb(root);
}

struct protect_args {
    u64 flags;
    bool private_mapping, any;
};

static void protect_one(u64 va, u64 *pte, void *ctx)
{
    (void)va;
    struct protect_args *a = ctx;
    u64 flags = a->flags ? a->flags : PTE_HELD;
    if ((*pte & PTE_CACHE) && a->private_mapping && (a->flags & PTE_W))
        *pte = 0; /* copy on the next write fault */
    else if (*pte & PTE_COW)
        *pte = (*pte & (PTE_ADDR_MASK | PTE_COW)) | (flags & ~PTE_W); /* a write copies */
    else
        *pte = (*pte & (PTE_ADDR_MASK | PTE_CACHE)) | flags;
    a->any = true;
}

void protect_range(u64 root, u64 start, u64 end, u64 pte_flags, bool private_mapping)
{
    struct protect_args a = {pte_flags, private_mapping, false};
    paging_walk(root, start, end, protect_one, &a);
    if (a.any)
        arch_flush_tlb(root);
}

u64 prot_to_pte(u32 prot)
{
    if (!(prot & 7))
        return 0; /* PROT_NONE: not present */
    /* PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4; x86 cannot express write-only */
    u64 f = PTE_P | PTE_U;
    if (prot & 2)
        f |= PTE_W;
    if (!(prot & 4))
        f |= PTE_NX;
    return f;
}
