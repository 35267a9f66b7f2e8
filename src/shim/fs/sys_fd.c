/* Descriptor-table system calls: close, dup, dup2, dup3, fcntl. */
#include "uapi/errno.h"
#include "fs/fasync.h"
#include "fs/file.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_SETOWN        8
#define F_GETOWN        9
#define F_SETOWN_EX     15
#define F_GETOWN_EX     16
#define F_DUPFD_CLOEXEC 1030
#define F_GETLK         5
#define F_SETLK         6
#define F_SETLKW        7
#define F_OFD_GETLK     36
#define F_OFD_SETLK     37
#define F_OFD_SETLKW    38
#define F_RDLCK         0
#define F_WRLCK         1
#define F_UNLCK         2
#define FD_CLOEXEC      1
#define RLIMIT_NOFILE   7

/* Status flags F_SETFL may change (O_ASYNC, O_DIRECT, O_NOATIME included, as Linux). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | 020000 | 040000 | 01000000)

SYSCALL1(close, fd)
{
    return fd_close((s64)fd);
}

SYSCALL1(dup, oldfd)
{
    struct file *f = fd_get((s64)oldfd);
    return f ? fd_install(f, 0, false) : -EBADF;
}

SYSCALL2(dup2, oldfd, newfd)
{
    struct file *f = fd_get((s64)oldfd);
    if (!f)
        return -EBADF;
    if (oldfd == newfd)
        return (s64)newfd;
    return fd_install_at(f, (s64)newfd, false);
}

SYSCALL3(dup3, oldfd, newfd, flags)
{
    struct file *f = fd_get((s64)oldfd);
    if (flags & ~(u64)O_CLOEXEC)
        return -EINVAL;
    if (!f)
        return -EBADF;
    if (oldfd == newfd)
        return -EINVAL;
    return fd_install_at(f, (s64)newfd, flags & O_CLOEXEC);
}

struct linux_flock {
    s16 l_type, l_whence;
    s32 pad0;
    s64 l_start, l_len;
    s32 l_pid, pad1;
};

/*
 * Record locks. Locks only ever conflict between processes, and the workload is the one
 * process of its VM: every lock it asks for is granted and F_GETLK finds none in the way.
 * The request is still checked as Linux checks it.
 */
static s64 lock_cmd(struct file *f, u64 cmd, u64 uarg)
{
    struct linux_flock fl;
    if (copy_from_user(&fl, uarg, sizeof(fl)))
        return -EFAULT;
    if (fl.l_whence < 0 || fl.l_whence > 2 ||
        (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK))
        return -EINVAL;
    if ((cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW) && fl.l_pid != 0)
        return -EINVAL;
    if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        fl.l_type = F_UNLCK;
        return copy_to_user(uarg, &fl, sizeof(fl)) ? -EFAULT : 0;
    }
    u32 mode = f->flags & O_ACCMODE;
    if ((fl.l_type == F_RDLCK && mode == O_WRONLY) || (fl.l_type == F_WRLCK && mode == O_RDONLY))
        return -EBADF;
    return 0;
}

SYSCALL3(fcntl, fd_arg, cmd, arg)
{
    s64 fd = (s64)fd_arg;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (arg >= current_process()->rlimits[RLIMIT_NOFILE][0] || arg >= MAX_FDS)
            return -EINVAL;
        return fd_install(f, (s64)arg, cmd == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return fd_cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_set_cloexec(fd, arg & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return f->flags;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return lock_cmd(f, cmd, arg);
    case F_SETFL:
        /* recorded on the open file; the host's own stdio flags are left alone, since
         * they are shared with whatever started cloister */
        f->flags = (f->flags & ~(u32)SETFL_MASK) | ((u32)arg & SETFL_MASK);
        fasync_flags_changed(f);
        return 0;
    case F_SETOWN:
        return fasync_set_owner(f, (s64)arg);
    case F_GETOWN:
        return fasync_owner(f);
    case F_SETOWN_EX:
        return fasync_set_owner_ex(f, arg);
    case F_GETOWN_EX:
        return fasync_owner_ex(f, arg);
    default:
        return -EINVAL;
    }
}
