/*
 * VMA table and demand paging. The table is a sorted array: workloads here have tens
 * to a few thousand areas, and lookups dominate, so a binary search over an array
 * beats a tree in code size and in cache use. Each process has its own (struct mm);
 * it starts with room for 32 areas, a 2 KiB block of kmalloc's slabs, which is what
 * a small program maps, and doubles when full.
 */
#include "mm/mm.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "arch/x86/arch.h"
#include "fs/file.h"
#include "fs/fs_image.h"
#include "kernel/syscall.h"
#include "kernel/process.h"
#include "mm/kmalloc.h"
#include "arch/x86/paging.h"

#define FIRST_VMAS   32
#define FAULT_AROUND 16 /* pages mapped per anonymous fault, an aligned block */

static enum fault_failure last_failure;

struct mm *mm_create(u64 pgd)
{
    struct mm *mm = kmalloc(sizeof(*mm));
    if (!mm)
        return NULL;
    mm->vmas = kmalloc(FIRST_VMAS * sizeof(*mm->vmas));
    if (!mm->vmas) {
        kfree(mm);
        return NULL;
    }
    mm->cap_vmas = FIRST_VMAS;
    mm->pgd = pgd;
    mm->users = mm->refs = 1;
    return mm;
}

void mm_ref(struct mm *mm)
{
    mm->refs++;
}

void mm_unref(struct mm *mm)
{
    if (--mm->refs)
        return;
    if (mm->pgd != paging_boot_root()) /* the monitor's, in the image's memory */
        page_free(mm->pgd);
    kfree(mm);
}

void mm_release(struct mm *mm)
{
    if (--mm->users == 0) {
        unmap_range(mm->pgd, 0, CL_USER_TOP);
        paging_free_tables(mm->pgd, false);
        for (unsigned i = 0; i < mm->nr_vmas; i++)
            if (mm->vmas[i].file)
                file_put(mm->vmas[i].file);
        kfree(mm->vmas);
        mm->vmas = NULL;
        mm->nr_vmas = mm->cap_vmas = 0;
    }
    mm_unref(mm);
}

/* Fork's copy of one PTE: a private page becomes shared and write-protected in both
 * address spaces, or is copied when its count is full; a file's page stays the file's. */
struct clone_args {
    u64 child_root;
    bool failed;
    u64 table_va; /* the 2 MiB the child's page table below covers, or 1 for none */
    u64 *table;   /* that page table, so that a run of pages costs one lookup */
};

/* The child's PTE for va: the last page table found serves the next 511 pages. */
static u64 *child_pte(struct clone_args *a, u64 va)
{
    u64 base = va & ~((512 * PAGE_SIZE) - 1);
    if (a->table_va != base) {
        u64 *first = pte_lookup(a->child_root, base, true);
        if (!first)
            return NULL;
        a->table = first;
        a->table_va = base;
    }
    return &a->table[(va >> 12) & 511];
}

static void clone_pte(u64 va, u64 *pte, void *ctx)
{
    struct clone_args *a = ctx;
    if (a->failed)
        return;
    u64 *dst = child_pte(a, va);
    if (!dst) {
        a->failed = true;
        return;
    }
    u64 gpa = *pte & PTE_ADDR_MASK;
    if (*pte & PTE_CACHE) {
        *dst = *pte;
        return;
    }
    if (page_share(gpa)) {
        *pte = (*pte & ~PTE_W) | PTE_COW;
        *dst = *pte;
        return;
    }
    u64 copy = page_alloc();
    if (!copy) {
        a->failed = true;
        return;
    }
    memcpy(phys_to_virt(copy), phys_to_virt(gpa), PAGE_SIZE);
    *dst = copy | (*pte & ~PTE_ADDR_MASK);
}

