/* Data system calls on descriptors: read, write and their vector and positional forms,
 * lseek, ioctl, fstat, fadvise64. What a file is and how its bytes move is its kind's business
 * (file.h); here are the checks every kind shares. */
#include "uapi/errno.h"
#include "fs/file.h"
#include "mm/iov.h"
#include "lib/lib.h"
#include "uapi/linux_abi.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define MAX_RW_COUNT 0x7ffff000ull /* Linux caps one transfer at this */
#define SEEK_SET     0
#define SEEK_CUR     1
#define SEEK_END     2
#define SEEK_MAX     4 /* SEEK_HOLE */

static s64 do_rw(s64 fd, const struct linux_iovec *iov, unsigned cnt, s64 off, bool write)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    u32 mode = f->flags & O_ACCMODE;
    if (write ? mode == O_RDONLY : mode == O_WRONLY)
        return -EBADF;
    if (write ? !f->ops->write : !f->ops->read)
        return -EINVAL;
    return write ? f->ops->write(f, iov, cnt, off) : f->ops->read(f, iov, cnt, off);
}

static s64 rw_one(u64 fd, u64 buf, u64 len, s64 off, bool write)
{
    struct linux_iovec iov = {buf, MIN(len, MAX_RW_COUNT)};
    return do_rw((s64)fd, &iov, 1, off, write);
}

static struct linux_iovec iov_buf[IOV_MAX];

static s64 rw_vec(u64 fd, u64 uiov, u64 cnt, s64 off, bool write)
{
    if (cnt > IOV_MAX)
        return -EINVAL;
    if (copy_from_user(iov_buf, uiov, cnt * sizeof(iov_buf[0])))
        return -EFAULT;
    u64 total = 0;
    for (u64 i = 0; i < cnt; i++) {
        if ((s64)iov_buf[i].len < 0)
            return -EINVAL;
        /* as Linux: the total is capped, the rest of the vector is ignored */
        iov_buf[i].len = MIN(iov_buf[i].len, MAX_RW_COUNT - total);
        total += iov_buf[i].len;
    }
    return do_rw((s64)fd, iov_buf, (unsigned)cnt, off, write);
}

SYSCALL(read)
{
    return rw_one(a0, a1, a2, -1, false);
}

SYSCALL(write)
{
    return rw_one(a0, a1, a2, -1, true);
}

SYSCALL(pread64)
{
    return (s64)a3 < 0 ? -EINVAL : rw_one(a0, a1, a2, (s64)a3, false);
}

SYSCALL(pwrite64)
{
    return (s64)a3 < 0 ? -EINVAL : rw_one(a0, a1, a2, (s64)a3, true);
}

SYSCALL(readv)
{
    return rw_vec(a0, a1, a2, -1, false);
}

SYSCALL(writev)
{
    return rw_vec(a0, a1, a2, -1, true);
}

SYSCALL(lseek)
{
    struct file *f = fd_get((s64)a0);
    if (!f)
        return -EBADF;
    if (a2 > SEEK_MAX) /* checked first, as Linux does, even on a pipe */
        return -EINVAL;
    if (f->ops->seek)
        return f->ops->seek(f, (s64)a1, (u32)a2);
    if (!f->ops->seekable)
        return -ESPIPE;
    s64 base;
    struct linux_stat st;
    switch (a2) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = f->offset;
        break;
    case SEEK_END:
        if (!f->ops->stat || f->ops->stat(f, &st))
            return -EINVAL;
        base = st.st_size;
        break;
    default:
        return -EINVAL;
    }
    s64 pos = base + (s64)a1;
    if (((s64)a1 > 0 && pos < base) || pos < 0)
        return -EINVAL;
    f->offset = pos;
    return pos;
}

SYSCALL(ioctl)
{
    struct file *f = fd_get((s64)a0);
    if (!f)
        return -EBADF;
    return f->ops->ioctl ? f->ops->ioctl(f, a1, a2) : -ENOTTY;
}

SYSCALL(fstat)
{
    struct file *f = fd_get((s64)a0);
    if (!f)
        return -EBADF;
    struct linux_stat st;
    s64 err = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;
    if (err)
        return err;
    return copy_to_user(a1, &st, sizeof(st)) ? -EFAULT : 0;
}

#define POSIX_FADV_NOREUSE 5

/* Advice about a file's caching. The shim has no page cache to act on it (image files
 * are in memory, the host's stdio is the host's), and advice is only advice: Linux's
 * answer without the effect, including its errors. */
SYSCALL(fadvise64)
{
    struct file *f = fd_get((s64)a0);
    if (!f)
        return -EBADF;
    struct linux_stat st;
    if (f->ops->stat && !f->ops->stat(f, &st) && (st.st_mode & S_IFMT) == S_IFIFO)
        return -ESPIPE;
    if ((s64)a2 < 0 || a3 > POSIX_FADV_NOREUSE)
        return -EINVAL;
    return 0;
}
