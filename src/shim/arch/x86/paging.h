/*
 * Physical pages and page tables.
 *
 * Every guest-physical address the shim uses is reachable at CL_PHYSMAP_BASE + GPA
 * (phys_to_virt). The kernel half of the address space is built by the monitor before
 * boot and never changes, except for the user-access bit of its top-level entries
 * (paging_kernel_user_access, for PVM mode). The user half belongs to the workload: a
 * process's page-table root (the GPA of its PML4, struct mm's pgd) is the argument of
 * every function below that walks it. The first process's root is the boot root.
 */
#ifndef SHIM_PAGING_H
#define SHIM_PAGING_H

#include "lib/types.h"
#include <cloister/abi.h>

#define PTE_P         0x1ull
#define PTE_W         0x2ull
#define PTE_U         0x4ull
#define PTE_A         0x20ull
#define PTE_D         0x40ull
#define PTE_PS        0x80ull
#define PTE_HELD      0x200ull /* software bit: a page is held here, PROT_NONE (P=0) */
#define PTE_CACHE     0x400ull /* software bit: the page is a file's, not this mapping's */
#define PTE_COW       0x800ull /* software bit: shared since a fork; W clear until a write copies */
#define PTE_NX        (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PAGE_SIZE 4096ull

static inline void *phys_to_virt(u64 gpa)
{
    return (void *)(CL_PHYSMAP_BASE + gpa);
}

/* Page allocator over the RAM above the shim. Returns 0 when memory is exhausted. */
void page_alloc_init(u64 free_start, u64 mem_end);
u64 page_alloc(void); /* a zeroed page */
/* n physically contiguous zeroed pages, from memory never used before; 0 if none. */
u64 page_alloc_contig(u64 n);
void page_free(u64 gpa);
u64 page_alloc_free_count(void);
/* kmalloc's cache of large blocks counts as free memory: n pages went into it, or came
 * out of it (mm/kmalloc.c). */
void page_alloc_given_back(u64 n);
void page_alloc_taken(u64 n);
u64 page_alloc_total(void);

/*
 * Pages shared between address spaces since a fork (copy-on-write, docs/processes.md):
 * a u16 per page of RAM counts the owners beyond the first, so 0 (fresh memory) is one
 * owner. page_share adds an owner (false when the count is full: copy instead);
 * page_put drops one, freeing the page with its last.
 */
void page_refs_init(u64 mem_end);
bool page_share(u64 gpa);
void page_put(u64 gpa);
bool page_is_shared(u64 gpa);

/* Sets or clears the user bit of the kernel half's top-level entries. Ring 0 only. */
void paging_kernel_user_access(bool on);
/* The root the monitor built (its PML4 at CL_GPA_PAGE_TABLES), which every CPU starts
 * on: the first process's. */
u64 paging_boot_root(void);
/* A new root with no user mappings, sharing the shim's half with every other: its
 * upper 256 top-level entries are the boot root's. 0 without memory. */
u64 paging_new_root(void);
/* Frees root's user-half tables (their pages must be unmapped already) and, if
 * free_root, the root itself. */
void paging_free_tables(u64 root, bool free_root);

/* Calls fn on every PTE under root for [start, end) that has a page (present or
 * PTE_HELD), skipping whole tables that are absent; fn may change *pte. */
typedef void (*pte_fn)(u64 va, u64 *pte, void *ctx);
void paging_walk(u64 root, u64 start, u64 end, pte_fn fn, void *ctx);

/*
 * The user half under root. The PTE of va, allocating the tables down to it if create
 * is set; NULL if there is none (or no memory). va must be below CL_USER_TOP.
 */
u64 *pte_lookup(u64 root, u64 va, bool create);
/* Removes the translations of [start, end), freeing the pages (a shared one loses an
 * owner); flushes the TLB. */
void unmap_range(u64 root, u64 start, u64 end);
/* Rewrites the permission bits of present pages in [start, end); flushes the TLB. In a
 * private mapping, a file's page that would become writable is dropped instead, so the
 * next write faults and takes a private copy. */
void protect_range(u64 root, u64 start, u64 end, u64 pte_flags, bool private_mapping);
/* The PTE flags for PROT_* bits. */
u64 prot_to_pte(u32 prot);

#endif