struct mm *mm_clone(struct mm *parent)
{
    u64 root = paging_new_root();
    if (!root)
        return NULL;
    struct mm *mm = mm_create(root);
    if (!mm) {
        page_free(root);
        return NULL;
    }
    struct vma *vmas = krealloc(mm->vmas, parent->cap_vmas * sizeof(*vmas));
    if (!vmas) {
        mm_release(mm);
        return NULL;
    }
    mm->vmas = vmas;
    mm->cap_vmas = parent->cap_vmas;
    memcpy(mm->vmas, parent->vmas, parent->nr_vmas * sizeof(*vmas));
    mm->nr_vmas = parent->nr_vmas;
    for (unsigned i = 0; i < mm->nr_vmas; i++)
        if (mm->vmas[i].file)
            mm->vmas[i].file->refs++;
    mm->mmap_top = parent->mmap_top;
    mm->brk_base = parent->brk_base;
    mm->brk_cur = parent->brk_cur;
    struct clone_args a = {root, false, 1, NULL};
    for (unsigned i = 0; i < parent->nr_vmas && !a.failed; i++)
        paging_walk(parent->pgd, parent->vmas[i].start, parent->vmas[i].end, clone_pte, &a);
    /* the parent's pages are write-protected now: its TLBs must forget W */
    arch_flush_tlb(parent->pgd);
    if (a.failed) {
        mm_release(mm); /* what was shared loses its second owner again */
        return NULL;
    }
    return mm;
}

struct mm *mm_current(void)
{
    return current_process()->mm;
}

void mm_init(u64 mmap_top)
{
    mm_current()->mmap_top = mmap_top;
}

/* Room for one more area; false when the table is at MAX_VMAS or memory is out. */
static bool reserve_area(struct mm *mm)
{
    if (mm->nr_vmas < mm->cap_vmas)
        return true;
    if (mm->cap_vmas >= MAX_VMAS)
        return false;
    u32 cap = MIN(2 * mm->cap_vmas, (u32)MAX_VMAS);
    struct vma *grown = krealloc(mm->vmas, cap * sizeof(*grown));
    if (!grown)
        return false;
    mm->vmas = grown;
    mm->cap_vmas = cap;
    return true;
}

/* Index of the first area that ends above addr (nr_vmas if none). */
static unsigned first_ending_above(const struct mm *mm, u64 addr)
{
    unsigned lo = 0, hi = mm->nr_vmas;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (mm->vmas[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct vma *find_in(struct mm *mm, u64 addr)
{
    unsigned i = first_ending_above(mm, addr);
    if (i < mm->nr_vmas && mm->vmas[i].start <= addr)
        return &mm->vmas[i];
    return NULL;
}

struct vma *mm_find(u64 addr)
{
    return find_in(mm_current(), addr);
}

const struct vma *mm_area(unsigned i)
{
    return mm_area_of(mm_current(), i);
}

const struct vma *mm_area_of(const struct mm *mm, unsigned i)
{
    return i < mm->nr_vmas ? &mm->vmas[i] : NULL;
}

u64 mm_resident_pages(void)
{
    return mm_resident_pages_of(mm_current());
}

u64 mm_resident_pages_of(const struct mm *mm)
{
    u64 n = 0;
    for (unsigned i = 0; i < mm->nr_vmas; i++)
        for (u64 va = mm->vmas[i].start; va < mm->vmas[i].end; va += PAGE_SIZE) {
            u64 *pte = pte_lookup(mm->pgd, va, false);
            n += pte && (*pte & PTE_P);
        }
    return n;
}

static bool overlaps_in(const struct mm *mm, u64 start, u64 end)
{
    unsigned i = first_ending_above(mm, start);
    return i < mm->nr_vmas && mm->vmas[i].start < end;
}

bool mm_overlaps(u64 start, u64 end)
{
    return overlaps_in(mm_current(), start, end);
}

static bool insert_at(struct mm *mm, unsigned i, struct vma v)
{
    if (!reserve_area(mm))
        return false;
    memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nr_vmas - i) * sizeof(mm->vmas[0]));
    mm->vmas[i] = v;
    mm->nr_vmas++;
    return true;
}

static void remove_at(struct mm *mm, unsigned i)
{
    if (mm->vmas[i].file)
        file_put(mm->vmas[i].file);
    memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nr_vmas - i - 1) * sizeof(mm->vmas[0]));
    mm->nr_vmas--;
}

/* Splits areas so that start and end fall on area boundaries. */
static bool split_at(struct mm *mm, u64 addr)
{
    struct vma *v = find_in(mm, addr);
    if (!v || v->start == addr)
        return true;
    unsigned i = (unsigned)(v - mm->vmas);
    if (!reserve_area(mm))
        return false;
    v = &mm->vmas[i]; /* the table may have moved */
    struct vma upper = *v;
    upper.start = addr;
    upper.file_off += addr - v->start;
    v->end = addr;
    if (upper.file)
        upper.file->refs++;
    return insert_at(mm, i + 1, upper);
}

