/*
 * Guest memory set-up: shim, page tables, arguments.
 *
 * The page tables map only the kernel half: the shim at CL_KERNEL_BASE and every GPA
 * it uses (RAM, doorbell, files) at CL_PHYSMAP_BASE + GPA, all with 2 MiB pages (PVM
 * faults on 1 GiB ones). Below the top level every entry carries the user bit, and the
 * top-level entries do not: so the kernel half is supervisor-only, and the shim can
 * open it to its own ring-3 code on PVM by flipping four top-level bits (arch.h).
 */
#include "vmm/boot_layout.h"

#include <string.h>

#include "vmm/shim_blob.h"

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

int load_shim(struct vm *vm, uint64_t *entry)
{
    size_t size = (size_t)(cl_shim_blob_end - cl_shim_blob);
    struct cl_shim_header h;
    if (size < sizeof(h))
        return vm_fail(vm, "embedded shim is truncated");
    memcpy(&h, cl_shim_blob, sizeof(h));
    if (h.magic != CL_SHIM_MAGIC || h.abi_version != CL_ABI_VERSION)
        return vm_fail(vm, "embedded shim has a bad header (ABI %u, expected %u)", h.abi_version,
                       CL_ABI_VERSION);
    if (h.load_gpa != CL_GPA_SHIM || h.file_size > size || h.mem_size > CL_SHIM_MAX_SIZE ||
        h.file_size > h.mem_size || h.entry < CL_KERNEL_BASE + CL_GPA_SHIM ||
        h.entry >= CL_KERNEL_BASE + CL_GPA_SHIM + h.file_size)
        return vm_fail(vm, "embedded shim has an inconsistent header");
    void *dst = gpa_ptr(vm, CL_GPA_SHIM, h.mem_size);
    if (!dst)
        return vm_fail(vm, "guest memory too small for the shim");
    memcpy(dst, cl_shim_blob, h.file_size);
    *entry = h.entry;
    return 0;
}

struct pt_builder {
    struct vm *vm;
    uint64_t next; /* next free page-table page */
    int failed;
};

static uint64_t *table_at(struct pt_builder *b, uint64_t gpa)
{
    return gpa_ptr(b->vm, gpa, CL_PAGE_SIZE);
}

static uint64_t new_table(struct pt_builder *b)
{
    if (b->next >= CL_GPA_PAGE_TABLES + CL_PAGE_TABLES_MAX * CL_PAGE_SIZE) {
        b->failed = 1;
        return 0;
    }
    uint64_t gpa = b->next;
    b->next += CL_PAGE_SIZE;
    memset(table_at(b, gpa), 0, CL_PAGE_SIZE);
    return gpa;
}

/* The next-level table under entry e, created if absent. */
static uint64_t *descend(struct pt_builder *b, uint64_t *e, uint64_t flags)
{
    if (!(*e & PTE_P)) {
        uint64_t t = new_table(b);
        if (!t)
            return NULL;
        *e = t | flags;
    }
    return table_at(b, *e & PTE_ADDR);
}

static void map_2m(struct pt_builder *b, uint64_t va, uint64_t gpa, uint64_t leaf_flags)
{
    uint64_t *pml4 = table_at(b, CL_GPA_PAGE_TABLES);
    uint64_t *pdpt = descend(b, &pml4[(va >> 39) & 511], PTE_P | PTE_W);
    uint64_t *pd = pdpt ? descend(b, &pdpt[(va >> 30) & 511], PTE_P | PTE_W | PTE_U) : NULL;
    if (pd)
        pd[(va >> 21) & 511] = gpa | PTE_P | PTE_U | PTE_PS | leaf_flags;
}

static void map_range(struct pt_builder *b, uint64_t va, uint64_t gpa, uint64_t size,
                      uint64_t flags)
{
    for (uint64_t off = 0; off < size && !b->failed; off += CL_LARGE_PAGE)
        map_2m(b, va + off, gpa + off, flags);
}

int build_page_tables(struct vm *vm, uint64_t *cr3)
{
    struct pt_builder b = {vm, CL_GPA_PAGE_TABLES, 0};
    new_table(&b); /* the PML4 */
    uint64_t kernel_span = vm->mem_size < GIB ? vm->mem_size : GIB;
    map_range(&b, CL_KERNEL_BASE, 0, kernel_span, PTE_W | PTE_G);
    map_range(&b, CL_PHYSMAP_BASE, 0, vm->mem_size, PTE_W | PTE_NX);
    map_range(&b, CL_PHYSMAP_BASE + CL_GPA_DOORBELL, CL_GPA_DOORBELL, CL_LARGE_PAGE,
              PTE_W | PTE_NX | PTE_PCD | PTE_PWT);
    if (vm->files_size)
        map_range(&b, CL_PHYSMAP_BASE + CL_GPA_FILES, CL_GPA_FILES, vm->files_size, PTE_NX);
    if (b.failed)
        return vm_fail(vm, "boot page tables do not fit (too much memory or file data)");
    *cr3 = CL_GPA_PAGE_TABLES;
    return 0;
}

int write_args(struct vm *vm, struct cl_boot_info *bi, int argc, char *const *argv, int envc,
               char *const *envp)
{
    char *area = gpa_ptr(vm, CL_GPA_ARGS, CL_ARGS_SIZE);
    uint64_t used = 0;
    for (int i = 0; i < argc + envc; i++) {
        const char *s = i < argc ? argv[i] : envp[i - argc];
        size_t n = strlen(s) + 1;
        if (n > CL_ARGS_SIZE - used)
            return vm_fail(vm, "arguments and environment exceed %llu bytes",
                           (unsigned long long)CL_ARGS_SIZE);
        memcpy(area + used, s, n);
        used += n;
    }
    bi->argc = (uint32_t)argc;
    bi->envc = (uint32_t)envc;
    bi->args_size = used;
    return 0;
}
