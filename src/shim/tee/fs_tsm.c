/*
 * configfs-tsm, Linux's generic attestation interface, for the sev_guest provider:
 * /sys/kernel/config/tsm/report/. A workload makes a report entry with mkdir, writes
 * up to 64 bytes of report data to inblob (and optionally a privlevel), then reads
 * outblob (the raw ATTESTATION_REPORT) and auxblob (the certificate table). generation
 * counts the writes, so a reader can tell that its inputs changed under it. Errors are
 * Linux's: EINVAL for an oversized inblob or a bad privlevel, EACCES for the wrong
 * direction on an attribute.
 */
#include "tee/fs_tsm.h"
#include "tee/attest.h"
#include "uapi/errno.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "mm/uaccess.h"

#define TSM_DEV     0x7
#define MAX_REPORTS 16
#define INBLOB_MAX  64

enum attr {
    A_INBLOB,
    A_OUTBLOB,
    A_AUXBLOB,
    A_PROVIDER,
    A_GENERATION,
    A_PRIVLEVEL,
    A_PRIVLEVEL_FLOOR,
    NR_ATTRS
};
static const char *const attr_names[NR_ATTRS] = {
    "inblob", "outblob", "auxblob", "provider", "generation", "privlevel", "privlevel_floor"};
static const u32 attr_modes[NR_ATTRS] = {0200, 0444, 0444, 0444, 0444, 0644, 0444};

struct report;

struct attr_node {
    struct inode inode;
    struct report *r;
    enum attr a;
};

struct report {
    bool used;
    char name[NAME_MAX + 1];
    size_t name_len;
    struct inode dir;
    struct attr_node attrs[NR_ATTRS];
    u8 inblob[INBLOB_MAX];
    u32 privlevel;
    u32 generation;
    /* the report made for `made_generation` */
    bool made;
    u32 made_generation;
    u8 report[SNP_REPORT_SIZE];
    u8 *certs;
    u64 certs_len;
};

static struct report reports[MAX_REPORTS];
static struct inode report_dir;

/* ---- attribute files ---- */

static s64 make_report(struct report *r)
{
    if (r->made && r->made_generation == r->generation)
        return 0;
    if (!r->certs && !(r->certs = kmalloc(SNP_CERTS_MAX)))
        return -ENOMEM;
    s64 err =
        attest_report(r->privlevel, r->inblob, r->report, r->certs, SNP_CERTS_MAX, &r->certs_len);
    if (err)
        return err;
    r->made = true;
    r->made_generation = r->generation;
    return 0;
}

static s64 read_bytes(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off,
                      const void *data, u64 len)
{
    u64 pos = off < 0 ? (u64)f->offset : (u64)off;
    if (pos >= len)
        return 0;
    u64 n = MIN(iov_total(iov, cnt), len - pos);
    if (iov_copy_in(iov, cnt, 0, (const u8 *)data + pos, n))
        return -EFAULT;
    if (off < 0)
        f->offset += (s64)n;
    return (s64)n;
}

static s64 attr_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct attr_node *an = f->inode->priv;
    struct report *r = an->r;
    char text[32];
    int n;
    switch (an->a) {
    case A_OUTBLOB:
    case A_AUXBLOB: {
        s64 err = make_report(r);
        if (err)
            return err;
        return an->a == A_OUTBLOB ? read_bytes(f, iov, cnt, off, r->report, SNP_REPORT_SIZE)
                                  : read_bytes(f, iov, cnt, off, r->certs, r->certs_len);
    }
    case A_PROVIDER:
        return read_bytes(f, iov, cnt, off, "sev_guest\n", 10);
    case A_GENERATION:
        n = snprintf(text, sizeof(text), "%u\n", r->generation);
        return read_bytes(f, iov, cnt, off, text, (u64)n);
    case A_PRIVLEVEL:
        n = snprintf(text, sizeof(text), "%u\n", r->privlevel);
        return read_bytes(f, iov, cnt, off, text, (u64)n);
    case A_PRIVLEVEL_FLOOR:
        return read_bytes(f, iov, cnt, off, "0\n", 2); /* the workload runs at VMPL 0 */
    default:
        return -EACCES;
    }
}

static s64 attr_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct attr_node *an = f->inode->priv;
    struct report *r = an->r;
    u64 len = iov_total(iov, cnt);
    if (off > 0)
        return -EINVAL;
    if (an->a == A_INBLOB) {
        if (len > INBLOB_MAX)
            return -EINVAL;
        memzero(r->inblob, sizeof(r->inblob)); /* shorter data is zero-padded to 64 */
        if (iov_copy_out(r->inblob, iov, cnt, 0, len))
            return -EFAULT;
        r->generation++;
        return (s64)len;
    }
    if (an->a == A_PRIVLEVEL) {
        char text[16];
        if (len == 0 || len >= sizeof(text) || iov_copy_out(text, iov, cnt, 0, len))
            return len == 0 || len >= sizeof(text) ? -EINVAL : -EFAULT;
        text[len] = 0;
        u32 v = 0;
        size_t i = 0;
        for (; text[i] >= '0' && text[i] <= '9' && v < 1000; i++)
            v = v * 10 + (u32)(text[i] - '0');
        if (i == 0 || (text[i] && !(text[i] == '\n' && !text[i + 1])) || v > 3)
            return -EINVAL;
        r->privlevel = v;
        r->generation++;
        return (s64)len;
    }
    return -EACCES;
}