/* Removes the areas in [start, end) from the table only. */
static bool remove_areas(struct mm *mm, u64 start, u64 end)
{
    if (!split_at(mm, start) || !split_at(mm, end))
        return false;
    unsigned i = first_ending_above(mm, start);
    while (i < mm->nr_vmas && mm->vmas[i].start < end)
        remove_at(mm, i);
    return true;
}

static void unmap_in(struct mm *mm, u64 start, u64 len)
{
    u64 end = start + len;
    if (!overlaps_in(mm, start, end))
        return;
    unmap_range(mm->pgd, start, end);
    if (!remove_areas(mm, start, end)) {
        /* out of table slots while splitting: unmapped pages, areas kept, still safe */
    }
}

static int map_area(struct mm *mm, struct vma v)
{
    if (v.end < v.start || v.end > CL_USER_TOP || !IS_ALIGNED(v.start, PAGE_SIZE) ||
        !IS_ALIGNED(v.end, PAGE_SIZE))
        return -EINVAL;
    unmap_in(mm, v.start, v.end - v.start);
    if (!insert_at(mm, first_ending_above(mm, v.start), v))
        return -ENOMEM;
    if (v.file)
        v.file->refs++;
    return 0;
}

int mm_map(u64 start, u64 len, u32 prot, enum vma_kind kind)
{
    struct vma v = {start, start + len, prot, (u16)kind, 0, NULL, 0, NULL};
    return map_area(mm_current(), v);
}

int mm_map_file(u64 start, u64 len, u32 prot, struct file *f, u64 off, bool shared)
{
    struct vma v = {start, start + len, prot, VMA_FILE, shared, f, off, NULL};
    return map_area(mm_current(), v);
}

u64 mm_find_free(u64 len)
{
    const struct mm *mm = mm_current();
    u64 top = mm->mmap_top;
    /* walk areas from the top down, looking for a gap of len below top */
    for (unsigned i = mm->nr_vmas; i-- > 0;) {
        const struct vma *v = &mm->vmas[i];
        if (v->start >= top)
            continue;
        if (v->end <= top && top - v->end >= len)
            return top - len;
        top = MIN(top, v->start);
    }
    if (top >= MMAP_MIN_ADDR + len)
        return top - len;
    return 0;
}

void mm_unmap(u64 start, u64 len)
{
    unmap_in(mm_current(), start, len);
}

/* Whether every byte of [start, end) is in some area. */
static bool all_mapped(struct mm *mm, u64 start, u64 end)
{
    for (u64 a = start; a < end;) {
        struct vma *v = find_in(mm, a);
        if (!v)
            return false;
        a = v->end;
    }
    return true;
}

bool mm_inode_may_run(struct inode *node)
{
    size_t len;
    return image_fs_path(node, &len) != NULL;
}

bool mm_file_may_run(struct file *f)
{
    return f->inode && mm_inode_may_run(f->inode);
}

s64 mm_refuse_unmeasured(void)
{
    syscall_trace_note("not in the image: only measured code runs");
    return -EACCES;
}

int mm_protect(u64 start, u64 len, u32 prot)
{
    struct mm *mm = mm_current();
    u64 end = start + len;
    if (!all_mapped(mm, start, end))
        return -ENOMEM;
    for (u64 a = start; (prot & PROT_EXEC) && a < end;) {
        struct vma *v = find_in(mm, a);
        if (v->file && !mm_file_may_run(v->file))
            return (int)mm_refuse_unmeasured();
        a = v->end;
    }
    if (!split_at(mm, start) || !split_at(mm, end))
        return -ENOMEM;
    for (unsigned i = first_ending_above(mm, start); i < mm->nr_vmas && mm->vmas[i].start < end;
         i++) {
        struct vma *v = &mm->vmas[i];
        v->prot = prot;
        protect_range(mm->pgd, v->start, v->end, prot_to_pte(prot), v->file && !v->shared);
    }
    return 0;
}

int mm_discard(u64 start, u64 len)
{
    struct mm *mm = mm_current();
    u64 end = start + len;
    if (!all_mapped(mm, start, end))
        return -ENOMEM;
    unmap_range(mm->pgd, start, end);
    return 0;
}

