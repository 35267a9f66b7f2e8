/*
 * Extended attributes a file does not have, as ls, cp and tar ask about them (ACLs,
 * SELinux labels): getxattr says ENODATA, and the errors for a missing file, a bad
 * descriptor or a bad name are Linux's. Only what holds on any Linux file system is
 * asked: no attribute is set, and no list of names is printed. A user.* attribute of
 * the root directory is absent in one of two ways, by the file system under it:
 * ENODATA where user attributes exist (ext4, the shim's), EOPNOTSUPP where they do
 * not (9p, which the nested test machine's root is): both print "absent".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case ENODATA:
        return "ENODATA";
    case ENOENT:
        return "ENOENT";
    case EBADF:
        return "EBADF";
    case ERANGE:
        return "ERANGE";
    case EFAULT:
        return "EFAULT";
    case ENOSYS:
        return "ENOSYS";
    default:
        return "other";
    }
}

static void show(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? err_name(errno) : "");
}

/* An attribute the file does not have, on a file system that may not support it. */
static void show_absent(const char *what, long r)
{
    if (r < 0 && (errno == ENODATA || errno == EOPNOTSUPP))
        printf("%s: absent\n", what);
    else
        show(what, r);
}

int main(void)
{
    char buf[256], longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    memcpy(longname, "user.", 5);
    int fd = open("/dev/null", O_RDONLY);

    show_absent("getxattr / user.none",
         syscall(SYS_getxattr, "/", "user.cloister.none", buf, sizeof(buf)));
    show("getxattr /dev/null posix_acl_access",
         syscall(SYS_getxattr, "/dev/null", "system.posix_acl_access", buf, sizeof(buf)));
    show_absent("lgetxattr / user.none",
         syscall(SYS_lgetxattr, "/", "user.cloister.none", buf, sizeof(buf)));
    show("fgetxattr /dev/null user.none",
         syscall(SYS_fgetxattr, fd, "user.cloister.none", buf, sizeof(buf)));
    show_absent("getxattr, size 0", syscall(SYS_getxattr, "/", "user.cloister.none", NULL, 0));
    show("getxattr, missing file",
         syscall(SYS_getxattr, "/no/such/file", "user.x", buf, sizeof(buf)));
    show("lgetxattr, missing file",
         syscall(SYS_lgetxattr, "/no/such/file", "user.x", buf, sizeof(buf)));
    show("fgetxattr, bad descriptor", syscall(SYS_fgetxattr, 99, "user.x", buf, sizeof(buf)));
    show("flistxattr, bad descriptor", syscall(SYS_flistxattr, 99, buf, sizeof(buf)));
    show("listxattr, missing file", syscall(SYS_listxattr, "/no/such/file", buf, sizeof(buf)));
    show("getxattr, empty name", syscall(SYS_getxattr, "/", "", buf, sizeof(buf)));
    show("getxattr, name too long", syscall(SYS_getxattr, "/", longname, buf, sizeof(buf)));
    show("getxattr, bad path", syscall(SYS_getxattr, (char *)8, "user.x", buf, sizeof(buf)));
    return 0;
}
