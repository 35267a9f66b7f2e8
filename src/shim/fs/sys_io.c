/* Data system calls on descriptors: read, write and their vector and positional forms,
 * lseek, ioctl, fstat, fadvise64. What a file is and how its bytes move is its kind's business
 * (file.h); here are the checks every kind shares. */
#include "uapi/errno.h"
#include "fs/fasync.h"
#include "fs/file.h"
#include "mm/iov.h"
#include "lib/lib.h"
#include "uapi/linux_abi.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"
#include "mm/kmalloc.h"

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

/* The vector is the caller's own (kmalloc'd past a few entries): a task may sleep in
 * the read or write, and another task's vector must not take its place meanwhile. */
#define IOV_ON_STACK 8

static s64 rw_vec(u64 fd, u64 uiov, u64 cnt, s64 off, bool write)
{
    if (cnt > IOV_MAX)
        return -EINVAL;
    struct linux_iovec small[IOV_ON_STACK];
    struct linux_iovec *v = cnt <= IOV_ON_STACK ? small : kmalloc(cnt * sizeof(*v));
    if (!v)
        return -ENOMEM;
    s64 r = copy_from_user(v, uiov, cnt * sizeof(*v)) ? -EFAULT : 0;
    u64 total = 0;
    for (u64 i = 0; i < cnt && !r; i++) {
        if ((s64)v[i].len < 0) {
            r = -EINVAL;
            break;
        }
        /* as Linux: the total is capped, the rest of the vector is ignored */
        v[i].len = MIN(v[i].len, MAX_RW_COUNT - total);
        total += v[i].len;
    }
    if (!r)
        r = do_rw((s64)fd, v, (unsigned)cnt, off, write);
    if (v != small)
        kfree(v);
    return r;
}

SYSCALL3(read, fd, buf, count)
{
    return rw_one(fd, buf, count, -1, false);
}

SYSCALL3(write, fd, buf, count)
{
    return rw_one(fd, buf, count, -1, true);
}

SYSCALL4(pread64, fd, buf, count, offset)
{
    return (s64)offset < 0 ? -EINVAL : rw_one(fd, buf, count, (s64)offset, false);
}

SYSCALL4(pwrite64, fd, buf, count, offset)
{
    return (s64)offset < 0 ? -EINVAL : rw_one(fd, buf, count, (s64)offset, true);
}

SYSCALL3(readv, fd, iov, iovcnt)
{
    return rw_vec(fd, iov, iovcnt, -1, false);
}

SYSCALL3(writev, fd, iov, iovcnt)
{
    return rw_vec(fd, iov, iovcnt, -1, true);
}

SYSCALL3(lseek, fd, offset, whence)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    if (whence > SEEK_MAX) /* checked first, as Linux does, even on a pipe */
        return -EINVAL;
    if (f->ops->seek)
        return f->ops->seek(f, (s64)offset, (u32)whence);
    if (!f->ops->seekable)
        return -ESPIPE;
    s64 base;
    struct linux_stat st;
    switch (whence) {
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
    s64 pos = base + (s64)offset;
    if (((s64)offset > 0 && pos < base) || pos < 0)
        return -EINVAL;
    f->offset = pos;
    return pos;
}

#define FIONBIO  0x5421
#define FIONCLEX 0x5450
#define FIOCLEX  0x5451
#define FIOASYNC 0x5452

/* FIONBIO: *arg non-zero sets O_NONBLOCK on the open file, zero clears it. */
static s64 ioctl_nonblock(struct file *f, u64 arg)
{
    s32 on;
    if (copy_from_user(&on, arg, sizeof(on)))
        return -EFAULT;
    f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~(u32)O_NONBLOCK;
    return 0;
}

SYSCALL3(ioctl, fd, request, arg)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    /* what Linux answers for every kind of file before asking the kind (the command
     * is an int there: the upper half of the register is ignored) */
    switch ((u32)request) {
    case FIOCLEX:
    case FIONCLEX:
        fd_set_cloexec((s64)fd, (u32)request == FIOCLEX);
        return 0;
    case FIONBIO:
        return ioctl_nonblock(f, arg);
    case FIOASYNC:
        return fasync_ioctl(f, arg);
    }
    return f->ops->ioctl ? f->ops->ioctl(f, request, arg) : -ENOTTY;
}

SYSCALL2(fstat, fd, statbuf)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    struct linux_stat st;
    s64 err = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;
    if (err)
        return err;
    return copy_to_user(statbuf, &st, sizeof(st)) ? -EFAULT : 0;
}

#define POSIX_FADV_NOREUSE 5

/* Advice about a file's caching. The shim has no page cache to act on it (image files
 * are in memory, the host's stdio is the host's), and advice is only advice: Linux's
 * answer without the effect, including its errors. */
SYSCALL4(fadvise64, fd, offset, length, advice)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    struct linux_stat st;
    if (f->ops->stat && !f->ops->stat(f, &st) && (st.st_mode & S_IFMT) == S_IFIFO)
        return -ESPIPE;
    if ((s64)length < 0 || advice > POSIX_FADV_NOREUSE)
        return -EINVAL;
    return 0;
}
