/*
 * Extended attributes. No file system of the shim stores any: every file has none, as
 * a Linux file with no attributes on a file system that supports them (getxattr says
 * ENODATA, listxattr an empty list), which is what ls, cp and tar ask about ACLs and
 * SELinux labels. Setting or removing one is refused with EOPNOTSUPP: there is nowhere
 * to keep it.
 */
#include "uapi/errno.h"
#include "fs/file.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"
#include "fs/vfs.h"

#define XATTR_NAME_MAX 255

/* The file a path or descriptor names must exist; 0 or its error. */
static s64 check_path(u64 upath, bool follow)
{
    struct nameidata nd;
    return vfs_walk_user(AT_FDCWD, upath, follow ? VFS_FOLLOW : 0, &nd);
}

static s64 check_fd(u64 fd)
{
    struct file *f = fd_get((s64)fd);
    return f && !(f->flags & O_PATH) ? 0 : -EBADF;
}

/* An attribute name: 1..255 bytes (else ERANGE), readable (else EFAULT). */
static s64 check_name(u64 uname)
{
    char name[XATTR_NAME_MAX + 1];
    long n = strncpy_from_user(name, uname, sizeof(name));
    if (n == 0 || n == -ENAMETOOLONG)
        return -ERANGE;
    return n < 0 ? n : 0;
}

static s64 get(s64 err, u64 uname)
{
    if (!err)
        err = check_name(uname);
    return err ? err : -ENODATA;
}

static s64 set(s64 err, u64 uname)
{
    if (!err)
        err = check_name(uname);
    return err ? err : -EOPNOTSUPP;
}

SYSCALL4(getxattr, path, name, value, size)
{
    return get(check_path(path, true), name);
}

SYSCALL4(lgetxattr, path, name, value, size)
{
    return get(check_path(path, false), name);
}

SYSCALL4(fgetxattr, fd, name, value, size)
{
    return get(check_fd(fd), name);
}

/* the list of names is empty: its size is 0, whatever the buffer */
SYSCALL3(listxattr, path, list, size)
{
    return check_path(path, true);
}

SYSCALL3(llistxattr, path, list, size)
{
    return check_path(path, false);
}

SYSCALL3(flistxattr, fd, list, size)
{
    return check_fd(fd);
}

SYSCALL5(setxattr, path, name, value, size, flags)
{
    return set(check_path(path, true), name);
}

SYSCALL5(lsetxattr, path, name, value, size, flags)
{
    return set(check_path(path, false), name);
}

SYSCALL5(fsetxattr, fd, name, value, size, flags)
{
    return set(check_fd(fd), name);
}

SYSCALL2(removexattr, path, name)
{
    return set(check_path(path, true), name);
}

SYSCALL2(lremovexattr, path, name)
{
    return set(check_path(path, false), name);
}

SYSCALL2(fremovexattr, fd, name)
{
    return set(check_fd(fd), name);
}
