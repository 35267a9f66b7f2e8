/* Memory system calls: brk, mmap, munmap, mprotect, madvise (anonymous memory). */
#include "uapi/errno.h"
#include "fs/file.h"
#include "fs/fs_tmp.h"
#include "mm/mm.h"
#include "arch/x86/paging.h"
#include "kernel/syscall.h"

#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE            0x0f
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_GROWSDOWN       0x100
#define MAP_DENYWRITE       0x800
#define MAP_EXECUTABLE      0x1000
#define MAP_LOCKED          0x2000
#define MAP_NORESERVE       0x4000
#define MAP_POPULATE        0x8000
#define MAP_NONBLOCK        0x10000
#define MAP_STACK           0x20000
#define MAP_HUGETLB         0x40000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_KNOWN                                                                                  \
    (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE |       \
     MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE)

#define MADV_NORMAL      0
#define MADV_RANDOM      1
#define MADV_SEQUENTIAL  2
#define MADV_WILLNEED    3
#define MADV_DONTNEED    4
#define MADV_FREE        8
#define MADV_REMOVE      9
#define MADV_DONTFORK    10
#define MADV_DOFORK      11
#define MADV_MERGEABLE   12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE    14
#define MADV_NOHUGEPAGE  15
#define MADV_DONTDUMP    16
#define MADV_DODUMP      17
#define MADV_WIPEONFORK  18
#define MADV_KEEPONFORK  19
#define MADV_COLD        20
#define MADV_PAGEOUT     21

/* A user range [addr, addr+len) rounded to pages; false if it wraps or leaves user space */
static bool user_range(u64 addr, u64 len, u64 *end)
{
    u64 l = ALIGN_UP(len, PAGE_SIZE);
    if (l < len || addr + l < addr || addr + l > CL_USER_TOP)
        return false;
    *end = addr + l;
    return true;
}

SYSCALL1(brk, new_brk)
{
    return (s64)mm_brk(new_brk);
}

SYSCALL6(mmap, addr, len, prot, flags, fd_arg, off)
{
    s64 fd = (s64)fd_arg;
    if (len == 0 || (flags & ~(u64)MAP_KNOWN) & ~(u64)MAP_HUGETLB)
        return -EINVAL;
    if (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    u64 type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return -EINVAL;
    if (flags & MAP_HUGETLB)
        return -EINVAL;
    if (!IS_ALIGNED(off, PAGE_SIZE))
        return -EINVAL;
    struct file *file = NULL;
    if (!(flags & MAP_ANONYMOUS)) {
        file = fd_get(fd);
        if (!file)
            return -EBADF;
        if (!file->ops->page || (file->ops->mappable && !file->ops->mappable(file)))
            return -ENODEV;
        u32 mode = file->flags & O_ACCMODE;
        if (mode == O_WRONLY)
            return -EACCES;
        if (type != MAP_PRIVATE && (prot & PROT_WRITE) && mode != O_RDWR)
            return -EACCES;
        if (off + ALIGN_UP(len, PAGE_SIZE) < off)
            return -EOVERFLOW;
    }
    u64 size = ALIGN_UP(len, PAGE_SIZE);
    if (size < len || size > CL_USER_TOP)
        return -ENOMEM;

    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        u64 end;
        if (!IS_ALIGNED(addr, PAGE_SIZE))
            return -EINVAL;
        if (!user_range(addr, size, &end) || addr < MMAP_MIN_ADDR)
            return -ENOMEM;
        if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && mm_overlaps(addr, end))
            return -EEXIST;
    } else {
        /* a hint is taken when that range is free, as Linux does */
        u64 end;
        addr = ALIGN_DOWN(addr, PAGE_SIZE);
        if (!addr || addr < MMAP_MIN_ADDR || !user_range(addr, size, &end) ||
            mm_overlaps(addr, end))
            addr = mm_find_free(size);
        if (!addr)
            return -ENOMEM;
    }
    if (file && (prot & PROT_EXEC) && !mm_file_may_run(file))
        return mm_refuse_unmeasured();
    if (!file && type != MAP_PRIVATE) {
        /* shared anonymous memory is an unnamed tmpfs file, as Linux's shmem: what a
         * forked child shares with its parent */
        struct file *anon = tmpfs_anon_file(size);
        if (!anon)
            return -ENOMEM;
        int err = mm_map_file(addr, size, (u32)prot, anon, 0, true);
        file_put(anon); /* the area holds its own reference */
        return err ? err : (s64)addr;
    }
    int err = file ? mm_map_file(addr, size, (u32)prot, file, off, type != MAP_PRIVATE)
                   : mm_map(addr, size, (u32)prot, (flags & MAP_GROWSDOWN) ? VMA_STACK : VMA_ANON);
    if (err)
        return err;
    return (s64)addr;
}

SYSCALL2(munmap, addr, length)
{
    u64 end;
    if (!IS_ALIGNED(addr, PAGE_SIZE) || length == 0 || !user_range(addr, length, &end))
        return -EINVAL;
    mm_unmap(addr, end - addr);
    return 0;
}

SYSCALL3(mprotect, addr, length, prot)
{
    u64 end;
    if (!IS_ALIGNED(addr, PAGE_SIZE) || (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    if (!user_range(addr, length, &end))
        return -ENOMEM;
    if (end == addr)
        return 0;
    return mm_protect(addr, end - addr, (u32)prot);
}

SYSCALL3(madvise, addr, length, advice)
{
    u64 end;
    if (!IS_ALIGNED(addr, PAGE_SIZE))
        return -EINVAL;
    if (!user_range(addr, length, &end))
        return -EINVAL;
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_FREE:
        return end == addr ? 0 : mm_discard(addr, end - addr);
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_COLD:
    case MADV_PAGEOUT:
        return 0; /* hints: nothing to do for a single process in RAM */
    default:
        return -EINVAL;
    }
}

SYSCALL5(mremap, old_addr, old_size_arg, new_size_arg, flags_arg, new_addr)
{
    u64 old = old_addr, old_size = ALIGN_UP(old_size_arg, PAGE_SIZE),
        new_size = ALIGN_UP(new_size_arg, PAGE_SIZE);
    u32 flags = (u32)flags_arg;
    if (!IS_ALIGNED(old, PAGE_SIZE) || new_size == 0 || new_size < new_size_arg ||
        old_size < old_size_arg)
        return -EINVAL;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
        return -EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return -EINVAL;
    if (flags & MREMAP_DONTUNMAP)
        return -EINVAL; /* only for anonymous private mappings on Linux; rare, not yet here */
    if (old_size == 0)
        return -EINVAL; /* duplicating shared mappings: not for one process's memory */
    return mm_remap(old, old_size, new_size, flags, new_addr);
}
