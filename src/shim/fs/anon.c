/* Anonymous files' names and stat (anon.h). */
#include "fs/anon.h"
#include "fs/file.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "uapi/linux_abi.h"

#define ANON_INODE_DEV 0xe /* a device number of the kernel's internal mounts */
#define ANON_INODE_INO 1   /* there is one anonymous inode, shared by every such file */

size_t anon_link_name(const char *name, char *buf, size_t size)
{
    int n = snprintf(buf, size, "anon_inode:[%s]", name);
    return n < 0 ? 0 : MIN((size_t)n, size - 1);
}

s64 anon_stat(struct linux_stat *st)
{
    memzero(st, sizeof(*st));
    st->st_mode = 0600;
    st->st_dev = ANON_INODE_DEV;
    st->st_ino = ANON_INODE_INO;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

s64 anon_file_install(const struct file_ops *ops, u32 flags, void *priv, bool cloexec)
{
    struct file *f = file_new(ops, flags, (u64)priv);
    if (!f)
        return -ENFILE;
    s64 fd = fd_install(f, 0, cloexec);
    file_put(f); /* the table holds it now, or nothing does and it is released */
    return fd;
}
