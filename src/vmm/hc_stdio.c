/*
 * The workload's stdio: its fds 0-2 are the monitor's own. Only those three fds, only
 * TCGETS and TIOCGWINSZ, and only through the bounce buffer's bounds.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/hypercall.h"

static int stdio_fd(struct hc_ctx *c, int *fd)
{
    if (c->req.args[0] > 2) {
        c->ret = -EBADF;
        return 0;
    }
    *fd = (int)c->req.args[0];
    return 1;
}

static int64_t offset_arg(uint64_t v)
{
    return v == (uint64_t)-1 ? -1 : (int64_t)v;
}

/* Whether a read of fd would not wait: a look with poll, not O_NONBLOCK, which would
 * change the file's status flags for every process sharing it (the shell, the other
 * end of a terminal). Someone else may read what we saw first: then this read waits,
 * as a blocking read of a shared pipe does. */
static bool input_ready(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    do
        r = poll(&p, 1, 0);
    while (r < 0 && errno == EINTR);
    return r != 0; /* an error: let the read say what it is */
}

/* FD_WRITE and FD_READ: args[0] the fd, args[1] the length, args[2] an offset or -1
 * (then the file position, as write/read would). */
static int fd_transfer(struct hc_ctx *c, bool writing)
{
    int fd;
    uint64_t len = c->req.args[1];
    int64_t off = offset_arg(c->req.args[2]);
    if (!stdio_fd(c, &fd))
        return 0;
    if (len > CL_HC_DATA_SIZE || off < -1)
        return vm_fail(c->vcpu->vm, "shim %s %llu bytes at %lld: out of bounds",
                       writing ? "wrote" : "read", (unsigned long long)len, (long long)off);
    if (!writing && off < 0 && c->vcpu->vm->stdio_watched[fd] && !input_ready(fd)) {
        c->ret = -EAGAIN;
        return 0;
    }
    ssize_t n;
    do {
        if (writing)
            n = off < 0 ? write(fd, c->data, len) : pwrite(fd, c->data, len, off);
        else
            n = off < 0 ? read(fd, c->data, len) : pread(fd, c->data, len, off);
    } while (n < 0 && errno == EINTR && !vm_stopping(c->vcpu->vm));
    c->ret = n < 0 ? -errno : n;
    return 0;
}

int hc_fd_write(struct hc_ctx *c)
{
    return fd_transfer(c, true);
}

int hc_fd_read(struct hc_ctx *c)
{
    return fd_transfer(c, false);
}

int hc_fd_ioctl(struct hc_ctx *c)
{
    int fd;
    if (!stdio_fd(c, &fd))
        return 0;
    /* the kernel's struct termios (36 bytes), not glibc's: ask into a large buffer */
    unsigned char reply[64];
    memset(reply, 0, sizeof(reply));
    unsigned long req = c->req.args[1];
    size_t size;
    if (req == TCGETS)
        size = CL_TERMIOS_SIZE;
    else if (req == TIOCGWINSZ)
        size = CL_WINSIZE_SIZE;
    else {
        c->ret = -ENOTTY;
        return 0;
    }
    if (ioctl(fd, req, reply) < 0) {
        c->ret = -errno;
        return 0;
    }
    memcpy(c->data, reply, size);
    c->ret = 0;
    return 0;
}

int hc_fd_stat(struct hc_ctx *c)
{
    int fd;
    if (!stdio_fd(c, &fd))
        return 0;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        c->ret = -errno;
        return 0;
    }
    int fl = fcntl(fd, F_GETFL);
    struct cl_host_stat hs = {
        .mode = st.st_mode,
        .fl_flags = fl < 0 ? 0 : (uint32_t)fl & (O_ACCMODE | O_APPEND | O_NONBLOCK),
        .rdev = st.st_rdev,
        .size = st.st_size,
        .blksize = st.st_blksize,
    };
    memcpy(c->data, &hs, sizeof(hs));
    c->ret = 0;
    return 0;
}

/* FD_SEEK: the host's own lseek, so a file on stdin has one position, shared with
 * whoever else holds the open file (the shell running `{ prog; cat; } <file`), and a
 * pipe or terminal answers ESPIPE exactly as Linux does. */
int hc_fd_seek(struct hc_ctx *c)
{
    int fd;
    if (!stdio_fd(c, &fd))
        return 0;
    uint64_t whence = c->req.args[2];
    if (whence > SEEK_HOLE) {
        c->ret = -EINVAL;
        return 0;
    }
    off_t r = lseek(fd, (off_t)c->req.args[1], (int)whence);
    c->ret = r < 0 ? -errno : (int64_t)r;
    return 0;
}
