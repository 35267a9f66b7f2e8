/*
 * The workload's address space: a sorted table of areas (VMAs) and demand paging.
 *
 * Pages are allocated when first touched (mm_fault), a small aligned block at a time,
 * because each fault costs an exception (~20 us on PVM) and most programs touch
 * memory sequentially. PROT_NONE areas reserve address space and hold no pages.
 */
#ifndef SHIM_MM_H
#define SHIM_MM_H

#include "lib/types.h"

#define PROT_READ  1u
#define PROT_WRITE 2u
#define PROT_EXEC  4u

enum vma_kind { VMA_ANON, VMA_STACK, VMA_HEAP, VMA_ELF, VMA_FILE, VMA_VVAR, VMA_VDSO };

struct file;

struct vma {
    u64 start, end;
    u32 prot;
    u16 kind;
    u16 shared;        /* MAP_SHARED: writes reach the file */
    struct file *file; /* VMA_FILE: the file (a reference is held) and where start maps */
    u64 file_off;
    const char *name; /* VMA_ELF: the program's path, for /proc/self/maps */
};

/*
 * An address space: what a process's threads share of memory. Reached from struct
 * process (kernel/process.h); the functions below act on the current process's, since
 * a system call or a fault only ever changes its own caller's memory. The area array
 * grows by doubling up to MAX_VMAS; a struct vma pointer is good until the next call
 * that maps, unmaps or splits areas.
 */
struct mm {
    u64 pgd;          /* the page-table root: the GPA of its PML4 (arch/x86/paging.h) */
    u32 users;        /* processes on it: one, or two while a vfork child borrows it */
    u32 refs;         /* users and CPUs with pgd loaded: the root is freed with the last */
    struct vma *vmas; /* nr_vmas areas in address order, room for cap_vmas (kmalloc'd) */
    u32 nr_vmas, cap_vmas;
    u64 mmap_top; /* mm_find_free searches below it */
    u64 brk_base, brk_cur;
};

#define MAX_VMAS 8192

/* An address space with no areas, over the page-table root pgd; NULL without memory. */
struct mm *mm_create(u64 pgd);
/* The current process's address space. */
struct mm *mm_current(void);
/* A copy of parent for a forked child: the same areas, its private pages shared
 * copy-on-write (counted, write-protected in both), page tables copied. NULL without
 * memory. */
struct mm *mm_clone(struct mm *parent);
/* A process stops using mm (exit, exec): with its last user, every page and table of
 * the user half is freed, and the areas; the root waits for mm_unref. */
void mm_release(struct mm *mm);
/* A CPU loaded mm's root, or no longer has it (kernel/sched.c); the last reference
 * frees the root and the structure. */
void mm_ref(struct mm *mm);
void mm_unref(struct mm *mm);

/* what a fault wanted */
#define ACCESS_READ  0u
#define ACCESS_WRITE 1u
#define ACCESS_EXEC  2u

#define MMAP_MIN_ADDR 0x10000ull /* as Linux's vm.mmap_min_addr */

/* Sets the top of the current address space's mmap region (exec). */
void mm_init(u64 mmap_top);
struct vma *mm_find(u64 addr);
/* The i-th area in address order, NULL past the last (for /proc/PID/maps); _of: of
 * any process's address space, not the current one. */
const struct vma *mm_area(unsigned i);
const struct vma *mm_area_of(const struct mm *mm, unsigned i);
/* Pages mapped now (resident), for /proc's memory figures. */
u64 mm_resident_pages(void);
u64 mm_resident_pages_of(const struct mm *mm);
/* Does any area overlap [start, end)? */
bool mm_overlaps(u64 start, u64 end);
/* Maps [start, start+len) as a new area, replacing whatever was there. 0 or -errno. */
int mm_map(u64 start, u64 len, u32 prot, enum vma_kind kind);
/* The same for a file's pages from offset off (takes a reference on f). */
int mm_map_file(u64 start, u64 len, u32 prot, struct file *f, u64 off, bool shared);
/* A free range of len bytes, as high as possible below the mmap top; 0 if none. */
u64 mm_find_free(u64 len);
/* Unmaps [start, start+len) (areas and pages). */
void mm_unmap(u64 start, u64 len);
/* Whether a file may run or be mapped executable: only the image's may (only measured
 * code runs, docs/processes.md); a file written at run time may not. */
struct inode;
bool mm_inode_may_run(struct inode *node);
bool mm_file_may_run(struct file *f);
/* The answer when one may not: -EACCES, with the trace's line saying why. */
s64 mm_refuse_unmeasured(void);
/* Changes the protection of [start, start+len); -ENOMEM if any of it is unmapped, -EACCES
 * if PROT_EXEC is asked of a file that may not run. */
int mm_protect(u64 start, u64 len, u32 prot);
/* Drops the pages of [start, start+len), which then read as zero. */
int mm_discard(u64 start, u64 len);
/* A write is about to reach the page at va: if it is shared copy-on-write, the caller's
 * address space gets its own copy (or, the last owner, the page itself). false without
 * memory. */
bool mm_unshare(u64 va);
/* Resolves a fault at addr; false if the access is not allowed (a signal). */
bool mm_fault(u64 addr, u32 access);
/* Why the last mm_fault failed: a bad access (0), no memory, or a file page that does
 * not exist (past the end: SIGBUS on Linux). */
enum fault_failure { FAULT_BAD_ACCESS, FAULT_NO_MEMORY, FAULT_NO_FILE_PAGE };
enum fault_failure mm_fault_failure(void);

#define MREMAP_MAYMOVE   1u
#define MREMAP_FIXED     2u
#define MREMAP_DONTUNMAP 4u
/* mremap: the new address, or -errno. old and the sizes are page-aligned by the caller. */
s64 mm_remap(u64 old, u64 old_size, u64 new_size, u32 flags, u64 new_addr);

/* The program break */
void mm_set_brk_base(u64 base);
u64 mm_brk(u64 new_brk);

#endif