static bool access_allowed(u32 prot, u32 access)
{
    if (access == ACCESS_WRITE)
        return prot & PROT_WRITE;
    if (access == ACCESS_EXEC)
        return prot & PROT_EXEC;
    return prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
}

static bool map_fresh_page(const struct mm *mm, u64 va, u64 flags)
{
    u64 *pte = pte_lookup(mm->pgd, va, true);
    if (!pte)
        return false;
    if (*pte & (PTE_P | PTE_HELD))
        return true;
    u64 page = page_alloc();
    if (!page)
        return false;
    *pte = page | flags;
    return true;
}

/* A file page at va: the file's own page (shared, or read-only private), or a private
 * copy of it (writable private). */
static bool map_file_page(const struct mm *mm, struct vma *v, u64 va, u64 flags)
{
    u64 *pte = pte_lookup(mm->pgd, va, true);
    if (!pte) {
        last_failure = FAULT_NO_MEMORY;
        return false;
    }
    if (*pte & (PTE_P | PTE_HELD))
        return true;
    s64 gpa = v->file->ops->page(v->file, (va - v->start + v->file_off) / PAGE_SIZE);
    if (gpa < 0) {
        last_failure = gpa == -ENOMEM ? FAULT_NO_MEMORY : FAULT_NO_FILE_PAGE;
        return false;
    }
    if (v->shared || !(v->prot & PROT_WRITE)) {
        *pte = (u64)gpa | flags | PTE_CACHE;
        return true;
    }
    u64 copy = page_alloc();
    if (!copy) {
        last_failure = FAULT_NO_MEMORY;
        return false;
    }
    memcpy(phys_to_virt(copy), phys_to_virt((u64)gpa), PAGE_SIZE);
    *pte = copy | flags;
    return true;
}

bool mm_unshare(u64 va)
{
    struct mm *mm = mm_current();
    va = ALIGN_DOWN(va, PAGE_SIZE);
    u64 *pte = pte_lookup(mm->pgd, va, false);
    if (!pte || !(*pte & PTE_COW))
        return true;
    u64 gpa = *pte & PTE_ADDR_MASK;
    struct vma *v = find_in(mm, va);
    u64 w = v && (v->prot & PROT_WRITE) ? PTE_W : 0; /* a forced write keeps it read-only */
    if (!page_is_shared(gpa)) {
        *pte = (*pte & ~PTE_COW) | w; /* the last owner takes the page as it is */
    } else {
        u64 copy = page_alloc();
        if (!copy) {
            last_failure = FAULT_NO_MEMORY;
            return false;
        }
        memcpy(phys_to_virt(copy), phys_to_virt(gpa), PAGE_SIZE);
        page_put(gpa);
        *pte = copy | (*pte & ~(PTE_ADDR_MASK | PTE_COW)) | w;
    }
    /* other threads of the process may hold the read-only translation */
    arch_flush_tlb_page(mm->pgd, va);
    return true;
}

bool mm_fault(u64 addr, u32 access)
{
    last_failure = FAULT_BAD_ACCESS;
    struct mm *mm = mm_current();
    struct vma *v = find_in(mm, addr);
    if (!v || !access_allowed(v->prot, access))
        return false;
    u64 va = ALIGN_DOWN(addr, PAGE_SIZE);
    u64 *pte = pte_lookup(mm->pgd, va, false);
    if (pte && (*pte & PTE_P) && (*pte & PTE_COW) && access == ACCESS_WRITE)
        return mm_unshare(va);
    if (pte && (*pte & PTE_P))
        /* Present now, though the access faulted. If the entry allows the access,
         * another CPU of this process mapped the page (or broke its copy-on-write)
         * between this fault and the kernel lock: two threads touching a new page of
         * code at once do that, so the access is retried (the fault itself dropped the
         * stale translation). Else it is a protection violation. */
        return (*pte & PTE_U) && (access == ACCESS_WRITE  ? (*pte & PTE_W) != 0
                                  : access == ACCESS_EXEC ? !(*pte & PTE_NX)
                                                          : true);
    u64 flags = prot_to_pte(v->prot);
    if (v->file)
        return map_file_page(mm, v, va, flags);
    if (!map_fresh_page(mm, va, flags)) {
        last_failure = FAULT_NO_MEMORY;
        return false;
    }
    /* fault around: the rest of the aligned block, within the area, while memory lasts */
    u64 block = ALIGN_DOWN(va, FAULT_AROUND * PAGE_SIZE);
    u64 lo = MAX(block, v->start), hi = MIN(block + FAULT_AROUND * PAGE_SIZE, v->end);
    if (page_alloc_free_count() > 4 * FAULT_AROUND) {
        for (u64 a = lo; a < hi; a += PAGE_SIZE)
            if (a != va && !map_fresh_page(mm, a, flags))
                break;
    }
    return true;
}

