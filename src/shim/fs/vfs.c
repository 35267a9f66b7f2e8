/* Path resolution, mounts, and what every file system shares (vfs.h). */
#include "fs/vfs.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "mm/uaccess.h"
#include "kernel/process.h"

#define MAX_MOUNTS   8
#define MAX_SYMLINKS 40

struct mount {
    struct inode *dir;
    char name[16];
    struct inode *root;
};

static struct mount mounts[MAX_MOUNTS];
static unsigned nr_mounts;
static struct inode *root_inode; /* one root per VM: there is no chroot */
static u64 ino_counter = 1u << 20;

void vfs_init(struct inode *root)
{
    root_inode = current_process()->cwd = root;
    root->parent = root;
}

void vfs_mount(struct inode *dir, const char *name, struct inode *root)
{
    if (nr_mounts == MAX_MOUNTS)
        return;
    struct mount *m = &mounts[nr_mounts++];
    m->dir = dir;
    strlcpy(m->name, name, sizeof(m->name));
    m->root = root;
    root->parent = dir;
}

bool vfs_mount_at(struct inode *dir, unsigned n, const char **name, struct inode **root)
{
    for (unsigned i = 0; i < nr_mounts; i++) {
        if (mounts[i].dir != dir)
            continue;
        if (n-- == 0) {
            *name = mounts[i].name;
            *root = mounts[i].root;
            return true;
        }
    }
    return false;
}

struct inode *vfs_root(void)
{
    return root_inode;
}

struct inode *vfs_cwd(void)
{
    return current_process()->cwd;
}

void vfs_set_cwd(struct inode *dir)
{
    current_process()->cwd = dir;
}

u64 vfs_next_ino(void)
{
    return ino_counter++;
}

static bool is_dir(const struct inode *n)
{
    return (n->mode & S_IFMT) == S_IFDIR;
}

s64 vfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    for (unsigned i = 0; i < nr_mounts; i++) {
        if (mounts[i].dir == dir && strlen(mounts[i].name) == len &&
            !memcmp(mounts[i].name, name, len)) {
            *out = mounts[i].root;
            return 0;
        }
    }
    if (!dir->ops->lookup)
        return -ENOENT;
    return dir->ops->lookup(dir, name, len, out);
}

static s64 start_dir(s64 dirfd, const char *path, struct inode **out)
{
    if (path[0] == '/') {
        *out = root_inode;
        return 0;
    }
    if (dirfd == AT_FDCWD) {
        *out = current_process()->cwd;
        return 0;
    }
    struct file *f = fd_get(dirfd);
    if (!f)
        return -EBADF;
    struct inode *n = file_inode(f);
    if (!n || !is_dir(n))
        return -ENOTDIR;
    *out = n;
    return 0;
}

/* A walk in progress: the path left to resolve and the directory reached so far. */
struct walk {
    char *buf; /* the path, rewritten in place as symlinks expand (PATH_MAX * 2 bytes) */
    char *p;   /* the next component, or the slashes before it */
    struct inode *cur;
    int links; /* symlinks followed so far */
    unsigned flags;
    struct nameidata *nd;
};

#define WALK_MORE 1 /* walk_step's "go on"; 0 and -errno end the walk */

static bool is_dot(const char *name, size_t len)
{
    return len == 1 && name[0] == '.';
}

static bool is_dot_dot(const char *name, size_t len)
{
    return len == 2 && name[0] == '.' && name[1] == '.';
}

/* The path ended on a directory ("/", "a/", "a/."): that directory is the answer. */
static s64 walk_ended_on_dir(struct walk *w)
{
    if (w->flags & VFS_PARENT) {
        w->nd->parent = w->cur;
        w->nd->last_len = 0;
    }
    w->nd->node = w->cur;
    return 0;
}

/* VFS_PARENT's answer for the last component: its directory, its name and the node
 * it names there, if any. */
