/*
 * VMA table and demand paging. The table is a sorted array: workloads here have tens
 * to a few thousand areas, and lookups dominate, so a binary search over an array
 * beats a tree in code size and in cache use.
 */
#include "mm/mm.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "arch/x86/arch.h"
#include "fs/file.h"
#include "arch/x86/paging.h"

#define MAX_VMAS     8192
#define FAULT_AROUND 16 /* pages mapped per anonymous fault, an aligned block */

static struct vma vmas[MAX_VMAS];
static unsigned nr_vmas;
static u64 mmap_top_addr;
static u64 brk_base, brk_cur;
static enum fault_failure last_failure;

void mm_init(u64 mmap_top)
{
    mmap_top_addr = mmap_top;
}

/* Index of the first area that ends above addr (nr_vmas if none). */
static unsigned first_ending_above(u64 addr)
{
    unsigned lo = 0, hi = nr_vmas;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (vmas[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct vma *mm_find(u64 addr)
{
    unsigned i = first_ending_above(addr);
    if (i < nr_vmas && vmas[i].start <= addr)
        return &vmas[i];
    return NULL;
}

const struct vma *mm_area(unsigned i)
{
    return i < nr_vmas ? &vmas[i] : NULL;
}

u64 mm_resident_pages(void)
{
    u64 n = 0;
    for (unsigned i = 0; i < nr_vmas; i++)
        for (u64 va = vmas[i].start; va < vmas[i].end; va += PAGE_SIZE) {
            u64 *pte = pte_lookup(va, false);
            n += pte && (*pte & PTE_P);
        }
    return n;
}

bool mm_overlaps(u64 start, u64 end)
{
    unsigned i = first_ending_above(start);
    return i < nr_vmas && vmas[i].start < end;
}

static bool insert_at(unsigned i, struct vma v)
{
    if (nr_vmas == MAX_VMAS)
        return false;
    memmove(&vmas[i + 1], &vmas[i], (nr_vmas - i) * sizeof(vmas[0]));
    vmas[i] = v;
    nr_vmas++;
    return true;
}

static void remove_at(unsigned i)
{
    if (vmas[i].file)
        file_put(vmas[i].file);
    memmove(&vmas[i], &vmas[i + 1], (nr_vmas - i - 1) * sizeof(vmas[0]));
    nr_vmas--;
}

/* Splits areas so that start and end fall on area boundaries. */
static bool split_at(u64 addr)
{
    struct vma *v = mm_find(addr);
    if (!v || v->start == addr)
        return true;
    struct vma upper = *v;
    upper.start = addr;
    upper.file_off += addr - v->start;
    if (nr_vmas == MAX_VMAS)
        return false;
    v->end = addr;
    if (upper.file)
        upper.file->refs++;
    return insert_at((unsigned)(v - vmas) + 1, upper);
}

/* Removes the areas in [start, end) from the table only. */
static bool remove_areas(u64 start, u64 end)
{
    if (!split_at(start) || !split_at(end))
        return false;
    unsigned i = first_ending_above(start);
    while (i < nr_vmas && vmas[i].start < end)
        remove_at(i);
    return true;
}

static int map_area(struct vma v)
{
    if (v.end < v.start || v.end > CL_USER_TOP || !IS_ALIGNED(v.start, PAGE_SIZE) ||
        !IS_ALIGNED(v.end, PAGE_SIZE))
        return -EINVAL;
    mm_unmap(v.start, v.end - v.start);
    if (!insert_at(first_ending_above(v.start), v))
        return -ENOMEM;
    if (v.file)
        v.file->refs++;
    return 0;
}

int mm_map(u64 start, u64 len, u32 prot, enum vma_kind kind)
{
    struct vma v = {start, start + len, prot, (u16)kind, 0, NULL, 0, NULL};
    return map_area(v);
}

int mm_map_file(u64 start, u64 len, u32 prot, struct file *f, u64 off, bool shared)
{
    struct vma v = {start, start + len, prot, VMA_FILE, shared, f, off, NULL};
    return map_area(v);
}

u64 mm_find_free(u64 len)
{
    u64 top = mmap_top_addr;
    /* walk areas from the top down, looking for a gap of len below top */
    for (unsigned i = nr_vmas; i-- > 0;) {
        if (vmas[i].start >= top)
            continue;
        if (vmas[i].end <= top && top - vmas[i].end >= len)
            return top - len;
        top = MIN(top, vmas[i].start);
    }
    if (top >= MMAP_MIN_ADDR + len)
        return top - len;
    return 0;
}

void mm_unmap(u64 start, u64 len)
{
    u64 end = start + len;
    if (!mm_overlaps(start, end))
        return;
    unmap_range(start, end);
    if (!remove_areas(start, end)) {
        /* out of table slots while splitting: unmapped pages, areas kept, still safe */
    }
}

int mm_protect(u64 start, u64 len, u32 prot)
{
    u64 end = start + len;
    /* the whole range must be mapped */
    for (u64 a = start; a < end;) {
        struct vma *v = mm_find(a);
        if (!v)
            return -ENOMEM;
        a = v->end;
    }
    if (!split_at(start) || !split_at(end))
        return -ENOMEM;
    for (unsigned i = first_ending_above(start); i < nr_vmas && vmas[i].start < end; i++) {
        vmas[i].prot = prot;
        protect_range(vmas[i].start, vmas[i].end, prot_to_pte(prot),
                      vmas[i].file && !vmas[i].shared);
    }
    return 0;
}

int mm_discard(u64 start, u64 len)
{
    u64 end = start + len;
    for (u64 a = start; a < end;) {
        struct vma *v = mm_find(a);
        if (!v)
            return -ENOMEM;
        a = v->end;
    }
    unmap_range(start, end);
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

static bool map_fresh_page(u64 va, u64 flags)
{
    u64 *pte = pte_lookup(va, true);
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
static bool map_file_page(struct vma *v, u64 va, u64 flags)
{
    u64 *pte = pte_lookup(va, true);
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

bool mm_fault(u64 addr, u32 access)
{
    last_failure = FAULT_BAD_ACCESS;
    struct vma *v = mm_find(addr);
    if (!v || !access_allowed(v->prot, access))
        return false;
    u64 va = ALIGN_DOWN(addr, PAGE_SIZE);
    u64 *pte = pte_lookup(va, false);
    if (pte && (*pte & PTE_P))
        return false; /* present, yet the access faulted: a protection violation */
    u64 flags = prot_to_pte(v->prot);
    if (v->file)
        return map_file_page(v, va, flags);
    if (!map_fresh_page(va, flags)) {
        last_failure = FAULT_NO_MEMORY;
        return false;
    }
    /* fault around: the rest of the aligned block, within the area, while memory lasts */
    u64 block = ALIGN_DOWN(va, FAULT_AROUND * PAGE_SIZE);
    u64 lo = MAX(block, v->start), hi = MIN(block + FAULT_AROUND * PAGE_SIZE, v->end);
    if (page_alloc_free_count() > 4 * FAULT_AROUND) {
        for (u64 a = lo; a < hi; a += PAGE_SIZE)
            if (a != va && !map_fresh_page(a, flags))
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
    brk_base = brk_cur = base;
}

u64 mm_brk(u64 new_brk)
{
    if (new_brk < brk_base || new_brk >= CL_USER_TOP)
        return brk_cur;
    u64 old_top = ALIGN_UP(brk_cur, PAGE_SIZE), new_top = ALIGN_UP(new_brk, PAGE_SIZE);
    if (new_top > old_top) {
        if (mm_overlaps(old_top, new_top))
            return brk_cur;
        struct vma *heap = old_top > brk_base ? mm_find(old_top - 1) : NULL;
        if (heap && heap->kind == VMA_HEAP && heap->end == old_top)
            heap->end = new_top;
        else if (mm_map(old_top, new_top - old_top, PROT_READ | PROT_WRITE, VMA_HEAP) < 0)
            return brk_cur;
    } else if (new_top < old_top) {
        mm_unmap(new_top, old_top - new_top);
    }
    brk_cur = new_brk;
    return brk_cur;
}

/* Moves the page-table entries of [from, from+len) to [to, to+len): the pages travel,
 * their contents are not copied. */
static bool move_ptes(u64 from, u64 to, u64 len)
{
    for (u64 off = 0; off < len; off += PAGE_SIZE) {
        u64 *src = pte_lookup(from + off, false);
        if (!src || !(*src & (PTE_P | PTE_HELD)))
            continue;
        u64 *dst = pte_lookup(to + off, true);
        if (!dst)
            return false;
        src = pte_lookup(from + off, false); /* tables may have been allocated */
        *dst = *src;
        *src = 0;
    }
    return true;
}

s64 mm_remap(u64 old, u64 old_size, u64 new_size, u32 flags, u64 new_addr)
{
    struct vma *v = mm_find(old);
    if (!v || old + old_size > v->end)
        return -EFAULT;
    if (new_size <= old_size && !(flags & MREMAP_FIXED)) {
        mm_unmap(old + new_size, old_size - new_size);
        return (s64)old;
    }
    /* grow in place when the area ends here and the space after it is free */
    u64 grow_end = old + new_size;
    if (!(flags & MREMAP_FIXED) && v->end == old + old_size && grow_end <= CL_USER_TOP &&
        grow_end > old && !mm_overlaps(old + old_size, grow_end)) {
        v->end = grow_end;
        return (s64)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    u64 dest = new_addr;
    if (flags & MREMAP_FIXED) {
        if (!IS_ALIGNED(dest, PAGE_SIZE) || dest + new_size < dest ||
            dest + new_size > CL_USER_TOP || dest < MMAP_MIN_ADDR ||
            (dest < old + old_size && old < dest + new_size))
            return -EINVAL;
        mm_unmap(dest, new_size);
    } else if (!(dest = mm_find_free(new_size))) {
        return -ENOMEM;
    }
    struct vma moved = *v;
    moved.start = dest;
    moved.end = dest + new_size;
    moved.file_off += old - v->start;
    if (map_area(moved) < 0 || !move_ptes(old, dest, MIN(old_size, new_size)))
        return -ENOMEM;
    mm_unmap(old, old_size);
    arch_flush_tlb();
    return (s64)dest;
}
