/*
 * tmpfs. Directories are lists of entries (workloads keep few files in /tmp); file data
 * is an array of pages, allocated as written, holes reading as zeros. The size limit
 * counts pages of file data, as Linux's tmpfs does. An inode is freed when it has no
 * name left and no open file.
 */
#include "fs/fs_tmp.h"
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "arch/x86/paging.h"

/* st_dev of the first tmpfs; each further one takes the next number, so that link and
 * rename between two of them are EXDEV, as between Linux's tmpfs mounts */
#define TMPFS_DEV 0x2a

struct tmp_dirent {
    struct tmp_dirent *next;
    struct inode *node;
    size_t len;
    char name[NAME_MAX + 1];
};

/* One tmpfs instance: its size limit and use (/tmp, /dev/shm and /run each have their
 * own), and its device number. */
struct tmpfs_sb {
    u64 limit_pages, used_pages;
    u32 dev;
};

struct tmp_node {
    struct inode inode;
    struct tmpfs_sb *sb;
    struct tmp_dirent *children;
    u64 *pages; /* file data, one GPA per page, 0 for a hole */
    u64 npages;
    char *target; /* symlink */
};

static const struct inode_ops tmp_dir_ops, tmp_file_ops_inode, tmp_link_ops;
static const struct file_ops tmp_file_ops;

static struct tmp_node *tnode(struct inode *n)
{
    return n->priv;
}

/* The contents changed: mtime and ctime are now. */
static void touch(struct inode *n)
{
    n->mtime_ns = n->ctime_ns = clock_realtime_ns();
}

static struct tmp_node *new_node(struct tmpfs_sb *sb, u32 mode)
{
    struct tmp_node *t = kmalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->sb = sb;
    t->inode.priv = t;
    t->inode.mode = mode;
    t->inode.ino = vfs_next_ino();
    t->inode.dev = sb->dev;
    t->inode.atime_ns = t->inode.mtime_ns = t->inode.ctime_ns = clock_realtime_ns();
    u32 type = mode & S_IFMT;
    t->inode.ops = type == S_IFDIR   ? &tmp_dir_ops
                   : type == S_IFREG ? &tmp_file_ops_inode
                                     : &tmp_link_ops;
    return t;
}

/* Drops file pages from page index `from` on. */
static void drop_pages(struct tmp_node *t, u64 from)
{
    for (u64 i = from; i < t->npages; i++) {
        if (t->pages[i]) {
            page_free(t->pages[i]);
            t->pages[i] = 0;
            t->sb->used_pages--;
        }
    }
}

static void maybe_free(struct inode *n)
{
    if (n->nlink || n->opens)
        return;
    struct tmp_node *t = tnode(n);
    drop_pages(t, 0);
    kfree(t->pages);
    kfree(t->target);
    kfree(t);
}

struct inode *tmpfs_new(u64 max_bytes)
{
    struct tmpfs_sb *sb = kmalloc(sizeof(*sb));
    if (!sb)
        return NULL;
    static u32 instances;
    sb->limit_pages = max_bytes / PAGE_SIZE;
    sb->dev = TMPFS_DEV + instances++;
    struct tmp_node *root = new_node(sb, S_IFDIR | 01777);
    if (!root)
        return NULL;
    root->inode.nlink = 2;
    root->inode.parent = &root->inode;
    return &root->inode;
}

static struct tmp_dirent **find_entry(struct inode *dir, const char *name, size_t len)
{
    struct tmp_dirent **pp = &tnode(dir)->children;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->len == len && !memcmp((*pp)->name, name, len))
            return pp;
    return pp;
}

static s64 tmp_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    struct tmp_dirent *d = *find_entry(dir, name, len);
    if (!d)
        return -ENOENT;
    *out = d->node;
    return 0;
}

static s64 tmp_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    u64 i = 0;
    for (struct tmp_dirent *d = tnode(dir)->children; d; d = d->next, i++) {
        if (i < *pos)
            continue;
        if (!emit(ctx, d->name, d->len, d->node->ino, vfs_dtype(d->node->mode)))
            break;
        *pos = i + 1;
    }
    return 0;
}