static s64 attr_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    return 0;
}

static const struct file_ops attr_file_ops = {
    .read = attr_read,
    .write = attr_write,
    .stat = attr_stat,
    .seekable = true,
    .poll = file_always_ready,
};

static s64 attr_open(struct inode *node, u32 flags, struct file **out)
{
    struct attr_node *an = node->priv;
    u32 mode = flags & O_ACCMODE;
    bool readable = attr_modes[an->a] & 0444, writable = attr_modes[an->a] & 0222;
    if ((mode != O_WRONLY && !readable) || (mode != O_RDONLY && !writable))
        return -EACCES;
    if (flags & O_DIRECTORY)
        return -ENOTDIR;
    struct file *f = vfs_file_new(&attr_file_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}

static const struct inode_ops attr_inode_ops = {.open = attr_open};

/* ---- a report entry's directory ---- */

static s64 entry_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    struct report *r = dir->priv;
    for (int i = 0; i < NR_ATTRS; i++) {
        if (strlen(attr_names[i]) == len && !memcmp(attr_names[i], name, len)) {
            *out = &r->attrs[i].inode;
            return 0;
        }
    }
    return -ENOENT;
}

static s64 entry_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    struct report *r = dir->priv;
    for (; *pos < NR_ATTRS; (*pos)++)
        if (!emit(ctx, attr_names[*pos], strlen(attr_names[*pos]), r->attrs[*pos].inode.ino,
                  DT_REG))
            break;
    return 0;
}

static const struct inode_ops entry_ops = {
    .lookup = entry_lookup, .readdir = entry_readdir, .open = vfs_dir_open};

/* ---- report/: mkdir and rmdir make and remove entries ---- */

static struct report *find_report(const char *name, size_t len)
{
    for (int i = 0; i < MAX_REPORTS; i++)
        if (reports[i].used && reports[i].name_len == len && !memcmp(reports[i].name, name, len))
            return &reports[i];
    return NULL;
}

static s64 reports_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    struct report *r = find_report(name, len);
    if (!r)
        return -ENOENT;
    *out = &r->dir;
    return 0;
}

static s64 reports_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    for (; *pos < MAX_REPORTS; (*pos)++) {
        struct report *r = &reports[*pos];
        if (r->used && !emit(ctx, r->name, r->name_len, r->dir.ino, DT_DIR))
            break;
    }
    return 0;
}

static s64 reports_create(struct inode *dir, const char *name, size_t len, u32 mode,
                          struct inode **out)
{
    if ((mode & S_IFMT) != S_IFDIR)
        return -EPERM; /* configfs: only mkdir makes things here */
    if (find_report(name, len))
        return -EEXIST;
    struct report *r = NULL;
    for (int i = 0; i < MAX_REPORTS && !r; i++)
        if (!reports[i].used)
            r = &reports[i];
    if (!r)
        return -ENOSPC;
    u8 *certs = r->certs; /* kept for reuse */
    memzero(r, sizeof(*r));
    r->certs = certs;
    r->used = true;
    memcpy(r->name, name, len);
    r->name_len = len;
    r->dir = (struct inode){.ops = &entry_ops,
                            .parent = dir,
                            .ino = vfs_next_ino(),
                            .mode = S_IFDIR | 0755,
                            .nlink = 2,
                            .dev = TSM_DEV,
                            .priv = r};
    for (int i = 0; i < NR_ATTRS; i++) {
        r->attrs[i] = (struct attr_node){.inode = {.ops = &attr_inode_ops,
                                                   .ino = vfs_next_ino(),
                                                   .mode = S_IFREG | attr_modes[i],
                                                   .nlink = 1,
                                                   .dev = TSM_DEV},
                                         .r = r,
                                         .a = (enum attr)i};
        r->attrs[i].inode.priv = &r->attrs[i];
        r->attrs[i].inode.size = i == A_OUTBLOB ? SNP_REPORT_SIZE : 4096;
    }
    dir->nlink++;
    *out = &r->dir;
    return 0;
}

static s64 reports_unlink(struct inode *dir, const char *name, size_t len, bool is_dir)
{
    struct report *r = find_report(name, len);
    if (!r)
        return -ENOENT;
    if (!is_dir)
        return -EISDIR;
    r->used = false;
    dir->nlink--;
    return 0;
}

static s64 reports_symlink(struct inode *dir, const char *name, size_t len, const char *t)
{
    return -EPERM;
}

static const struct inode_ops reports_ops = {
    .lookup = reports_lookup,
    .readdir = reports_readdir,
    .open = vfs_dir_open,
    .create = reports_create,
    .unlink = reports_unlink,
    .symlink = reports_symlink,
};

struct inode *tsm_report_dir_new(void)
{
    report_dir = (struct inode){.ops = &reports_ops,
                                .ino = vfs_next_ino(),
                                .mode = S_IFDIR | 0755,
                                .nlink = 2,
                                .dev = TSM_DEV};
    return &report_dir;
}
