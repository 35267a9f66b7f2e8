/*
 * Changing a file's attributes: chmod, chown and utimensat with their variants. The
 * workload is root, so every change a file system can keep is allowed; tmpfs keeps
 * them, the image refuses (EROFS), /proc and /dev refuse (EPERM). Each change also sets
 * the file's ctime, as Linux does.
 */
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "fs/file.h"
#include "uapi/linux_abi.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"
#include "fs/vfs.h"

#define UTIME_NOW  ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#define S_ISUID    04000
#define S_ISGID    02000
#define S_IXGRP    00010

/* The inode a path names (follow: its last symlink too), or -errno. Callers take the
 * error first and the inode after: argument order is unspecified in C. */
static s64 path_inode(s64 dirfd, u64 upath, bool follow, struct inode **out)
{
    struct nameidata nd;
    s64 err = vfs_walk_user(dirfd, upath, follow ? VFS_FOLLOW : 0, &nd);
    if (!err)
        *out = nd.node;
    return err;
}

/* The inode behind a descriptor; the host's stdio has none the shim could change. */
static s64 fd_inode(s64 fd, struct inode **out)
{
    struct file *f = fd_get(fd);
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    if (!f->inode)
        return -EPERM;
    *out = f->inode;
    return 0;
}

static s64 setattr(struct inode *n, struct inode_attr *a)
{
    return n->ops->setattr ? n->ops->setattr(n, a) : -EPERM;
}

/* ---- chmod ---- */

static s64 chmod_inode(s64 err, struct inode *n, u64 mode)
{
    if (err)
        return err;
    struct inode_attr a = {.valid = ATTR_MODE, .mode = (u32)mode & 07777};
    return setattr(n, &a);
}

SYSCALL2(chmod, path, mode)
{
    struct inode *n = NULL;
    s64 err = path_inode(AT_FDCWD, path, true, &n);
    return chmod_inode(err, n, mode);
}

SYSCALL2(fchmod, fd, mode)
{
    struct inode *n = NULL;
    s64 err = fd_inode((s64)fd, &n);
    return chmod_inode(err, n, mode);
}

SYSCALL3(fchmodat, dirfd, path, mode)
{
    struct inode *n = NULL;
    s64 err = path_inode((s64)(s32)dirfd, path, true, &n);
    return chmod_inode(err, n, mode);
}

/* ---- chown ---- */

static s64 chown_inode(s64 err, struct inode *n, u64 uid, u64 gid)
{
    if (err)
        return err;
    struct inode_attr a = {.mode = n->mode & 07777};
    if ((u32)uid != (u32)-1) {
        a.valid |= ATTR_UID;
        a.uid = (u32)uid;
    }
    if ((u32)gid != (u32)-1) {
        a.valid |= ATTR_GID;
        a.gid = (u32)gid;
    }
    /* a new owner of a program does not inherit its set-id bits (root's change too) */
    if (a.valid && (n->mode & S_IFMT) == S_IFREG) {
        a.mode &= ~(u32)S_ISUID;
        if (a.mode & S_IXGRP)
            a.mode &= ~(u32)S_ISGID;
        if (a.mode != (n->mode & 07777))
            a.valid |= ATTR_MODE;
    }
    return setattr(n, &a);
}

SYSCALL3(chown, path, owner, group)
{
    struct inode *n = NULL;
    s64 err = path_inode(AT_FDCWD, path, true, &n);
    return chown_inode(err, n, owner, group);
}

SYSCALL3(lchown, path, owner, group)
{
    struct inode *n = NULL;
    s64 err = path_inode(AT_FDCWD, path, false, &n);
    return chown_inode(err, n, owner, group);
}

SYSCALL3(fchown, fd, owner, group)
{
    struct inode *n = NULL;
    s64 err = fd_inode((s64)fd, &n);
    return chown_inode(err, n, owner, group);
}