enum fault_failure mm_fault_failure(void)
{
    return last_failure;
}

void mm_set_brk_base(u64 base)
{
    struct mm *mm = mm_current();
    mm->brk_base = mm->brk_cur = base;
}

u64 mm_brk(u64 new_brk)
{
    struct mm *mm = mm_current();
    if (new_brk < mm->brk_base || new_brk >= CL_USER_TOP)
        return mm->brk_cur;
    u64 old_top = ALIGN_UP(mm->brk_cur, PAGE_SIZE), new_top = ALIGN_UP(new_brk, PAGE_SIZE);
    if (new_top > old_top) {
        if (overlaps_in(mm, old_top, new_top))
            return mm->brk_cur;
        struct vma *heap = old_top > mm->brk_base ? find_in(mm, old_top - 1) : NULL;
        if (heap && heap->kind == VMA_HEAP && heap->end == old_top)
            heap->end = new_top;
        else if (mm_map(old_top, new_top - old_top, PROT_READ | PROT_WRITE, VMA_HEAP) < 0)
            return mm->brk_cur;
    } else if (new_top < old_top) {
        unmap_in(mm, new_top, old_top - new_top);
    }
    mm->brk_cur = new_brk;
    return mm->brk_cur;
}

/* Moves the page-table entries of [from, from+len) to [to, to+len): the pages travel,
 * their contents are not copied. */
static bool move_ptes(const struct mm *mm, u64 from, u64 to, u64 len)
{
    for (u64 off = 0; off < len; off += PAGE_SIZE) {
        u64 *src = pte_lookup(mm->pgd, from + off, false);
        if (!src || !(*src & (PTE_P | PTE_HELD)))
            continue;
        u64 *dst = pte_lookup(mm->pgd, to + off, true);
        if (!dst)
            return false;
        src = pte_lookup(mm->pgd, from + off, false); /* tables may have been allocated */
        *dst = *src;
        *src = 0;
    }
    return true;
}

s64 mm_remap(u64 old, u64 old_size, u64 new_size, u32 flags, u64 new_addr)
{
    struct mm *mm = mm_current();
    struct vma *v = find_in(mm, old);
    if (!v || old + old_size > v->end)
        return -EFAULT;
    if (new_size <= old_size && !(flags & MREMAP_FIXED)) {
        unmap_in(mm, old + new_size, old_size - new_size);
        return (s64)old;
    }
    /* grow in place when the area ends here and the space after it is free */
    u64 grow_end = old + new_size;
    if (!(flags & MREMAP_FIXED) && v->end == old + old_size && grow_end <= CL_USER_TOP &&
        grow_end > old && !overlaps_in(mm, old + old_size, grow_end)) {
        v->end = grow_end;
        return (s64)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    /* a copy: unmapping at the destination may split areas and move the table */
    struct vma moved = *v;
    u64 dest = new_addr;
    if (flags & MREMAP_FIXED) {
        if (!IS_ALIGNED(dest, PAGE_SIZE) || dest + new_size < dest ||
            dest + new_size > CL_USER_TOP || dest < MMAP_MIN_ADDR ||
            (dest < old + old_size && old < dest + new_size))
            return -EINVAL;
        unmap_in(mm, dest, new_size);
    } else if (!(dest = mm_find_free(new_size))) {
        return -ENOMEM;
    }
    moved.file_off += old - moved.start;
    moved.start = dest;
    moved.end = dest + new_size;
    if (map_area(mm, moved) < 0 || !move_ptes(mm, old, dest, MIN(old_size, new_size)))
        return -ENOMEM;
    unmap_in(mm, old, old_size);
    arch_flush_tlb(mm->pgd);
    return (s64)dest;
}
