/*
 * /dev: the devices programs open by name. null and zero as Linux has them; full
 * (writes fail with ENOSPC); random and urandom from the CPU's generator, never from
 * the host.
 */
#include "fs/fs_dev.h"
#include "uapi/errno.h"
#include "fs/fs_synth.h"
#include "mm/iov.h"
#include "lib/lib.h"
#include "kernel/process.h"
#include "arch/x86/random.h"

#define DEV_DEV 0x5

enum dev_kind { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, NR_DEVS };

s64 sev_guest_ioctl(struct file *f, u64 cmd, u64 arg); /* dev_sev_guest.c */

/* Devices that stand for a descriptor: /dev/stdin, stdout, stderr, and /dev/tty (the
 * console, when the host's stdin is a terminal). Opening one shares that open file. */
enum alias_kind { ALIAS_STDIN, ALIAS_STDOUT, ALIAS_STDERR, ALIAS_TTY, NR_ALIASES };

struct dev_node {
    struct inode inode;
    enum dev_kind kind;
};

static struct synth_dir dev_dir;
static struct dev_node devs[NR_DEVS];
static const char *const names[NR_DEVS] = {"null", "zero", "full", "random", "urandom"};
static const char *const alias_names[NR_ALIASES] = {"stdin", "stdout", "stderr", "tty"};
static struct dev_node aliases[NR_ALIASES];
static const u32 minors[NR_DEVS] = {3, 5, 7, 8, 9}; /* major 1, as on Linux */

static enum dev_kind kind_of(struct file *f)
{
    return ((struct dev_node *)f->inode->priv)->kind;
}

static s64 dev_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    enum dev_kind k = kind_of(f);
    if (k == DEV_NULL)
        return 0;
    u64 total = iov_total(iov, cnt), done = 0;
    u8 buf[256];
    if (k != DEV_RANDOM && k != DEV_URANDOM)
        memzero(buf, sizeof(buf));
    while (done < total) {
        u64 n = MIN(total - done, sizeof(buf));
        if (k == DEV_RANDOM || k == DEV_URANDOM)
            random_fill(buf, n);
        if (iov_copy_in(iov, cnt, done, buf, n))
            return done ? (s64)done : -EFAULT;
        done += n;
    }
    return (s64)done;
}

static s64 dev_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    if (kind_of(f) == DEV_FULL)
        return -ENOSPC;
    return (s64)iov_total(iov, cnt); /* null, zero, random: the bytes go nowhere */
}

static s64 dev_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    return 0;
}

static const struct file_ops dev_file_ops = {
    .read = dev_read,
    .write = dev_write,
    .stat = dev_stat,
    .seekable = true, /* lseek on these succeeds and means nothing, as on Linux */
    .poll = file_always_ready,
};

static s64 dev_open(struct inode *node, u32 flags, struct file **out)
{
    if (flags & O_DIRECTORY)
        return -ENOTDIR;
    struct file *f = vfs_file_new(&dev_file_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}

static const struct inode_ops dev_inode_ops = {.open = dev_open};

/* /dev/sev-guest: only in a TEE launch, as on Linux only an SEV-SNP guest has it */
static struct dev_node sev_guest;

static s64 sev_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    return 0;
}

static const struct file_ops sev_guest_ops = {
    .ioctl = sev_guest_ioctl,
    .stat = sev_stat,
    .poll = file_always_ready,
};

