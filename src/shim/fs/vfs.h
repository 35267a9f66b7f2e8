/*
 * The file system the workload sees: one tree of inodes with file systems mounted on
 * it. "/" is the image's read-only tree (fs_image.c); /tmp a tmpfs in guest memory
 * (fs_tmp.c); /dev and /proc small synthetic trees (fs_dev.c, fs_proc.c).
 *
 * Inodes of the image, /dev and /proc live as long as the VM; tmpfs inodes are freed
 * when unlinked and no longer open. Path resolution follows Linux: ".", "..", symlinks
 * (at most 40), trailing slashes, and the errors programs expect (ENOENT, ENOTDIR,
 * ELOOP, ENAMETOOLONG).
 */
#ifndef SHIM_VFS_H
#define SHIM_VFS_H

#include "fs/file.h"
#include "uapi/linux_abi.h"
#include "lib/types.h"

#define NAME_MAX 255
#define PATH_MAX 4096

#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_REG     8
#define DT_LNK     10

struct inode;

/* What setattr changes: the fields named in valid (chmod, chown, utimensat). */
struct inode_attr {
    u32 valid;
    u32 mode; /* permission bits, 07777 */
    u32 uid, gid;
    s64 atime_ns, mtime_ns;
};

#define ATTR_MODE  0x1u
#define ATTR_UID   0x2u
#define ATTR_GID   0x4u
#define ATTR_ATIME 0x8u
#define ATTR_MTIME 0x10u

/* readdir's sink: false when it is full (the entry is not consumed) */
typedef bool (*dir_emit_fn)(void *ctx, const char *name, size_t len, u64 ino, u32 type);

struct inode_ops {
    s64 (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
    /* emits entries from index *pos on (not "." and ".."), advancing *pos */
    s64 (*readdir)(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx);
    s64 (*open)(struct inode *node, u32 flags, struct file **out);
    s64 (*readlink)(struct inode *node, char *buf, size_t size);
    /* tmpfs: directory changes; NULL elsewhere (then EROFS or EPERM) */
    s64 (*create)(struct inode *dir, const char *name, size_t len, u32 mode, struct inode **out);
    s64 (*symlink)(struct inode *dir, const char *name, size_t len, const char *target);
    /* a new name in dir for node, a file of the same file system (link(2)) */
    s64 (*link)(struct inode *dir, const char *name, size_t len, struct inode *node);
    s64 (*unlink)(struct inode *dir, const char *name, size_t len, bool is_dir);
    s64 (*rename)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
                  const char *nname, size_t nlen);
    s64 (*truncate)(struct inode *node, u64 size);
    /* changes mode, owner or times (and sets ctime); NULL: EPERM, as Linux's proc */
    s64 (*setattr)(struct inode *node, const struct inode_attr *a);
    void (*last_close)(struct inode *node); /* the last open file of it was closed */
};

struct inode {
    const struct inode_ops *ops;
    struct inode *parent; /* directories: where ".." leads */
    u64 ino;
    u32 mode;
    u32 nlink;
    u64 size;
    u32 dev;
    u32 opens; /* open files on it */
    u64 rdev;  /* character devices: major << 8 | minor */
    u32 uid, gid;
    s64 atime_ns, mtime_ns, ctime_ns;
    void *priv;
};

struct nameidata {
    struct inode *node;   /* the final inode (NULL with VFS_PARENT if it does not exist) */
    struct inode *parent; /* with VFS_PARENT: the directory holding the last component */
    char last[NAME_MAX + 1];
    size_t last_len;
    bool trailing_slash;
};

#define VFS_FOLLOW 0x1 /* follow a symlink in the last component */
#define VFS_PARENT 0x2 /* resolve up to the last component; it need not exist */

void vfs_init(struct inode *root);
/* Mounts root over the name `name` in directory dir. */
void vfs_mount(struct inode *dir, const char *name, struct inode *root);
struct inode *vfs_root(void);
struct inode *vfs_cwd(void);
void vfs_set_cwd(struct inode *dir);

/* Resolves a kernel-space path relative to dirfd (AT_FDCWD or a directory fd). */
s64 vfs_walk(s64 dirfd, const char *path, unsigned flags, struct nameidata *nd);
/* The n-th mount in dir (its name and root), false past the last. */
bool vfs_mount_at(struct inode *dir, unsigned n, const char **name, struct inode **root);
/* Copies a user path in and resolves it. */
s64 vfs_walk_user(s64 dirfd, u64 upath, unsigned flags, struct nameidata *nd);
/* Looks a name up in a directory, mounts first. */
s64 vfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
/* The absolute path of a directory inode, into buf; its length or -errno. */
s64 vfs_path_of(struct inode *dir, char *buf, size_t size);

/* Fills st from an inode (the common fields). */
void vfs_stat(const struct inode *node, struct linux_stat *st);
u32 vfs_dtype(u32 mode);

/* Opening an inode as a file, shared by the file systems: f->priv holds the inode. */
struct file *vfs_file_new(const struct file_ops *ops, struct inode *node, u32 flags);
struct inode *file_inode(struct file *f);
/* Called when the last reference to a file on node goes. */
void vfs_file_closed(struct inode *node);
extern const struct file_ops vfs_dir_file_ops; /* directories: getdents, stat */
/* inode_ops.open for a directory of any file system: read-only (EISDIR otherwise),
 * with vfs_dir_file_ops. */
s64 vfs_dir_open(struct inode *node, u32 flags, struct file **out);

/* The process's umask (sys_file.c), for nodes made outside open and mkdir (a socket's
 * bind). */
u32 vfs_umask(void);

/* Next inode number, for file systems that make inodes at run time. */
u64 vfs_next_ino(void);

#endif
