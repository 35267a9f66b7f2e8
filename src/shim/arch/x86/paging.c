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
    u64 cr3;
    __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3)::"memory");
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

void unmap_range(u64 root, u64 start, u64 end)
{
    bool any = false;
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u64 *pte = pte_lookup(root, va, false);
        if (!pte || !(*pte & (PTE_P | PTE_HELD)))
            continue;
        if (!(*pte & PTE_CACHE))
            page_free(*pte & PTE_ADDR_MASK);
        *pte = 0;
        any = true;
    }
    if (any)
        arch_flush_tlb();
}

void protect_range(u64 root, u64 start, u64 end, u64 pte_flags, bool private_mapping)
{
    bool any = false;
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u64 *pte = pte_lookup(root, va, false);
        if (!pte || !(*pte & (PTE_P | PTE_HELD)))
            continue;
        if ((*pte & PTE_CACHE) && private_mapping && (pte_flags & PTE_W))
            *pte = 0; /* copy on the next write fault */
        else
            *pte = (*pte & (PTE_ADDR_MASK | PTE_CACHE)) | (pte_flags ? pte_flags : PTE_HELD);
        any = true;
    }
    if (any)
        arch_flush_tlb();
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
