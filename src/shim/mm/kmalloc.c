/* Slab classes 32..2048 bytes; anything larger takes whole contiguous pages. Every
 * block carries a 16-byte header with its size, so kfree needs no size argument.
 *
 * The page allocator gives contiguous runs only from memory never used since boot, so
 * a large block is kept when freed, on a list by its page count, for the next one of
 * that size: a thread's kernel stack, task and FPU area (3-5 pages each) come back for
 * the next thread, and a workload that starts and ends threads all day does not use
 * up its memory. When single pages run out, the page allocator takes cached blocks
 * apart (kmalloc_reclaim), so nothing cached is lost to the workload. */
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "arch/x86/paging.h"

#define HDR       16
#define MIN_SHIFT 5
#define MAX_SHIFT 11
#define NCLASSES  (MAX_SHIFT - MIN_SHIFT + 1)

struct block {
    u64 size; /* usable bytes (class size - HDR), or pages*4096 - HDR for large */
    u64 large;
};

static void *free_lists[NCLASSES];

/* pages; larger blocks go back as single pages. 32 covers a pipe's 64 KiB buffer (17
 * pages with the header): at 16, every pipe took 17 pages of fresh memory for good, and
 * a shell script that made 3,000 pipes ran out of it (procs/image-build-pipeline) */
#define LARGE_CACHED_MAX 32
static void *large_lists[LARGE_CACHED_MAX + 1]; /* by page count; linked through word 0 */

static int class_of(size_t total)
{
    for (int c = 0; c < NCLASSES; c++)
        if (total <= (1ull << (MIN_SHIFT + c)))
            return c;
    return -1;
}

/* A block of `pages` cut from a larger cached one when fresh memory has no run left;
 * the rest stays cached as a block of its own size. NULL if none is larger. */
static struct block *split_cached(u64 pages)
{
    for (u64 k = pages + 1; k <= LARGE_CACHED_MAX; k++) {
        u8 *b = large_lists[k];
        if (!b)
            continue;
        large_lists[k] = *(void **)b;
        u8 *rest = b + pages * PAGE_SIZE;
        *(void **)rest = large_lists[k - pages];
        large_lists[k - pages] = rest;
        page_alloc_taken(pages); /* the rest is still counted free */
        memzero(b, pages * PAGE_SIZE);
        return (struct block *)b;
    }
    return NULL;
}

void *kmalloc(size_t n)
{
    size_t total = n + HDR;
    if (total < n)
        return NULL;
    int c = class_of(total);
    struct block *b;
    if (c >= 0) {
        size_t csize = 1ull << (MIN_SHIFT + c);
        if (!free_lists[c]) {
            u64 page = page_alloc();
            if (!page)
                return NULL;
            u8 *p = phys_to_virt(page);
            for (size_t off = 0; off + csize <= PAGE_SIZE; off += csize) {
                *(void **)(p + off) = free_lists[c];
                free_lists[c] = p + off;
            }
        }
        b = free_lists[c];
        free_lists[c] = *(void **)b;
        memzero(b, csize);
        b->size = csize - HDR;
        b->large = 0;
    } else {
        u64 pages = ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE;
        if (pages <= LARGE_CACHED_MAX && large_lists[pages]) {
            b = large_lists[pages];
            large_lists[pages] = *(void **)b;
            page_alloc_taken(pages);
            memzero(b, pages * PAGE_SIZE);
        } else {
            u64 gpa = page_alloc_contig(pages);
            b = gpa ? phys_to_virt(gpa) : split_cached(pages);
            if (!b)
                return NULL;
        }
        b->size = pages * PAGE_SIZE - HDR;
        b->large = pages;
    }
    return (u8 *)b + HDR;
}

void kfree(void *p)
{
    if (!p)
        return;
    struct block *b = (struct block *)((u8 *)p - HDR);
    if (b->large) {
        u64 pages = b->large;
        if (pages <= LARGE_CACHED_MAX) {
            *(void **)b = large_lists[pages];
            large_lists[pages] = b;
            page_alloc_given_back(pages); /* still free memory, as far as anyone asks */
            return;
        }
        u64 gpa = (u64)b - CL_PHYSMAP_BASE;
        for (u64 i = 0; i < pages; i++)
            page_free(gpa + i * PAGE_SIZE);
        return;
    }
    int c = class_of(b->size + HDR);
    *(void **)b = free_lists[c];
    free_lists[c] = b;
}

void *krealloc(void *p, size_t n)
{
    if (!p)
        return kmalloc(n);
    struct block *b = (struct block *)((u8 *)p - HDR);
    if (n <= b->size)
        return p;
    void *q = kmalloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, b->size);
    kfree(p);
    return q;
}

bool kmalloc_reclaim(void)
{
    for (u64 pages = LARGE_CACHED_MAX; pages > 0; pages--) {
        void *b = large_lists[pages];
        if (!b)
            continue;
        large_lists[pages] = *(void **)b;
        page_alloc_taken(pages);
        u64 gpa = (u64)b - CL_PHYSMAP_BASE;
        for (u64 i = 0; i < pages; i++)
            page_free(gpa + i * PAGE_SIZE);
        return true;
    }
    return false;
}