static s64 link_in(struct inode *dir, const char *name, size_t len, struct inode *node)
{
    struct tmp_dirent *d = kmalloc(sizeof(*d));
    if (!d)
        return -ENOSPC;
    d->node = node;
    d->len = len;
    memcpy(d->name, name, len);
    d->next = tnode(dir)->children;
    tnode(dir)->children = d;
    node->nlink++;
    touch(dir);
    if ((node->mode & S_IFMT) == S_IFDIR) {
        node->parent = dir;
        node->nlink++; /* its "." */
        dir->nlink++;  /* its ".." */
    }
    return 0;
}

static s64 tmp_create(struct inode *dir, const char *name, size_t len, u32 mode, struct inode **out)
{
    if (*find_entry(dir, name, len))
        return -EEXIST;
    struct tmp_node *t = new_node(tnode(dir)->sb, mode);
    if (!t)
        return -ENOSPC;
    s64 err = link_in(dir, name, len, &t->inode);
    if (err) {
        kfree(t);
        return err;
    }
    *out = &t->inode;
    return 0;
}

static s64 tmp_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
    if (*find_entry(dir, name, len))
        return -EEXIST;
    struct tmp_node *t = new_node(tnode(dir)->sb, S_IFLNK | 0777);
    size_t tlen = strlen(target);
    if (!t || !(t->target = kmalloc(tlen + 1))) {
        kfree(t);
        return -ENOSPC;
    }
    memcpy(t->target, target, tlen + 1);
    t->inode.size = tlen;
    s64 err = link_in(dir, name, len, &t->inode);
    if (err) {
        kfree(t->target);
        kfree(t);
    }
    return err;
}

static s64 tmp_link(struct inode *dir, const char *name, size_t len, struct inode *node)
{
    if (*find_entry(dir, name, len))
        return -EEXIST;
    if (!node->nlink)
        return -ENOENT; /* unlinked, open only: Linux refuses it a name again */
    node->ctime_ns = clock_realtime_ns();
    return link_in(dir, name, len, node);
}

/* Takes entry *pp out of its directory. */
static void unlink_entry(struct inode *dir, struct tmp_dirent **pp)
{
    struct tmp_dirent *d = *pp;
    struct inode *n = d->node;
    *pp = d->next;
    kfree(d);
    n->nlink--;
    if ((n->mode & S_IFMT) == S_IFDIR) {
        n->nlink--; /* its "." */
        dir->nlink--;
    }
    touch(dir);
    maybe_free(n);
}

static s64 tmp_unlink(struct inode *dir, const char *name, size_t len, bool is_dir)
{
    struct tmp_dirent **pp = find_entry(dir, name, len);
    if (!*pp)
        return -ENOENT;
    struct inode *n = (*pp)->node;
    bool d = (n->mode & S_IFMT) == S_IFDIR;
    if (is_dir && !d)
        return -ENOTDIR;
    if (!is_dir && d)
        return -EISDIR;
    if (d && tnode(n)->children)
        return -ENOTEMPTY;
    unlink_entry(dir, pp);
    return 0;
}

static bool is_ancestor(struct inode *a, struct inode *n)
{
    for (;;) {
        if (n == a)
            return true;
        if (n->parent == n || !n->parent)
            return false;
        n = n->parent;
    }
}

