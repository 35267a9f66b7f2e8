/*
 * File-system system calls: opening by path, metadata, directories, links, the
 * working directory. Path resolution and permissions follow Linux for a root user on
 * a read-only root with a writable /tmp: writes outside tmpfs fail with EROFS.
 */
#include "uapi/errno.h"
#include "fs/file.h"
#include "lib/lib.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"
#include "fs/vfs.h"

#define AT_REMOVEDIR      0x200
#define AT_EACCESS        0x200
#define AT_SYMLINK_FOLLOW 0x400
#define R_OK              4
#define W_OK              2
#define X_OK              1
#define RENAME_NOREPLACE  1

u32 vfs_umask(void)
{
    return current_process()->umask;
}

static bool writable_fs(struct inode *dir)
{
    return dir->ops->create != NULL;
}

static s64 do_open(s64 dirfd, u64 upath, u64 flags, u64 mode)
{
    struct nameidata nd;
    bool create = flags & O_CREAT;
    unsigned wf = VFS_PARENT | ((flags & O_NOFOLLOW) ? 0 : VFS_FOLLOW);
    s64 err = vfs_walk_user(dirfd, upath, wf, &nd);
    if (err)
        return err;
    struct inode *node = nd.node;
    /* the last component may still be a symlink to follow */
    if (node && (node->mode & S_IFMT) == S_IFLNK) {
        if (flags & O_NOFOLLOW)
            return -ELOOP;
        err = vfs_walk_user(dirfd, upath, VFS_FOLLOW, &nd);
        if (err)
            return err; /* a dangling symlink is not created through */
        node = nd.node;
    }
    if (!node) {
        if (!create)
            return -ENOENT;
        if (nd.trailing_slash)
            return -EISDIR;
        if (!writable_fs(nd.parent))
            return -EROFS;
        err = nd.parent->ops->create(nd.parent, nd.last, nd.last_len,
                                     S_IFREG | ((u32)mode & 07777 & ~vfs_umask()), &node);
        if (err)
            return err;
    } else if (create && (flags & O_EXCL)) {
        return -EEXIST;
    }
    if ((node->mode & S_IFMT) != S_IFDIR && (nd.trailing_slash || (flags & O_DIRECTORY)))
        return -ENOTDIR;
    if (!node->ops->open)
        return -ENXIO;
    struct file *f;
    u32 fl = (u32)flags & ~(u32)(O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC);
    fl |= O_LARGEFILE;
    err = node->ops->open(node, fl & ~(u32)O_PATH, &f);
    if (err)
        return err;
    s64 fd = fd_install(f, 0, flags & O_CLOEXEC);
    file_put(f); /* the table holds the reference now */
    return fd;
}

SYSCALL3(open, path, flags, mode)
{
    return do_open(AT_FDCWD, path, flags, mode);
}

SYSCALL4(openat, dirfd, path, flags, mode)
{
    return do_open((s64)(s32)dirfd, path, flags, mode);
}

