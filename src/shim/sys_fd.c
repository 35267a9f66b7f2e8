/* Descriptor-table system calls: close, dup, dup2, dup3, fcntl. */
#include "errno.h"
#include "file.h"
#include "proc.h"
#include "syscall.h"

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC      1
#define RLIMIT_NOFILE   7

/* Status flags F_SETFL may change (O_ASYNC, O_DIRECT, O_NOATIME included, as Linux). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | 020000 | 040000 | 01000000)

SYSCALL(close)
{
    return fd_close((s64)a0);
}

SYSCALL(dup)
{
    struct file *f = fd_get((s64)a0);
    return f ? fd_install(f, 0, false) : -EBADF;
}

SYSCALL(dup2)
{
    struct file *f = fd_get((s64)a0);
    if (!f)
        return -EBADF;
    if (a0 == a1)
        return (s64)a1;
    return fd_install_at(f, (s64)a1, false);
}

SYSCALL(dup3)
{
    struct file *f = fd_get((s64)a0);
    if (a2 & ~(u64)O_CLOEXEC)
        return -EINVAL;
    if (!f)
        return -EBADF;
    if (a0 == a1)
        return -EINVAL;
    return fd_install_at(f, (s64)a1, a2 & O_CLOEXEC);
}

SYSCALL(fcntl)
{
    s64 fd = (s64)a0;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    switch (a1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (a2 >= proc.rlimits[RLIMIT_NOFILE][0] || a2 >= MAX_FDS)
            return -EINVAL;
        return fd_install(f, (s64)a2, a1 == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return fd_cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_set_cloexec(fd, a2 & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return f->flags;
    case F_SETFL:
        /* recorded on the open file; the host's own stdio flags are left alone, since
         * they are shared with whatever started cloister */
        f->flags = (f->flags & ~(u32)SETFL_MASK) | ((u32)a2 & SETFL_MASK);
        return 0;
    default:
        return -EINVAL;
    }
}