static s64 tmp_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
                      const char *nname, size_t nlen)
{
    struct tmp_dirent **op = find_entry(odir, oname, olen);
    if (!*op)
        return -ENOENT;
    struct inode *n = (*op)->node;
    bool d = (n->mode & S_IFMT) == S_IFDIR;
    if (d && is_ancestor(n, ndir))
        return -EINVAL;
    struct tmp_dirent **np = find_entry(ndir, nname, nlen);
    if (*np) {
        struct inode *victim = (*np)->node;
        if (victim == n)
            return 0;
        bool vd = (victim->mode & S_IFMT) == S_IFDIR;
        if (d && !vd)
            return -ENOTDIR;
        if (!d && vd)
            return -EISDIR;
        if (vd && tnode(victim)->children)
            return -ENOTEMPTY;
        unlink_entry(ndir, np);
        op = find_entry(odir, oname, olen); /* the list may have changed */
    }
    n->opens++; /* keep it alive between the unlink and the link */
    unlink_entry(odir, op);
    s64 err = link_in(ndir, nname, nlen, n);
    n->opens--;
    maybe_free(n);
    return err;
}

static s64 set_size(struct tmp_node *t, u64 size)
{
    u64 need = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (need > t->npages) {
        u64 *p = krealloc(t->pages, need * sizeof(u64));
        if (!p)
            return -ENOSPC;
        memzero(p + t->npages, (need - t->npages) * sizeof(u64));
        t->pages = p;
        t->npages = need;
    } else {
        drop_pages(t, need);
        if (size % PAGE_SIZE && need && t->pages[need - 1]) {
            u8 *last = phys_to_virt(t->pages[need - 1]);
            memzero(last + size % PAGE_SIZE, PAGE_SIZE - size % PAGE_SIZE);
        }
    }
    t->inode.size = size;
    touch(&t->inode);
    return 0;
}

static s64 tmp_truncate(struct inode *node, u64 size)
{
    if ((node->mode & S_IFMT) == S_IFDIR)
        return -EISDIR;
    return set_size(tnode(node), size);
}

static void tmp_last_close(struct inode *node)
{
    maybe_free(node);
}