static s64 sev_guest_open(struct inode *node, u32 flags, struct file **out)
{
    struct file *f = vfs_file_new(&sev_guest_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}

static const struct inode_ops sev_guest_inode_ops = {.open = sev_guest_open};

static s64 alias_open(struct inode *node, u32 flags, struct file **out)
{
    enum alias_kind k = (enum alias_kind)((struct dev_node *)node->priv)->kind;
    s64 fd = k == ALIAS_TTY ? 0 : (s64)k;
    if (k == ALIAS_TTY && !(current_process()->stdio_flags[0] & CL_STDIO_TTY))
        return -ENXIO; /* no controlling terminal, as Linux says */
    struct file *f = fd_get(fd);
    if (!f)
        return -ENOENT;
    f->refs++;
    *out = f;
    return 0;
}

static s64 alias_readlink(struct inode *node, char *buf, size_t size)
{
    enum alias_kind k = (enum alias_kind)((struct dev_node *)node->priv)->kind;
    char target[] = "/proc/self/fd/0";
    target[sizeof(target) - 2] = (char)('0' + k);
    size_t n = MIN(sizeof(target) - 1, size);
    memcpy(buf, target, n);
    return (s64)n;
}

static const struct inode_ops alias_inode_ops = {.open = alias_open, .readlink = alias_readlink};

/* /dev/fd: the caller's descriptors, as on Linux (bash's process substitution names
 * its pipes /dev/fd/N) */
static struct dev_node fd_link;

static s64 fd_link_readlink(struct inode *node, char *buf, size_t size)
{
    static const char target[] = "/proc/self/fd";
    size_t n = MIN(sizeof(target) - 1, size);
    memcpy(buf, target, n);
    return (s64)n;
}

static const struct inode_ops fd_link_inode_ops = {.readlink = fd_link_readlink};
static const struct inode_ops tty_inode_ops = {.open = alias_open};

struct inode *devfs_new(bool with_sev_guest)
{
    synth_dir_init(&dev_dir, DEV_DEV);
    dev_dir.inode.mode = S_IFDIR | 0755;
    for (int i = 0; i < NR_DEVS; i++) {
        devs[i].kind = (enum dev_kind)i;
        devs[i].inode.ops = &dev_inode_ops;
        devs[i].inode.priv = &devs[i];
        devs[i].inode.mode = S_IFCHR | 0666;
        devs[i].inode.rdev = (1u << 8) | minors[i];
        devs[i].inode.nlink = 1;
        devs[i].inode.dev = DEV_DEV;
        devs[i].inode.ino = vfs_next_ino();
        synth_dir_add(&dev_dir, names[i], &devs[i].inode);
    }
    for (int i = 0; i < NR_ALIASES; i++) {
        aliases[i].kind = (enum dev_kind)i;
        aliases[i].inode.ops = i == ALIAS_TTY ? &tty_inode_ops : &alias_inode_ops;
        aliases[i].inode.priv = &aliases[i];
        aliases[i].inode.mode = i == ALIAS_TTY ? S_IFCHR | 0666 : S_IFLNK | 0777;
        aliases[i].inode.rdev = i == ALIAS_TTY ? (5u << 8) : 0; /* /dev/tty is 5,0 */
        aliases[i].inode.nlink = 1;
        aliases[i].inode.dev = DEV_DEV;
        aliases[i].inode.ino = vfs_next_ino();
        synth_dir_add(&dev_dir, alias_names[i], &aliases[i].inode);
    }
    fd_link.inode.ops = &fd_link_inode_ops;
    fd_link.inode.mode = S_IFLNK | 0777;
    fd_link.inode.size = sizeof("/proc/self/fd") - 1;
    fd_link.inode.nlink = 1;
    fd_link.inode.dev = DEV_DEV;
    fd_link.inode.ino = vfs_next_ino();
    synth_dir_add(&dev_dir, "fd", &fd_link.inode);
    if (with_sev_guest) {
        sev_guest.inode.ops = &sev_guest_inode_ops;
        sev_guest.inode.mode = S_IFCHR | 0600;
        sev_guest.inode.nlink = 1;
        sev_guest.inode.dev = DEV_DEV;
        sev_guest.inode.rdev = (10u << 8) | 122; /* a misc device, as Linux numbers it */
        sev_guest.inode.ino = vfs_next_ino();
        synth_dir_add(&dev_dir, "sev-guest", &sev_guest.inode);
    }
    return &dev_dir.inode;
}
