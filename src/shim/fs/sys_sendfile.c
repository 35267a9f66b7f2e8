/*
 * sendfile and copy_file_range: bytes moved from one open file to another without
 * passing through the workload, by the two files' own read and write operations
 * (fs/file.h) on a bounded kernel buffer (mm/iov.h's IOV_KERNEL lists). So any kind
 * that reads at an offset may be the source (image and tmpfs files, /proc, /dev) and
 * any kind that writes may be the destination (sockets, pipes, tmpfs files, the host's
 * stdio). Linux moves page references; here each chunk is copied into the buffer and
 * out again, which still spares the workload a system call and a copy per chunk.
 *
 * The chunk is bounded (CHUNK), never `count`: a server sending a large file holds
 * 64 KiB of the shim's heap for the call, however much it asked for.
 *
 * splice, tee and vmsplice stay ENOSYS: lighttpd uses sendfile (and falls back to
 * read and write when it fails), nginx uses sendfile, and neither needs splice.
 */
#include "uapi/errno.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "uapi/linux_abi.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define MAX_RW_COUNT 0x7ffff000ull /* Linux caps one transfer at this */
#define CHUNK        65536u

static bool file_mode_is(struct file *f, u32 type)
{
    struct linux_stat st;
    return f->ops->stat && !f->ops->stat(f, &st) && (st.st_mode & S_IFMT) == type;
}

/* Whether f reads at an offset of its own choosing (Linux's FMODE_PREAD): the kinds
 * that keep a position, and the host's stdio, where the host answers ESPIPE for a
 * pipe or terminal. */
static bool reads_at_offset(struct file *f)
{
    return f->ops->seekable || f->ops->seek;
}

/* How many bytes the next chunk may carry. A pipe is filled only as far as it has
 * room once some bytes went in, as Linux's sendfile returns when the pipe is full
 * rather than waiting for a reader; the first chunk waits for room like a write of
 * PIPE_BUF bytes. 0: stop here. */
static u64 next_chunk(struct file *out, u64 left, u64 done)
{
    u64 want = MIN(left, (u64)CHUNK);
    s64 room = pipe_room(out);
    if (room < 0)
        return want;
    if (room == 0)
        return done ? 0 : MIN(want, (u64)PIPE_BUF);
    return MIN(want, (u64)room);
}

/* Moves up to count bytes from in to out. *in_pos and *out_pos are the offsets to read
 * and write at, advanced by the bytes moved, or -1 for a file's own position (or none).
 * Stops at the end of the input, at a short write (a non-blocking socket's or pipe's,
 * or one a signal cut), and at an error after some bytes: the bytes moved, else the
 * error as the file that failed gave it (-EAGAIN, -ERESTARTSYS, -EPIPE...). Bytes read
 * from a file without a position but not written are lost, as the output took fewer. */
static s64 move_bytes(struct file *in, s64 *in_pos, struct file *out, s64 *out_pos, u64 count)
{
    if (count == 0)
        return 0;
    u8 *buf = kmalloc(MIN(count, (u64)CHUNK));
    if (!buf)
        return -ENOMEM;
    u64 done = 0;
    s64 err = 0;
    for (u64 want; done < count && (want = next_chunk(out, count - done, done));) {
        struct linux_iovec iov = {(u64)buf, want};
        s64 r = in->ops->read(in, &iov, 1 | IOV_KERNEL, *in_pos);
        if (r <= 0) {
            err = r;
            break;
        }
        iov.len = (u64)r;
        s64 w = out->ops->write(out, &iov, 1 | IOV_KERNEL, *out_pos);
        if (w <= 0) {
            err = w;
            break;
        }
        w = MIN(w, r);
        done += (u64)w;
        if (*in_pos >= 0)
            *in_pos += w;
        if (*out_pos >= 0)
            *out_pos += w;
        if (w < r || (u64)r < want)
            break;
    }
    kfree(buf);
    return done ? (s64)done : err;
}

/* Takes (or drops) a reference on both files, held while a read or write sleeps, in
 * case another thread closes a descriptor meanwhile. */
static void hold(struct file *in, struct file *out, bool take)
{
    if (take) {
        in->refs++;
        out->refs++;
        return;
    }
    file_put(in);
    file_put(out);
}

/* Linux's do_sendfile, its checks in its order. *ppos is the input offset of the
 * pointer form, or ppos is NULL for the file's position. */
