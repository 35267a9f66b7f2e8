/*
 * I/O on the workload's standard descriptors 0-2, proxied to the monitor's own stdio.
 * Data moves through this CPU's bounce buffer; every count the monitor returns is
 * bounded by what was asked before it is believed.
 */
#include "errno.h"
#include "hcall.h"
#include "lib.h"
#include "linux_abi.h"
#include "proc.h"
#include "syscall.h"
#include "uaccess.h"

#define TCGETS     0x5401
#define TIOCGWINSZ 0x5413

static bool stdio_fd(u64 fd)
{
    return fd < NR_STDIO_FDS && proc.stdio_open[fd];
}

/* A monitor's result for a request of `asked` bytes: n in [0, asked], or -errno. */
static s64 checked_count(s64 r, u64 asked)
{
    if (r < 0)
        return r >= -EMAXERRNO ? r : -EIO;
    return (u64)r <= asked ? r : -EIO;
}

static s64 write_chunks(u64 fd, u64 buf, u64 len, s64 off)
{
    u8 *bounce = hcall_buffer();
    u64 done = 0;
    while (done < len) {
        u64 chunk = MIN(len - done, CL_HC_DATA_SIZE);
        if (copy_from_user(bounce, buf + done, chunk))
            return done ? (s64)done : -EFAULT;
        s64 r = checked_count(
            hcall(CL_HC_FD_WRITE, fd, chunk, off < 0 ? (u64)-1 : off + done, 0, 0, 0), chunk);
        if (r < 0)
            return done ? (s64)done : r;
        done += (u64)r;
        if ((u64)r < chunk)
            break;
    }
    return (s64)done;
}

static s64 read_once(u64 fd, u64 buf, u64 len, s64 off)
{
    u64 chunk = MIN(len, CL_HC_DATA_SIZE);
    if (chunk == 0)
        return 0;
    s64 r = checked_count(hcall(CL_HC_FD_READ, fd, chunk, off < 0 ? (u64)-1 : (u64)off, 0, 0, 0),
                          chunk);
    if (r <= 0)
        return r;
    /* copy out of the shared buffer once; the host may change it behind us */
    if (copy_to_user(buf, hcall_buffer(), (u64)r))
        return -EFAULT;
    return r;
}

SYSCALL(read)
{
    if (!stdio_fd(a0))
        return -EBADF;
    return read_once(a0, a1, a2, -1);
}

SYSCALL(write)
{
    if (!stdio_fd(a0))
        return -EBADF;
    return write_chunks(a0, a1, a2, -1);
}

SYSCALL(pread64)
{
    if (!stdio_fd(a0))
        return -EBADF;
    if ((s64)a3 < 0)
        return -EINVAL;
    return read_once(a0, a1, a2, (s64)a3);
}

SYSCALL(pwrite64)
{
    if (!stdio_fd(a0))
        return -EBADF;
    if ((s64)a3 < 0)
        return -EINVAL;
    return write_chunks(a0, a1, a2, (s64)a3);
}

static s64 load_iov(u64 uiov, u64 cnt, struct linux_iovec *iov)
{
    if (cnt > IOV_MAX)
        return -EINVAL;
    if (copy_from_user(iov, uiov, cnt * sizeof(*iov)))
        return -EFAULT;
    u64 total = 0;
    for (u64 i = 0; i < cnt; i++) {
        if (iov[i].len > 0x7ffff000 || total + iov[i].len > 0x7ffff000)
            return -EINVAL;
        total += iov[i].len;
    }
    return 0;
}

static struct linux_iovec iov_buf[IOV_MAX];

SYSCALL(writev)
{
    if (!stdio_fd(a0))
        return -EBADF;
    s64 err = load_iov(a1, a2, iov_buf);
    if (err)
        return err;
    /* gather into the bounce buffer so that a typical writev is one exit */
    u8 *bounce = hcall_buffer();
    u64 fill = 0, done = 0;
    for (u64 i = 0; i <= a2; i++) {
        u64 base = i < a2 ? iov_buf[i].base : 0, len = i < a2 ? iov_buf[i].len : 0;
        while (len || (i == a2 && fill)) {
            u64 k = MIN(len, CL_HC_DATA_SIZE - fill);
            if (k && copy_from_user(bounce + fill, base, k))
                return done ? (s64)done : -EFAULT;
            fill += k, base += k, len -= k;
            if (fill == CL_HC_DATA_SIZE || (i == a2 && fill)) {
                s64 r = checked_count(hcall(CL_HC_FD_WRITE, a0, fill, (u64)-1, 0, 0, 0), fill);
                if (r < 0)
                    return done ? (s64)done : r;
                done += (u64)r;
                if ((u64)r < fill)
                    return (s64)done;
                fill = 0;
            }
        }
    }
    return (s64)done;
}