SYSCALL2(creat, path, mode)
{
    return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* What stat, lstat, newfstatat and statx report about a path (or, empty, dirfd). */
static s64 stat_lookup(s64 dirfd, u64 upath, bool follow, bool empty_ok, struct linux_stat *st)
{
    char first[2];
    /* statx takes a NULL path with AT_EMPTY_PATH for the descriptor itself (Linux 6.11) */
    long n = !upath && empty_ok ? 0 : strncpy_from_user(first, upath, sizeof(first));
    if (n == -EFAULT)
        return -EFAULT;
    struct inode *node;
    if (n == 0) {
        if (!empty_ok)
            return -ENOENT;
        if (dirfd == AT_FDCWD) {
            node = vfs_cwd();
        } else {
            struct file *f = fd_get(dirfd);
            if (!f)
                return -EBADF;
            return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
        }
    } else {
        struct nameidata nd;
        s64 err = vfs_walk_user(dirfd, upath, follow ? VFS_FOLLOW : 0, &nd);
        if (err)
            return err;
        node = nd.node;
        if (follow && (node->mode & S_IFMT) == S_IFLNK && node->ops->open) {
            /* a magic link (/proc/PID/fd/N, /dev/stdin, /dev/fd/N): stat follows it to
             * the open file it names, a pipe or a socket as well as a file */
            struct file *f;
            err = node->ops->open(node, O_RDONLY, &f);
            if (err)
                return err;
            err = f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
            file_put(f);
            return err;
        }
    }
    vfs_stat(node, st);
    return 0;
}

static s64 stat_path(s64 dirfd, u64 upath, u64 ubuf, bool follow, bool empty_ok)
{
    struct linux_stat st;
    s64 err = stat_lookup(dirfd, upath, follow, empty_ok, &st);
    if (err)
        return err;
    return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

SYSCALL2(stat, path, statbuf)
{
    return stat_path(AT_FDCWD, path, statbuf, true, false);
}

SYSCALL2(lstat, path, statbuf)
{
    return stat_path(AT_FDCWD, path, statbuf, false, false);
}

SYSCALL4(newfstatat, dirfd, path, statbuf, flags)
{
    return stat_path((s64)(s32)dirfd, path, statbuf, !(flags & AT_SYMLINK_NOFOLLOW),
                     flags & AT_EMPTY_PATH);
}

#define AT_NO_AUTOMOUNT    0x800
#define AT_STATX_SYNC_TYPE 0x6000
#define STATX_BASIC_STATS  0x7ffu
#define STATX__RESERVED    0x80000000u

/* Linux's struct statx */
struct statx_ts {
    s64 tv_sec;
    u32 tv_nsec;
    s32 reserved;
};

struct linux_statx {
    u32 mask, blksize;
    u64 attributes;
    u32 nlink, uid, gid;
    u16 mode, spare0;
    u64 ino, size, blocks, attributes_mask;
    struct statx_ts atime, btime, ctime, mtime;
    u32 rdev_major, rdev_minor, dev_major, dev_minor;
    u64 mnt_id;
    u32 dio_mem_align, dio_offset_align;
    u64 spare3[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx");

static struct statx_ts statx_time(struct linux_timespec t)
{
    struct statx_ts r = {t.tv_sec, (u32)t.tv_nsec, 0};
    return r;
}

/* The major and minor of a dev_t, as Linux's MAJOR()/MINOR() of new_encode_dev() */
static u32 dev_major(u64 d)
{
    return (u32)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffull));
}

static u32 dev_minor(u64 d)
{
    return (u32)((d & 0xff) | ((d >> 12) & ~0xffull));
}

/* statx: the same facts as newfstatat in its own layout; the basic fields are all
 * there are (no birth time, no mount id), and stx_mask says so. */
SYSCALL5(statx, dirfd, path, flags, mask, statxbuf)
{
    if ((u32)mask & STATX__RESERVED)
        return -EINVAL;
    if (flags & ~(u64)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
        return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
        return -EINVAL;
    struct linux_stat st;
    s64 err = stat_lookup((s64)(s32)dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW),
                          flags & AT_EMPTY_PATH, &st);
    if (err)
        return err;
    struct linux_statx x;
    memzero(&x, sizeof(x));
    x.mask = STATX_BASIC_STATS;
    x.blksize = (u32)st.st_blksize;
    x.nlink = (u32)st.st_nlink;
    x.uid = st.st_uid;
    x.gid = st.st_gid;
    x.mode = (u16)st.st_mode;
    x.ino = st.st_ino;
    x.size = (u64)st.st_size;
    x.blocks = (u64)st.st_blocks;
    x.atime = statx_time(st.st_atim);
    x.mtime = statx_time(st.st_mtim);
    x.ctime = statx_time(st.st_ctim);
    x.rdev_major = dev_major(st.st_rdev);
    x.rdev_minor = dev_minor(st.st_rdev);
    x.dev_major = dev_major(st.st_dev);
    x.dev_minor = dev_minor(st.st_dev);
    return copy_to_user(statxbuf, &x, sizeof(x)) ? -EFAULT : 0;
}

static s64 do_access(s64 dirfd, u64 upath, u64 mode, u64 flags)
{
    if (mode & ~(u64)7)
        return -EINVAL;
    struct nameidata nd;
    s64 err = vfs_walk_user(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, &nd);
    if (err)
        return err;
    struct inode *n = nd.node;
    /* root: reading and writing are allowed where the file system is writable;
     * executing needs an x bit */
    u32 type = n->mode & S_IFMT;
    if ((mode & W_OK) && type != S_IFCHR &&
        !(type == S_IFDIR ? writable_fs(n) : n->ops->truncate != NULL))
        return -EROFS;
    if ((mode & X_OK) && (n->mode & S_IFMT) != S_IFDIR && !(n->mode & 0111))
        return -EACCES;
    return 0;
}

SYSCALL2(access, path, mode)
{
    return do_access(AT_FDCWD, path, mode, 0);
}

SYSCALL3(faccessat, dirfd, path, mode)
{
    return do_access((s64)(s32)dirfd, path, mode, 0);
}

SYSCALL4(faccessat2, dirfd, path, mode, flags)
{
    if (flags & ~(u64)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    return do_access((s64)(s32)dirfd, path, mode, flags);
}

static s64 do_readlink(s64 dirfd, u64 upath, u64 ubuf, u64 size)
{
    if ((s64)size <= 0)
        return -EINVAL;
    struct nameidata nd;
    s64 err = vfs_walk_user(dirfd, upath, 0, &nd);
    if (err)
        return err;
    if ((nd.node->mode & S_IFMT) != S_IFLNK || !nd.node->ops->readlink)
        return -EINVAL;
    char target[PATH_MAX];
    s64 n = nd.node->ops->readlink(nd.node, target, MIN(size, sizeof(target)));
    if (n < 0)
        return n;
    return copy_to_user(ubuf, target, (u64)n) ? -EFAULT : n; /* readlink does not terminate */
}

SYSCALL3(readlink, path, buf, bufsize)
{
    return do_readlink(AT_FDCWD, path, buf, bufsize);
}

SYSCALL4(readlinkat, dirfd, path, buf, bufsize)
{
    return do_readlink((s64)(s32)dirfd, path, buf, bufsize);
}

/* ---- directories ---- */

struct dirent_sink {
    u64 ubuf, size, used;
    s64 next_cursor;
    bool full;
    s64 err;
};

static bool emit_dirent(void *ctx, const char *name, size_t len, u64 ino, u32 type)
{
    struct dirent_sink *s = ctx;
    u64 reclen = ALIGN_UP(19 + len + 1, 8);
    if (s->used + reclen > s->size) {
        s->full = true;
        return false;
    }
    u8 rec[19 + NAME_MAX + 1 + 8];
    memzero(rec, sizeof(rec));
    s64 off = s->next_cursor;
    u16 rl = (u16)reclen;
    memcpy(rec, &ino, 8);
    memcpy(rec + 8, &off, 8);
    memcpy(rec + 16, &rl, 2);
    rec[18] = (u8)type;
    memcpy(rec + 19, name, len);
    if (copy_to_user(s->ubuf + s->used, rec, reclen)) {
        s->err = -EFAULT;
        s->full = true;
        return false;
    }
    s->used += reclen;
    return true;
}

#define CURSOR_MOUNTS (1ll << 62)

SYSCALL3(getdents64, fd, dirp, count)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    struct inode *dir = file_inode(f);
    if (!dir || (dir->mode & S_IFMT) != S_IFDIR)
        return -ENOTDIR;
    struct dirent_sink s = {dirp, count, 0, 0, false, 0};
    /* cursor: 0 ".", 1 "..", 2+k the file system's cursor k, then the mounts */
    while (!s.full && f->offset < 2) {
        struct inode *n = f->offset == 0 ? dir : dir->parent;
        s.next_cursor = f->offset + 1;
        if (!emit_dirent(&s, "..", f->offset == 0 ? 1 : 2, n->ino, DT_DIR))
            break;
        f->offset++;
    }
    if (!s.full && f->offset < CURSOR_MOUNTS) {
        /* the file system emits what fits and leaves pos at the first it could not */
        if (dir->ops->readdir) {
            u64 pos = (u64)(f->offset - 2);
            s.next_cursor = f->offset + 1;
            dir->ops->readdir(dir, &pos, emit_dirent, &s);
            f->offset = (s64)pos + 2;
        }
        if (!s.full)
            f->offset = CURSOR_MOUNTS;
    }
    while (!s.full) {
        const char *name;
        struct inode *root, *shadow;
        if (!vfs_mount_at(dir, (unsigned)(f->offset - CURSOR_MOUNTS), &name, &root))
            break;
        /* a mount over a name the directory has was listed by the directory already */
        if (!(dir->ops->lookup && dir->ops->lookup(dir, name, strlen(name), &shadow) == 0)) {
            s.next_cursor = f->offset + 1;
            if (!emit_dirent(&s, name, strlen(name), root->ino, DT_DIR))
                break;
        }
        f->offset++;
    }
    if (s.err && s.used == 0)
        return s.err;
    if (s.used == 0 && s.full)
        return -EINVAL; /* the buffer cannot hold even one entry */
    return (s64)s.used;
}

static s64 do_mkdir(s64 dirfd, u64 upath, u64 mode)
{
    struct nameidata nd;
    s64 err = vfs_walk_user(dirfd, upath, VFS_PARENT, &nd);
    if (err)
        return err;
    if (nd.node)
        return -EEXIST;
    if (!writable_fs(nd.parent))
        return -EROFS;
    struct inode *n;
    return nd.parent->ops->create(nd.parent, nd.last, nd.last_len,
                                  S_IFDIR | ((u32)mode & 07777 & ~vfs_umask()), &n);
}

SYSCALL2(mkdir, path, mode)
{
    return do_mkdir(AT_FDCWD, path, mode);
}

SYSCALL3(mkdirat, dirfd, path, mode)
{
    return do_mkdir((s64)(s32)dirfd, path, mode);
}

static s64 do_unlink(s64 dirfd, u64 upath, bool is_dir)
{
    struct nameidata nd;
    s64 err = vfs_walk_user(dirfd, upath, VFS_PARENT, &nd);
    if (err)
        return err;
    if (!nd.node)
        return -ENOENT;
    if (nd.last_len == 0)
        return is_dir ? -EBUSY : -EISDIR;
    if (nd.last_len == 1 && nd.last[0] == '.')
        return -EINVAL;
    if (nd.last_len == 2 && nd.last[0] == '.' && nd.last[1] == '.')
        return -ENOTEMPTY;
    if (!nd.parent->ops->unlink)
        return -EROFS;
    if (nd.trailing_slash && !is_dir)
        return (nd.node->mode & S_IFMT) == S_IFDIR ? -EISDIR : -ENOTDIR;
    const char *dummy;
    struct inode *r;
    for (unsigned i = 0; vfs_mount_at(nd.parent, i, &dummy, &r); i++)
        if (r == nd.node)
            return -EBUSY;
    return nd.parent->ops->unlink(nd.parent, nd.last, nd.last_len, is_dir);
}

SYSCALL1(unlink, path)
{
    return do_unlink(AT_FDCWD, path, false);
}

SYSCALL1(rmdir, path)
{
    return do_unlink(AT_FDCWD, path, true);
}

SYSCALL3(unlinkat, dirfd, path, flags)
{
    if (flags & ~(u64)AT_REMOVEDIR)
        return -EINVAL;
    return do_unlink((s64)(s32)dirfd, path, flags & AT_REMOVEDIR);
}

static s64 do_rename(s64 odirfd, u64 opath, s64 ndirfd, u64 npath, u64 flags)
{
    if (flags & ~(u64)RENAME_NOREPLACE)
        return -EINVAL;
    struct nameidata o, n;
    s64 err = vfs_walk_user(odirfd, opath, VFS_PARENT, &o);
    if (err)
        return err;
    struct inode *oparent = o.parent;
    char oname[NAME_MAX + 1];
    size_t olen = o.last_len;
    memcpy(oname, o.last, olen + 1);
    err = vfs_walk_user(ndirfd, npath, VFS_PARENT, &n);
    if (err)
        return err;
    if (!o.node)
        return -ENOENT;
    if (olen == 0 || n.last_len == 0)
        return -EBUSY;
    if ((flags & RENAME_NOREPLACE) && n.node)
        return -EEXIST;
    if (!oparent->ops->rename || !n.parent->ops->rename)
        return -EROFS;
    if (oparent->ops != n.parent->ops || oparent->dev != n.parent->dev)
        return -EXDEV;
    return oparent->ops->rename(oparent, oname, olen, n.parent, n.last, n.last_len);
}

SYSCALL2(rename, oldpath, newpath)
{
    return do_rename(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

SYSCALL4(renameat, olddirfd, oldpath, newdirfd, newpath)
{
    return do_rename((s64)(s32)olddirfd, oldpath, (s64)(s32)newdirfd, newpath, 0);
}

SYSCALL5(renameat2, olddirfd, oldpath, newdirfd, newpath, flags)
{
    return do_rename((s64)(s32)olddirfd, oldpath, (s64)(s32)newdirfd, newpath, flags);
}

static s64 do_symlink(u64 utarget, s64 dirfd, u64 upath)
{
    static char target[PATH_MAX];
    long tl = strncpy_from_user(target, utarget, sizeof(target));
    if (tl < 0)
        return tl;
    if (tl == 0)
        return -ENOENT;
    struct nameidata nd;
    s64 err = vfs_walk_user(dirfd, upath, VFS_PARENT, &nd);
    if (err)
        return err;
    if (nd.node)
        return -EEXIST;
    if (!nd.parent->ops->symlink)
        return -EROFS;
    return nd.parent->ops->symlink(nd.parent, nd.last, nd.last_len, target);
}

SYSCALL2(symlink, target, linkpath)
{
    return do_symlink(target, AT_FDCWD, linkpath);
}

SYSCALL3(symlinkat, target, newdirfd, linkpath)
{
    return do_symlink(target, (s64)(s32)newdirfd, linkpath);
}

#define AT_SYMLINK_FOLLOW 0x400

/* link and linkat: a second name for a file, in the same file system (tmpfs: the
 * image is read-only). Linux's order of checks: the old name, the new one free, the new
 * directory writable, the same mount, not a directory. */
static s64 do_link(s64 odirfd, u64 opath, s64 ndirfd, u64 npath, u64 flags)
{
    if (flags & ~(u64)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct inode *old;
    char first;
    if ((flags & AT_EMPTY_PATH) && strncpy_from_user(&first, opath, 1) == 0) {
        struct file *f = fd_get(odirfd);
        if (!f)
            return -EBADF;
        if (!(old = file_inode(f)))
            return -ENOENT; /* a pipe or a socket has no name to add to */
    } else {
        struct nameidata o;
        s64 err = vfs_walk_user(odirfd, opath, flags & AT_SYMLINK_FOLLOW ? VFS_FOLLOW : 0, &o);
        if (err)
            return err;
        old = o.node;
    }
    struct nameidata n;
    s64 err = vfs_walk_user(ndirfd, npath, VFS_PARENT, &n);
    if (err)
        return err;
    if (n.node)
        return -EEXIST;
    if (n.trailing_slash)
        return -ENOENT;
    if (!n.parent->ops->link)
        return -EROFS;
    if (old->dev != n.parent->dev)
        return -EXDEV;
    if ((old->mode & S_IFMT) == S_IFDIR)
        return -EPERM;
    return n.parent->ops->link(n.parent, n.last, n.last_len, old);
}

SYSCALL2(link, oldpath, newpath)
{
    return do_link(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

SYSCALL5(linkat, olddirfd, oldpath, newdirfd, newpath, flags)
{
    return do_link((s64)(s32)olddirfd, oldpath, (s64)(s32)newdirfd, newpath, flags);
}

/* ---- working directory, sizes, sync ---- */

SYSCALL1(chdir, path)
{
    struct nameidata nd;
    s64 err = vfs_walk_user(AT_FDCWD, path, VFS_FOLLOW, &nd);
    if (err)
        return err;
    if ((nd.node->mode & S_IFMT) != S_IFDIR)
        return -ENOTDIR;
    vfs_set_cwd(nd.node);
    return 0;
}

SYSCALL1(fchdir, fd)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    struct inode *n = file_inode(f);
    if (!n || (n->mode & S_IFMT) != S_IFDIR)
        return -ENOTDIR;
    vfs_set_cwd(n);
    return 0;
}

SYSCALL2(getcwd, buf, size)
{
    char path[PATH_MAX];
    s64 n = vfs_path_of(vfs_cwd(), path, sizeof(path));
    if (n < 0)
        return n;
    if ((u64)n + 1 > size)
        return -ERANGE;
    return copy_to_user(buf, path, (u64)n + 1) ? -EFAULT : n + 1;
}

SYSCALL1(umask, mask)
{
    u32 old = current_process()->umask;
    current_process()->umask = (u32)mask & 0777;
    return old;
}

static s64 truncate_node(struct inode *n, s64 len)
{
    if (len < 0)
        return -EINVAL;
    if ((n->mode & S_IFMT) == S_IFDIR)
        return -EISDIR;
    if (!n->ops->truncate)
        return (n->mode & S_IFMT) == S_IFREG ? -EROFS : -EINVAL;
    return n->ops->truncate(n, (u64)len);
}

SYSCALL2(truncate, path, length)
{
    struct nameidata nd;
    s64 err = vfs_walk_user(AT_FDCWD, path, VFS_FOLLOW, &nd);
    return err ? err : truncate_node(nd.node, (s64)length);
}

SYSCALL2(ftruncate, fd, length)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    if (!file_inode(f) || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL;
    return truncate_node(file_inode(f), (s64)length);
}

SYSCALL1(fsync, fd)
{
    /* nothing is buffered between the workload and its files' memory */
    return fd_get((s64)fd) ? 0 : -EBADF;
}

SYSCALL1(fdatasync, fd)
{
    return fd_get((s64)fd) ? 0 : -EBADF;
}
