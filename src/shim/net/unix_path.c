/*
 * The AF_UNIX name space: paths, abstract names and autobind, as Linux's.
 *
 * A path name is a socket node (S_IFSOCK) made in the file system, so stat shows it
 * and unlink removes it; the socket remembers the node's (dev, ino), which the VFS
 * never reuses, so connect finds the socket through the node without either holding
 * the other. An abstract name (sun_path[0] == 0) lives only here. Both kinds go with
 * the socket's file. The name space is the VM's, as Linux's is a network
 * namespace's: one list of bound sockets (a workload binds a handful).
 */
#include "net/unix.h"
#include "net/socket.h"
#include "fs/vfs.h"
#include "lib/lib.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

static struct unix_sock *bound; /* every socket with a name, through bound_next */
static u32 next_auto;           /* where autobind looks next, as Linux's ordernum */

static bool is_abstract(const u8 *addr, u32 len)
{
    return len > UNIX_ADDR_MIN && addr[2] == 0;
}

s64 unix_addr_parse(const u8 *addr, u32 len, u8 *buf)
{
    if (len <= UNIX_ADDR_MIN || len > UNIX_ADDR_MAX)
        return -EINVAL;
    if ((u16)(addr[0] | addr[1] << 8) != AF_UNIX)
        return -EINVAL;
    memcpy(buf, addr, len);
    buf[len] = 0;
    if (is_abstract(buf, len))
        return len;
    /* a path ends at its first NUL; the name kept holds that NUL (Linux's length) */
    return UNIX_ADDR_MIN + (s64)strlen((const char *)buf + 2) + 1;
}

/* Abstract names are apart per socket type, as Linux hashes the type in. */
static struct unix_sock *find_abstract(const u8 *addr, u32 len, u16 type)
{
    for (struct unix_sock *u = bound; u; u = u->bound_next)
        if (u->addr_len == len && !u->path_ino && u->type == type && !memcmp(u->addr, addr, len))
            return u;
    return NULL;
}

static struct unix_sock *find_path(u64 dev, u64 ino)
{
    for (struct unix_sock *u = bound; u; u = u->bound_next)
        if (u->path_ino == ino && u->path_dev == dev)
            return u;
    return NULL;
}

static void name_it(struct unix_sock *u, const u8 *addr, u32 len)
{
    memcpy(u->addr, addr, len);
    u->addr[len] = 0;
    u->addr_len = len;
    u->bound_next = bound;
    bound = u;
}

/* Makes the socket node; its (dev, ino) in *dev, *ino. */
static s64 make_node(const char *path, u64 *dev, u64 *ino)
{
    struct nameidata nd;
    s64 err = vfs_walk(AT_FDCWD, path, VFS_PARENT, &nd);
    if (err)
        return err;
    if (nd.node)
        return -EADDRINUSE;
    if (nd.trailing_slash)
        return -ENOENT;
    if (!nd.parent->ops->create)
        return -EROFS;
    struct inode *n;
    err = nd.parent->ops->create(nd.parent, nd.last, nd.last_len, S_IFSOCK | (0777 & ~vfs_umask()),
                                 &n);
    if (err)
        return err == -EEXIST ? -EADDRINUSE : err;
    *dev = n->dev;
    *ino = n->ino;
    return 0;
}

s64 unix_bind(struct unix_sock *u, const u8 *addr, u32 len)
{
    if (len == UNIX_ADDR_MIN && (u16)(addr[0] | addr[1] << 8) == AF_UNIX)
        return unix_autobind(u);
    u8 name[UNIX_ADDR_MAX + 1];
    s64 n = unix_addr_parse(addr, len, name);
    if (n < 0)
        return n;
    if (is_abstract(name, (u32)n)) {
        if (u->addr_len)
            return -EINVAL;
        if (find_abstract(name, (u32)n, u->type))
            return -EADDRINUSE;
        name_it(u, name, (u32)n);
        return 0;
    }
    struct nameidata nd;
    if (vfs_walk(AT_FDCWD, (const char *)name + 2, VFS_PARENT, &nd) == 0 && nd.node)
        return -EADDRINUSE; /* Linux looks at the path before at the socket */
    if (u->addr_len)
        return -EINVAL;
    u64 dev, ino;
    s64 err = make_node((const char *)name + 2, &dev, &ino);
    if (err)
        return err;
    u->path_dev = dev;
    u->path_ino = ino;
    name_it(u, name, (u32)n);
    return 0;
}

s64 unix_autobind(struct unix_sock *u)
{
    if (u->addr_len)
        return 0;
    u8 name[9] = {AF_UNIX, 0, 0}; /* "\0" and five hex digits, and snprintf's NUL */
    for (u32 tries = 0; tries < 0x100000; tries++) {
        u32 order = next_auto++ & 0xfffff;
        snprintf((char *)name + 3, 6, "%05x", order);
        if (!find_abstract(name, 8, u->type)) {
            name_it(u, name, 8);
            return 0;
        }
    }
    return -ENOSPC; /* every one of the 2^20 names is taken, as Linux answers */
}

s64 unix_lookup(const u8 *addr, u32 len, u16 type, struct unix_sock **out)
{
    u8 name[UNIX_ADDR_MAX + 1];
    s64 n = unix_addr_parse(addr, len, name);
    if (n < 0)
        return n;
    struct unix_sock *u;
    if (is_abstract(name, (u32)n)) {
        u = find_abstract(name, (u32)n, type); /* another type's: not found */
    } else {
        struct nameidata nd;
        s64 err = vfs_walk(AT_FDCWD, (const char *)name + 2, VFS_FOLLOW, &nd);
        if (err)
            return err;
        if ((nd.node->mode & S_IFMT) != S_IFSOCK)
            return -ECONNREFUSED;
        u = find_path(nd.node->dev, nd.node->ino);
    }
    if (!u)
        return -ECONNREFUSED;
    if (u->type != type)
        return -EPROTOTYPE;
    unix_hold(u);
    *out = u;
    return 0;
}

void unix_unbind(struct unix_sock *u)
{
    if (!u->addr_len)
        return;
    for (struct unix_sock **pp = &bound; *pp; pp = &(*pp)->bound_next) {
        if (*pp == u) {
            *pp = u->bound_next;
            break;
        }
    }
    u->path_dev = u->path_ino = 0; /* the node stays, as on Linux; the name is kept */
}