SYSCALL(readv)
{
    if (!stdio_fd(a0))
        return -EBADF;
    s64 err = load_iov(a1, a2, iov_buf);
    if (err)
        return err;
    /* one read, like a pipe's readv: fill the vectors in order with what came */
    u64 total = 0;
    for (u64 i = 0; i < a2; i++)
        total += iov_buf[i].len;
    u64 want = MIN(total, CL_HC_DATA_SIZE);
    if (want == 0)
        return 0;
    s64 r = checked_count(hcall(CL_HC_FD_READ, a0, want, (u64)-1, 0, 0, 0), want);
    if (r <= 0)
        return r;
    static u8 copy[CL_HC_DATA_SIZE];
    memcpy(copy, hcall_buffer(), (u64)r);
    u64 off = 0;
    for (u64 i = 0; i < a2 && off < (u64)r; i++) {
        u64 k = MIN(iov_buf[i].len, (u64)r - off);
        if (copy_to_user(iov_buf[i].base, copy + off, k))
            return -EFAULT;
        off += k;
    }
    return r;
}

SYSCALL(close)
{
    if (!stdio_fd(a0))
        return -EBADF;
    proc.stdio_open[a0] = false;
    return 0;
}

SYSCALL(lseek)
{
    if (!stdio_fd(a0))
        return -EBADF;
    return -ESPIPE; /* stdio is a stream to the workload; files come with the image */
}

SYSCALL(ioctl)
{
    if (!stdio_fd(a0))
        return -EBADF;
    u64 size;
    if (a1 == TCGETS)
        size = CL_TERMIOS_SIZE;
    else if (a1 == TIOCGWINSZ)
        size = CL_WINSIZE_SIZE;
    else
        return -ENOTTY;
    if (!(proc.stdio_flags[a0] & CL_STDIO_TTY))
        return -ENOTTY;
    s64 r = hcall(CL_HC_FD_IOCTL, a0, a1, 0, 0, 0, 0);
    if (r != 0)
        return r < 0 && r >= -EMAXERRNO ? r : -EIO;
    u8 reply[CL_TERMIOS_SIZE];
    memcpy(reply, hcall_buffer(), size);
    return copy_to_user(a2, reply, size) ? -EFAULT : 0;
}

static s64 stat_stdio(u64 fd, u64 ubuf)
{
    s64 r = hcall(CL_HC_FD_STAT, fd, 0, 0, 0, 0, 0);
    if (r != 0)
        return r < 0 && r >= -EMAXERRNO ? r : -EIO;
    struct cl_host_stat hs;
    memcpy(&hs, hcall_buffer(), sizeof(hs));
    struct linux_stat st;
    memzero(&st, sizeof(st));
    u32 type = hs.mode & S_IFMT;
    if (type != S_IFCHR && type != S_IFIFO && type != S_IFREG && type != S_IFSOCK)
        type = S_IFCHR;
    st.st_mode = type | (hs.mode & 0777);
    st.st_dev = 0x16; /* a fixed device: the host's numbers are not the workload's business */
    st.st_ino = fd + 1;
    st.st_nlink = 1;
    st.st_rdev = type == S_IFCHR ? hs.rdev : 0;
    st.st_size = type == S_IFREG && hs.size > 0 ? hs.size : 0;
    st.st_blksize = hs.blksize > 0 && hs.blksize <= (1 << 20) ? hs.blksize : 4096;
    st.st_blocks = (st.st_size + 511) / 512;
    return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

SYSCALL(fstat)
{
    if (!stdio_fd(a0))
        return -EBADF;
    return stat_stdio(a0, a1);
}

SYSCALL(newfstatat)
{
    char path[2];
    long n = strncpy_from_user(path, a1, sizeof(path));
    if (n == -EFAULT)
        return -EFAULT;
    if (n == 0 && (a3 & AT_EMPTY_PATH)) {
        if (!stdio_fd(a0))
            return -EBADF;
        return stat_stdio(a0, a2);
    }
    return -ENOENT; /* no file system until images bring one */
}

static s64 do_readlink(u64 upath, u64 ubuf, u64 size)
{
    char path[64];
    long n = strncpy_from_user(path, upath, sizeof(path));
    if (n == -EFAULT)
        return -EFAULT;
    if ((s64)size <= 0)
        return -EINVAL;
    if (n < 0 || strcmp(path, "/proc/self/exe") != 0)
        return -ENOENT;
    u64 len = MIN(strlen(proc.exe_path), size); /* readlink does not terminate */
    return copy_to_user(ubuf, proc.exe_path, len) ? -EFAULT : (s64)len;
}

SYSCALL(readlink)
{
    return do_readlink(a0, a1, a2);
}

SYSCALL(readlinkat)
{
    return do_readlink(a1, a2, a3);
}

SYSCALL(getcwd)
{
    if (a1 < 2)
        return -ERANGE;
    return copy_to_user(a0, "/", 2) ? -EFAULT : 2;
}
