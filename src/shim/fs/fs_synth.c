/* Synthetic directories and symlinks (fs_synth.h). */
#include "fs/fs_synth.h"
#include "uapi/errno.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"

s64 synth_dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    struct synth_dir *d = dir->priv;
    for (unsigned i = 0; i < d->count; i++) {
        if (strlen(d->names[i]) == len && !memcmp(d->names[i], name, len)) {
            *out = d->nodes[i];
            return 0;
        }
    }
    return -ENOENT;
}

s64 synth_dir_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    struct synth_dir *d = dir->priv;
    for (; *pos < d->count; (*pos)++) {
        struct inode *n = d->nodes[*pos];
        if (!emit(ctx, d->names[*pos], strlen(d->names[*pos]), n->ino, vfs_dtype(n->mode)))
            break;
    }
    return 0;
}

static const struct inode_ops synth_dir_ops = {
    .lookup = synth_dir_lookup,
    .readdir = synth_dir_readdir,
    .open = vfs_dir_open,
};

void synth_dir_init(struct synth_dir *d, u32 dev)
{
    d->inode.ops = &synth_dir_ops;
    d->inode.priv = d;
    d->inode.mode = S_IFDIR | 0555;
    d->inode.nlink = 2;
    d->inode.dev = dev;
    d->inode.ino = vfs_next_ino();
    d->inode.parent = &d->inode;
}

void synth_dir_add(struct synth_dir *d, const char *name, struct inode *node)
{
    if (d->count == SYNTH_MAX_ENTRIES)
        return;
    d->names[d->count] = name;
    d->nodes[d->count++] = node;
    if ((node->mode & S_IFMT) == S_IFDIR) {
        node->parent = &d->inode;
        d->inode.nlink++;
    }
}

static s64 synth_readlink(struct inode *node, char *buf, size_t size)
{
    struct synth_link *l = node->priv;
    return l->target(buf, size);
}

static const struct inode_ops synth_link_ops = {.readlink = synth_readlink};

void synth_link_init(struct synth_link *l, u32 dev, s64 (*target)(char *, size_t))
{
    l->target = target;
    l->inode.ops = &synth_link_ops;
    l->inode.priv = l;
    l->inode.mode = S_IFLNK | 0777;
    l->inode.nlink = 1;
    l->inode.dev = dev;
    l->inode.ino = vfs_next_ino();
}

#define TEXT_MAX (1u << 20)

void text_printf(struct text *t, const char *fmt, ...)
{
    if (!t->buf)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len = MIN(t->len + (size_t)n, t->cap - 1); /* truncated at the cap */
}

static s64 text_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct text *t = (struct text *)f->priv;
    u64 pos = off < 0 ? (u64)f->offset : (u64)off;
    if (pos >= t->len)
        return 0;
    u64 n = MIN(iov_total(iov, cnt), t->len - pos);
    if (iov_copy_in(iov, cnt, 0, t->buf + pos, n))
        return -EFAULT;
    if (off < 0)
        f->offset += (s64)n;
    return (s64)n;
}

static s64 text_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    st->st_size = 0; /* as /proc reports: the size is known only by reading */
    return 0;
}

static void text_release(struct file *f)
{
    struct text *t = (struct text *)f->priv;
    kfree(t->buf);
    kfree(t);
}

static const struct file_ops text_file_ops = {
    .read = text_read,
    .stat = text_stat,
    .release = text_release,
    .seekable = true,
    .poll = file_always_ready,
};

s64 synth_text_open(struct inode *node, u32 flags, void (*fill)(struct text *t, void *ctx),
                    void *ctx, struct file **out)
{
    if ((flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    if (flags & O_DIRECTORY)
        return -ENOTDIR;
    struct text *t = kmalloc(sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->cap = TEXT_MAX;
    t->buf = kmalloc(t->cap);
    if (!t->buf) {
        kfree(t);
        return -ENOMEM;
    }
    fill(t, ctx);
    struct file *f = vfs_file_new(&text_file_ops, node, flags);
    if (!f) {
        kfree(t->buf);
        kfree(t);
        return -ENFILE;
    }
    f->priv = (u64)t;
    *out = f;
    return 0;
}

static void fill_synth_file(struct text *t, void *ctx)
{
    ((struct synth_file *)ctx)->generate(t);
}

static s64 synth_file_open(struct inode *node, u32 flags, struct file **out)
{
    return synth_text_open(node, flags, fill_synth_file, node->priv, out);
}

static const struct inode_ops synth_file_inode_ops = {.open = synth_file_open};

void synth_file_init(struct synth_file *f, u32 dev, void (*generate)(struct text *t))
{
    f->generate = generate;
    f->inode.ops = &synth_file_inode_ops;
    f->inode.priv = f;
    f->inode.mode = S_IFREG | 0444;
    f->inode.nlink = 1;
    f->inode.dev = dev;
    f->inode.ino = vfs_next_ino();
}
