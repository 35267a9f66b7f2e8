/*
 * Mapping the vDSO into the workload: the vvar page (the clock parameters, filled at
 * boot) then the vDSO image, read-only, as one pseudo-file so that the ordinary
 * file-mapping code maps, unmaps and re-faults them.
 */
#include "vdso/vdso_map.h"
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "fs/file.h"
#include "lib/lib.h"
#include "mm/mm.h"
#include "arch/x86/paging.h"
#include "vdso/vvar.h"

extern const u8 vdso_blob[], vdso_blob_end[];

static u64 vvar_gpa;
static u64 vdso_pages;

static s64 vdso_page(struct file *f, u64 index)
{
    if (index == 0)
        return (s64)vvar_gpa;
    if (index > vdso_pages)
        return -EFAULT;
    /* the blob sits page-aligned in the shim's read-only data */
    return (s64)((u64)vdso_blob - CL_KERNEL_BASE + (index - 1) * PAGE_SIZE);
}

static const struct file_ops vdso_ops = {.page = vdso_page};

u64 vdso_map(void)
{
    vdso_pages = ALIGN_UP((u64)(vdso_blob_end - vdso_blob), PAGE_SIZE) / PAGE_SIZE;
    if (!vvar_gpa) {
        vvar_gpa = page_alloc();
        if (!vvar_gpa)
            return 0;
        struct vvar *v = phys_to_virt(vvar_gpa);
        clock_fill_vvar(v);
    }
    struct file *f = file_new(&vdso_ops, O_RDONLY, 0);
    if (!f)
        return 0;
    u64 size = (1 + vdso_pages) * PAGE_SIZE;
    u64 base = mm_find_free(size);
    int err = base ? mm_map_file(base, PAGE_SIZE, PROT_READ, f, 0, true) : -ENOMEM;
    if (!err)
        err = mm_map_file(base + PAGE_SIZE, vdso_pages * PAGE_SIZE, PROT_READ | PROT_EXEC, f,
                          PAGE_SIZE, true);
    file_put(f); /* the mappings hold it */
    if (err)
        return 0;
    mm_find(base)->kind = VMA_VVAR;
    mm_find(base + PAGE_SIZE)->kind = VMA_VDSO;
    /* map the pages now: a fault on the first clock read would cost more than the read */
    for (u64 i = 0; i < 1 + vdso_pages; i++)
        mm_fault(base + i * PAGE_SIZE, ACCESS_READ);
    return base + PAGE_SIZE;
}