static s64 do_sendfile(s64 out_fd, s64 in_fd, s64 *ppos, u64 count)
{
    struct file *in = fd_get(in_fd);
    if (!in || (in->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (ppos && !reads_at_offset(in))
        return -ESPIPE;
    s64 pos = ppos ? *ppos : in->ops->seekable ? in->offset : 0;
    if ((s64)count < 0 || pos < 0 || (s64)((u64)pos + count) < 0)
        return -EINVAL;
    count = MIN(count, MAX_RW_COUNT);
    struct file *out = fd_get(out_fd);
    if (!out || (out->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (pipe_room(out) < 0 && (out->flags & O_APPEND))
        return -EINVAL;
    if (!in->ops->read || !out->ops->write || file_mode_is(in, S_IFDIR))
        return -EINVAL;
    /* the input is read at pos when it keeps a position, so that only the bytes the
     * output took move it on */
    s64 in_pos = ppos || in->ops->seekable ? pos : -1, out_pos = -1;
    hold(in, out, true);
    s64 r = move_bytes(in, &in_pos, out, &out_pos, count);
    if (r > 0 && in_pos >= 0) {
        if (ppos)
            *ppos = in_pos;
        else
            in->offset = in_pos;
    }
    hold(in, out, false);
    return r;
}

/* The offset pointer form leaves the input's position alone and writes the new offset
 * back, as Linux does even when nothing moved. */
SYSCALL4(sendfile, out_fd, in_fd, offset, count)
{
    if (!offset)
        return do_sendfile((s64)out_fd, (s64)in_fd, NULL, count);
    s64 pos;
    if (copy_from_user(&pos, offset, sizeof(pos)))
        return -EFAULT;
    s64 r = do_sendfile((s64)out_fd, (s64)in_fd, &pos, count);
    return copy_to_user(offset, &pos, sizeof(pos)) ? -EFAULT : r;
}

/* Linux's generic checks for copy_file_range: two regular files, the output not
 * O_APPEND, no overlap within one file, and (as since Linux 5.19) one file system. The
 * length is cut to the input's end. 0 or -errno. */
static s64 copy_range_checks(struct file *in, s64 pos_in, struct file *out, s64 pos_out, u64 *len)
{
    struct linux_stat si, so;
    if (!in->ops->stat || in->ops->stat(in, &si) || !out->ops->stat || out->ops->stat(out, &so))
        return -EINVAL;
    if ((si.st_mode & S_IFMT) == S_IFDIR || (so.st_mode & S_IFMT) == S_IFDIR)
        return -EISDIR;
    if ((si.st_mode & S_IFMT) != S_IFREG || (so.st_mode & S_IFMT) != S_IFREG)
        return -EINVAL;
    if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY ||
        (out->flags & O_APPEND))
        return -EBADF;
    if (si.st_dev != so.st_dev)
        return -EXDEV;
    if ((u64)pos_in + *len < (u64)pos_in || (u64)pos_out + *len < (u64)pos_out)
        return -EOVERFLOW;
    *len = pos_in >= si.st_size ? 0 : MIN(*len, (u64)(si.st_size - pos_in));
    if (si.st_ino == so.st_ino && (u64)pos_out + *len > (u64)pos_in &&
        (u64)pos_out < (u64)pos_in + *len)
        return -EINVAL;
    if (pos_in < 0 || pos_out < 0)
        return -EINVAL;
    return 0;
}

/* Reads an optional offset pointer: 0 with *pos set (the file's position without
 * one), or -EFAULT. */
static s64 get_offset(u64 uptr, struct file *f, s64 *pos)
{
    if (!uptr) {
        *pos = f->offset;
        return 0;
    }
    return copy_from_user(pos, uptr, sizeof(*pos)) ? -EFAULT : 0;
}

/* Stores where a copy ended: through the pointer, or as the file's position. */
static int put_offset(u64 uptr, struct file *f, s64 pos)
{
    if (uptr)
        return copy_to_user(uptr, &pos, sizeof(pos));
    f->offset = pos;
    return 0;
}

SYSCALL6(copy_file_range, fd_in, off_in, fd_out, off_out, len, flags)
{
    struct file *in = fd_get((s64)fd_in), *out = fd_get((s64)fd_out);
    if (!in || !out)
        return -EBADF;
    s64 pos_in, pos_out;
    if (get_offset(off_in, in, &pos_in) || get_offset(off_out, out, &pos_out))
        return -EFAULT;
    if (flags)
        return -EINVAL;
    u64 n = len;
    s64 err = copy_range_checks(in, pos_in, out, pos_out, &n);
    if (err)
        return err;
    hold(in, out, true);
    s64 r = move_bytes(in, &pos_in, out, &pos_out, MIN(n, MAX_RW_COUNT));
    if (r > 0 && (put_offset(off_in, in, pos_in) || put_offset(off_out, out, pos_out)))
        r = -EFAULT;
    hold(in, out, false);
    return r;
}
