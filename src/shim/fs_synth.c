/* Synthetic directories and symlinks (fs_synth.h). */
#include "fs_synth.h"
#include "errno.h"
#include "lib.h"

static s64 synth_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
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

static s64 synth_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    struct synth_dir *d = dir->priv;
    for (; *pos < d->count; (*pos)++) {
        struct inode *n = d->nodes[*pos];
        if (!emit(ctx, d->names[*pos], strlen(d->names[*pos]), n->ino, vfs_dtype(n->mode)))
            break;
    }
    return 0;
}

static s64 synth_open(struct inode *node, u32 flags, struct file **out)
{
    if ((flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    struct file *f = vfs_file_new(&vfs_dir_file_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}

static const struct inode_ops synth_dir_ops = {
    .lookup = synth_lookup,
    .readdir = synth_readdir,
    .open = synth_open,
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
