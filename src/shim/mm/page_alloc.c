/*
 * The physical page allocator: a bump pointer over memory never used since boot, and a
 * free list of pages given back.
 *
 * Why two sources: under --tee none and sim the monitor hands us RAM that it mapped
 * zero-filled and lazily, so a page never touched is already zero and costs nothing
 * to hand out; only recycled pages must be cleared. (A real TEE's fresh pages are not
 * known to be zero; that backend will clear them too.) The free list is threaded
 * through the free pages themselves.
 */
#include "arch/x86/paging.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"

static u64 fresh_next, fresh_end;
static u64 free_list; /* GPA of the first free page, 0 if none */
static u64 free_count, total_pages;

/* Whether [gpa, gpa + n pages) covers the APIC's page, which is never RAM (abi.h). */
static bool covers_apic_page(u64 gpa, u64 n)
{
    return gpa <= CL_GPA_APIC_PAGE && CL_GPA_APIC_PAGE < gpa + n * PAGE_SIZE;
}

void page_alloc_init(u64 free_start, u64 mem_end)
{
    fresh_next = ALIGN_UP(free_start, PAGE_SIZE);
    fresh_end = ALIGN_DOWN(mem_end, PAGE_SIZE);
    total_pages = (fresh_end - fresh_next) / PAGE_SIZE;
    if (covers_apic_page(fresh_next, total_pages))
        total_pages--;
    free_count = total_pages;
}

/* Steps fresh_next past the APIC's page if the next n fresh pages would cover it; the
 * pages skipped below it (for a contiguous run) are given to the free list. */
static void skip_apic_page(u64 n)
{
    if (!covers_apic_page(fresh_next, n))
        return;
    for (; fresh_next < CL_GPA_APIC_PAGE; fresh_next += PAGE_SIZE) {
        u64 *page = phys_to_virt(fresh_next);
        page[0] = free_list;
        free_list = fresh_next;
    }
    fresh_next = CL_GPA_APIC_PAGE + PAGE_SIZE;
}

void page_alloc_given_back(u64 n)
{
    free_count += n;
}

void page_alloc_taken(u64 n)
{
    free_count -= n;
}

u64 page_alloc(void)
{
    if (!free_list && fresh_next >= fresh_end)
        kmalloc_reclaim(); /* the last pages may sit in kmalloc's cache of large blocks */
    if (free_list) {
        u64 gpa = free_list;
        u64 *page = phys_to_virt(gpa);
        free_list = page[0];
        free_count--;
        memzero(page, PAGE_SIZE);
        return gpa;
    }
    skip_apic_page(1);
    if (fresh_next >= fresh_end)
        return 0;
    u64 gpa = fresh_next;
    fresh_next += PAGE_SIZE;
    free_count--;
    return gpa;
}

u64 page_alloc_contig(u64 n)
{
    skip_apic_page(n);
    if (n == 0 || fresh_next >= fresh_end || n > (fresh_end - fresh_next) / PAGE_SIZE)
        return 0;
    u64 gpa = fresh_next;
    fresh_next += n * PAGE_SIZE;
    free_count -= n;
    return gpa;
}

void page_free(u64 gpa)
{
    u64 *page = phys_to_virt(gpa);
    page[0] = free_list;
    free_list = gpa;
    free_count++;
}

u64 page_alloc_free_count(void)
{
    return free_count;
}

u64 page_alloc_total(void)
{
    return total_pages;
}

/* Copy-on-write owners (paging.h): one u16 per page of RAM, taken from fresh memory at
 * boot, which is zero: every page starts with one owner. 2 bytes per 4 KiB page, 0.05%
 * of RAM (docs/processes.md). */
static u16 *page_refs;
static u64 page_refs_count;

void page_refs_init(u64 mem_end)
{
    page_refs_count = mem_end / PAGE_SIZE;
    u64 pages = ALIGN_UP(page_refs_count * sizeof(u16), PAGE_SIZE) / PAGE_SIZE;
    u64 gpa = page_alloc_contig(pages);
    if (!gpa)
        return; /* fork then copies every page: page_share says no */
    page_refs = phys_to_virt(gpa);
}

static u16 *ref_of(u64 gpa)
{
    u64 i = gpa / PAGE_SIZE;
    return page_refs && i < page_refs_count ? &page_refs[i] : NULL;
}

bool page_share(u64 gpa)
{
    u16 *r = ref_of(gpa);
    if (!r || *r == 0xffff)
        return false;
    (*r)++;
    return true;
}

void page_put(u64 gpa)
{
    u16 *r = ref_of(gpa);
    if (r && *r) {
        (*r)--;
        return;
    }
    page_free(gpa);
}

bool page_is_shared(u64 gpa)
{
    u16 *r = ref_of(gpa);
    return r && *r;
}