SYSCALL5(fchownat, dirfd_arg, path, owner, group, flags)
{
    if (flags & ~(u64)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct inode *n = NULL;
    char first;
    s64 dirfd = (s64)(s32)dirfd_arg, err = 0;
    if (!(flags & AT_EMPTY_PATH) || strncpy_from_user(&first, path, 1) != 0)
        err = path_inode(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &n);
    else if (dirfd == AT_FDCWD) /* an empty path with AT_EMPTY_PATH: dirfd itself */
        n = vfs_cwd();
    else
        err = fd_inode(dirfd, &n);
    return chown_inode(err, n, owner, group);
}

/* ---- times ---- */

/* Sets atime and mtime from ts[2] (NULL: both now), honouring UTIME_NOW and UTIME_OMIT. */
static s64 utimes_inode(s64 err, struct inode *n, const struct linux_timespec *ts)
{
    if (err)
        return err;
    s64 now = clock_realtime_ns();
    struct inode_attr a = {.valid = ATTR_ATIME | ATTR_MTIME, .atime_ns = now, .mtime_ns = now};
    if (ts) {
        s64 *dst[2] = {&a.atime_ns, &a.mtime_ns};
        for (int i = 0; i < 2; i++) {
            if (ts[i].tv_nsec == UTIME_OMIT)
                a.valid &= ~(i ? ATTR_MTIME : ATTR_ATIME);
            else if (ts[i].tv_nsec != UTIME_NOW)
                *dst[i] = ts[i].tv_sec * 1000000000 + ts[i].tv_nsec;
        }
    }
    return setattr(n, &a);
}

static bool nsec_valid(s64 ns)
{
    return (ns >= 0 && ns < 1000000000) || ns == UTIME_NOW || ns == UTIME_OMIT;
}

SYSCALL4(utimensat, dirfd_arg, path, times, flags)
{
    struct linux_timespec ts[2];
    bool given = times != 0;
    if (given) {
        if (copy_from_user(ts, times, sizeof(ts)))
            return -EFAULT;
        /* nothing to do: Linux does not even look at the path */
        if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
            return 0;
        if (!nsec_valid(ts[0].tv_nsec) || !nsec_valid(ts[1].tv_nsec))
            return -EINVAL;
    }
    if (flags & ~(u64)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct inode *n = NULL;
    s64 dirfd = (s64)(s32)dirfd_arg, err;
    if (!path && dirfd != AT_FDCWD) /* futimens(fd): no path at all */
        err = flags ? -EINVAL : fd_inode(dirfd, &n);
    else
        err = path_inode(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &n);
    return utimes_inode(err, n, given ? ts : NULL);
}

/* utimes and futimesat: microseconds, no UTIME_ specials */
static s64 do_utimes(s64 dirfd, u64 upath, u64 utv)
{
    struct linux_timeval tv[2];
    struct linux_timespec ts[2];
    if (utv) {
        if (copy_from_user(tv, utv, sizeof(tv)))
            return -EFAULT;
        for (int i = 0; i < 2; i++) {
            if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                return -EINVAL;
            ts[i].tv_sec = tv[i].tv_sec;
            ts[i].tv_nsec = tv[i].tv_usec * 1000;
        }
    }
    struct inode *n = NULL;
    s64 err = path_inode(dirfd, upath, true, &n);
    return utimes_inode(err, n, utv ? ts : NULL);
}

SYSCALL2(utimes, path, times)
{
    return do_utimes(AT_FDCWD, path, times);
}

SYSCALL3(futimesat, dirfd, path, times)
{
    return do_utimes((s64)(s32)dirfd, path, times);
}

/* utime: whole seconds, struct utimbuf {actime, modtime} */
SYSCALL2(utime, path, times)
{
    s64 tb[2];
    struct linux_timespec ts[2];
    if (times) {
        if (copy_from_user(tb, times, sizeof(tb)))
            return -EFAULT;
        ts[0].tv_sec = tb[0];
        ts[1].tv_sec = tb[1];
        ts[0].tv_nsec = ts[1].tv_nsec = 0;
    }
    struct inode *n = NULL;
    s64 err = path_inode(AT_FDCWD, path, true, &n);
    return utimes_inode(err, n, times ? ts : NULL);
}