static s64 walk_stop_at_parent(struct walk *w, const char *name, size_t len)
{
    struct nameidata *nd = w->nd;
    nd->parent = w->cur;
    memcpy(nd->last, name, len);
    nd->last[len] = 0;
    nd->last_len = len;
    nd->trailing_slash = *w->p == '/';
    if (is_dot(name, len) || is_dot_dot(name, len)) {
        nd->node = is_dot(name, len) ? w->cur : w->cur->parent;
        return 0;
    }
    struct inode *n = NULL;
    s64 err = vfs_lookup(w->cur, name, len, &n);
    if (err && err != -ENOENT)
        return err;
    nd->node = err ? NULL : n;
    return 0;
}

/* Replaces the walked part of the path by the link's target, so that the walk goes on
 * there; depth costs no stack. */
static s64 walk_into_symlink(struct walk *w, struct inode *link)
{
    if (++w->links > MAX_SYMLINKS)
        return -ELOOP;
    char target[PATH_MAX];
    s64 tlen = link->ops->readlink(link, target, sizeof(target));
    if (tlen < 0)
        return tlen;
    if (tlen == 0)
        return -ENOENT;
    size_t rlen = strlen(w->p);
    if ((size_t)tlen + rlen + 1 > PATH_MAX * 2)
        return -ENAMETOOLONG;
    /* the new path: target, then what was left after this component */
    memmove(w->buf + tlen, w->p, rlen + 1);
    memcpy(w->buf, target, (size_t)tlen);
    w->p = w->buf;
    if (target[0] == '/')
        w->cur = root_inode;
    return WALK_MORE;
}

/* Resolves one component of the path: WALK_MORE, or the walk's result. */
static s64 walk_step(struct walk *w)
{
    while (*w->p == '/')
        w->p++;
    if (!*w->p)
        return walk_ended_on_dir(w);
    char *name = w->p;
    while (*w->p && *w->p != '/')
        w->p++;
    size_t len = (size_t)(w->p - name);
    if (len > NAME_MAX)
        return -ENAMETOOLONG;
    char *rest = w->p;
    while (*rest == '/')
        rest++;
    bool last = *rest == 0, trailing_slash = *w->p == '/';
    if (!is_dir(w->cur))
        return -ENOTDIR;
    if (last && (w->flags & VFS_PARENT))
        return walk_stop_at_parent(w, name, len);
    if (is_dot(name, len))
        return WALK_MORE;
    if (is_dot_dot(name, len)) {
        w->cur = w->cur->parent;
        return WALK_MORE;
    }
    struct inode *next;
    s64 err = vfs_lookup(w->cur, name, len, &next);
    if (err)
        return err;
    bool is_link = (next->mode & S_IFMT) == S_IFLNK;
    bool follow = !last || (w->flags & VFS_FOLLOW) || trailing_slash;
    if (is_link && follow && next->ops->open && last && !trailing_slash) {
        /* a "magic" link (/proc/self/fd/N, /dev/stdin): it opens what it names */
        w->nd->node = next;
        return 0;
    }
    if (is_link && follow)
        return walk_into_symlink(w, next);
    w->cur = next;
    if (last && !trailing_slash) {
        w->nd->node = next;
        return 0;
    }
    return WALK_MORE;
}

/* Walks `path` component by component (walk_step), from dirfd or the root. */
s64 vfs_walk(s64 dirfd, const char *path, unsigned flags, struct nameidata *nd)
{
    static char buf[PATH_MAX * 2];
    size_t plen = strnlen(path, PATH_MAX);
    if (plen == 0)
        return -ENOENT;
    if (plen == PATH_MAX)
        return -ENAMETOOLONG;
    struct walk w = {.buf = buf, .p = buf, .flags = flags, .nd = nd};
    s64 err = start_dir(dirfd, path, &w.cur);
    if (err)
        return err;
    memcpy(buf, path, plen + 1);
    memzero(nd, sizeof(*nd));
    while ((err = walk_step(&w)) == WALK_MORE)
        ;
    return err;
}

s64 vfs_walk_user(s64 dirfd, u64 upath, unsigned flags, struct nameidata *nd)
{
    static char path[PATH_MAX];
    long n = strncpy_from_user(path, upath, sizeof(path));
    if (n < 0)
        return n;
    return vfs_walk(dirfd, path, flags, nd);
}

struct child_finder {
    struct inode *dir, *want;
    char name[NAME_MAX + 1];
    size_t len;
};