static s64 tmp_open(struct inode *node, u32 flags, struct file **out)
{
    bool dir = (node->mode & S_IFMT) == S_IFDIR;
    if (dir && (flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    if (!dir && (flags & O_DIRECTORY))
        return -ENOTDIR;
    if (!dir && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
        s64 err = set_size(tnode(node), 0);
        if (err)
            return err;
    }
    struct file *f = vfs_file_new(dir ? &vfs_dir_file_ops : &tmp_file_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}

struct file *tmpfs_anon_file(u64 size)
{
    /* Linux's internal shm mount: its own device, so no link or rename leads into it */
    static struct tmpfs_sb shared_anon = {~0ull, 0, TMPFS_DEV - 1};
    struct tmp_node *t = new_node(&shared_anon, S_IFREG | 0600);
    if (!t)
        return NULL;
    struct file *f = NULL;
    if (set_size(t, size) < 0 || tmp_open(&t->inode, O_RDWR, &f) < 0) {
        maybe_free(&t->inode);
        return NULL;
    }
    return f;
}

static s64 tmp_readlink(struct inode *node, char *buf, size_t size)
{
    struct tmp_node *t = tnode(node);
    size_t len = MIN(node->size, size);
    memcpy(buf, t->target, len);
    return (s64)len;
}

static s64 tmp_setattr(struct inode *n, const struct inode_attr *a)
{
    if (a->valid & ATTR_MODE)
        n->mode = (n->mode & S_IFMT) | (a->mode & 07777);
    if (a->valid & ATTR_UID)
        n->uid = a->uid;
    if (a->valid & ATTR_GID)
        n->gid = a->gid;
    if (a->valid & ATTR_ATIME)
        n->atime_ns = a->atime_ns;
    if (a->valid & ATTR_MTIME)
        n->mtime_ns = a->mtime_ns;
    n->ctime_ns = clock_realtime_ns();
    return 0;
}

static const struct inode_ops tmp_dir_ops = {
    .lookup = tmp_lookup,
    .readdir = tmp_readdir,
    .open = tmp_open,
    .create = tmp_create,
    .symlink = tmp_symlink,
    .link = tmp_link,
    .unlink = tmp_unlink,
    .rename = tmp_rename,
    .last_close = tmp_last_close,
    .setattr = tmp_setattr,
};
static const struct inode_ops tmp_file_ops_inode = {
    .open = tmp_open,
    .truncate = tmp_truncate,
    .last_close = tmp_last_close,
    .setattr = tmp_setattr,
};
static const struct inode_ops tmp_link_ops = {.readlink = tmp_readlink, .setattr = tmp_setattr};

/* ---- file data ---- */

static s64 page_for_write(struct tmp_node *t, u64 index)
{
    if (!t->pages[index]) {
        if (t->sb->used_pages >= t->sb->limit_pages)
            return -ENOSPC;
        u64 gpa = page_alloc();
        if (!gpa)
            return -ENOSPC;
        t->pages[index] = gpa;
        t->sb->used_pages++;
    }
    return (s64)t->pages[index];
}

static s64 tmp_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct tmp_node *t = tnode(f->inode);
    u64 pos = (f->flags & O_APPEND) ? t->inode.size : off < 0 ? (u64)f->offset : (u64)off;
    u64 total = iov_total(iov, cnt);
    if (pos + total < pos)
        return -EFBIG;
    if (pos + total > t->inode.size) {
        u64 old = t->inode.size;
        s64 err = set_size(t, pos + total);
        if (err)
            return err;
        t->inode.size = old; /* grows below as bytes land */
    }
    u64 done = 0;
    while (done < total) {
        u64 p = pos + done;
        s64 gpa = page_for_write(t, p / PAGE_SIZE);
        if (gpa < 0) {
            if (!done)
                return gpa;
            break;
        }
        u64 k = MIN(total - done, PAGE_SIZE - p % PAGE_SIZE);
        if (iov_copy_out((u8 *)phys_to_virt((u64)gpa) + p % PAGE_SIZE, iov, cnt, done, k)) {
            if (!done)
                return -EFAULT;
            break;
        }
        done += k;
        t->inode.size = MAX(t->inode.size, p + k);
    }
    touch(&t->inode);
    if (off < 0 || (f->flags & O_APPEND))
        f->offset = (s64)(pos + done);
    return (s64)done;
}

static s64 tmp_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    static const u8 zero_page[PAGE_SIZE];
    struct tmp_node *t = tnode(f->inode);
    u64 pos = off < 0 ? (u64)f->offset : (u64)off;
    if (pos >= t->inode.size)
        return 0;
    u64 want = MIN(iov_total(iov, cnt), t->inode.size - pos), done = 0;
    while (done < want) {
        u64 p = pos + done;
        u64 gpa = t->pages[p / PAGE_SIZE];
        const u8 *src = gpa ? (const u8 *)phys_to_virt(gpa) : zero_page;
        u64 k = MIN(want - done, PAGE_SIZE - p % PAGE_SIZE);
        if (iov_copy_in(iov, cnt, done, src + p % PAGE_SIZE, k))
            return done ? (s64)done : -EFAULT;
        done += k;
    }
    if (off < 0)
        f->offset += (s64)done;
    return (s64)done;
}

static s64 tmp_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    return 0;
}

static s64 tmp_page(struct file *f, u64 index)
{
    struct tmp_node *t = tnode(f->inode);
    if (index * PAGE_SIZE >= t->inode.size)
        return -EFAULT;
    return page_for_write(t, index);
}

static const struct file_ops tmp_file_ops = {
    .read = tmp_read,
    .write = tmp_write,
    .stat = tmp_stat,
    .page = tmp_page,
    .seekable = true,
    .poll = file_always_ready,
};

s64 tmpfs_write_kernel(struct inode *node, const void *buf, size_t len)
{
    struct tmp_node *t = tnode(node);
    s64 err = set_size(t, len);
    if (err)
        return err;
    for (size_t done = 0; done < len;) {
        s64 gpa = page_for_write(t, done / PAGE_SIZE);
        if (gpa < 0)
            return gpa;
        size_t k = MIN(len - done, PAGE_SIZE);
        memcpy(phys_to_virt((u64)gpa), (const u8 *)buf + done, k);
        done += k;
    }
    return (s64)len;
}