static bool find_child(void *ctx, const char *name, size_t len, u64 ino, u32 type)
{
    struct child_finder *f = ctx;
    struct inode *n;
    if (ino == f->want->ino && vfs_lookup(f->dir, name, len, &n) == 0 && n == f->want) {
        memcpy(f->name, name, len);
        f->len = len;
        return false; /* found: stop */
    }
    return true;
}

s64 vfs_path_of(struct inode *dir, char *buf, size_t size)
{
    /* climb to the root, finding each inode's name in its parent (getcwd is rare) */
    static char tmp[PATH_MAX];
    size_t pos = sizeof(tmp);
    tmp[--pos] = 0;
    for (struct inode *n = dir; n != root_inode; n = n->parent) {
        struct inode *parent = n->parent;
        struct child_finder f = {parent, n, {0}, 0};
        for (unsigned i = 0; i < nr_mounts && !f.len; i++) {
            if (mounts[i].root == n) {
                f.len = strlen(mounts[i].name);
                memcpy(f.name, mounts[i].name, f.len);
            }
        }
        u64 cursor = 0;
        if (!f.len && parent->ops->readdir)
            parent->ops->readdir(parent, &cursor, find_child, &f);
        if (!f.len)
            return -ENOENT; /* unlinked, as Linux says for a removed cwd */
        if (f.len + 1 > pos)
            return -ENAMETOOLONG;
        pos -= f.len;
        memcpy(tmp + pos, f.name, f.len);
        tmp[--pos] = '/';
    }
    if (pos == sizeof(tmp) - 1)
        tmp[--pos] = '/';
    size_t len = sizeof(tmp) - 1 - pos;
    if (len + 1 > size)
        return -ERANGE;
    memcpy(buf, tmp + pos, len + 1);
    return (s64)len;
}

/* times before 1970 are negative: the nanoseconds stay in 0..1e9-1, as in a timespec */
static struct linux_timespec ns_timespec(s64 ns)
{
    s64 sec = ns / 1000000000, rem = ns % 1000000000;
    if (rem < 0) {
        sec--;
        rem += 1000000000;
    }
    struct linux_timespec ts = {sec, rem};
    return ts;
}

void vfs_stat(const struct inode *node, struct linux_stat *st)
{
    memzero(st, sizeof(*st));
    st->st_dev = node->dev;
    st->st_ino = node->ino;
    st->st_nlink = node->nlink;
    st->st_mode = node->mode;
    st->st_uid = node->uid;
    st->st_gid = node->gid;
    st->st_rdev = node->rdev;
    st->st_size = (s64)node->size;
    st->st_blksize = 4096;
    st->st_blocks = (s64)((node->size + 511) / 512);
    st->st_atim = ns_timespec(node->atime_ns);
    st->st_mtim = ns_timespec(node->mtime_ns);
    st->st_ctim = ns_timespec(node->ctime_ns);
}

u32 vfs_dtype(u32 mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR:
        return DT_DIR;
    case S_IFREG:
        return DT_REG;
    case S_IFLNK:
        return DT_LNK;
    case S_IFCHR:
        return DT_CHR;
    case S_IFIFO:
        return DT_FIFO;
    default:
        return DT_UNKNOWN;
    }
}

struct file *vfs_file_new(const struct file_ops *ops, struct inode *node, u32 flags)
{
    struct file *f = file_new(ops, flags, 0);
    if (!f)
        return NULL;
    f->inode = node;
    node->opens++;
    return f;
}

struct inode *file_inode(struct file *f)
{
    return f->inode;
}

void vfs_file_closed(struct inode *node)
{
    if (--node->opens == 0 && node->ops->last_close)
        node->ops->last_close(node);
}

static s64 dir_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    return 0;
}

static s64 dir_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    return -EISDIR;
}

const struct file_ops vfs_dir_file_ops = {
    .read = dir_read,
    .stat = dir_stat,
    .seekable = true,
    .poll = file_always_ready,
};

s64 vfs_dir_open(struct inode *node, u32 flags, struct file **out)
{
    if ((flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    struct file *f = vfs_file_new(&vfs_dir_file_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}
