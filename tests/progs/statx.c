/*
 * statx(2), which coreutils' ls, stat, cp and du use before anything else: for a
 * directory, a device, a program and a descriptor, whether statx reports the basic
 * fields and agrees with fstatat on each of them; then its errors. Raw system calls,
 * so the C library's own fallbacks cannot hide a missing statx.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define X_BASIC_STATS   0x7ffu
#define X_RESERVED      0x80000000u
#define X_AT_SYNC_TYPES 0x6000

/* Linux's struct statx, spelled out: musl's headers may lack it */
struct x_ts {
    int64_t sec;
    uint32_t nsec;
    int32_t reserved;
};

struct x_statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    struct x_ts atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};

static const char *err_name(int e)
{
    switch (e) {
    case ENOENT:
        return "ENOENT";
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    case EBADF:
        return "EBADF";
    case ENOSYS:
        return "ENOSYS";
    default:
        return "other";
    }
}

static long sys_statx(int dirfd, const char *path, int flags, unsigned mask, void *buf)
{
    return syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

static void compare(const char *what, int dirfd, const char *path, int flags)
{
    struct x_statx x;
    struct stat st;
    memset(&x, 0xa5, sizeof(x));
    if (sys_statx(dirfd, path, flags, X_BASIC_STATS, &x) != 0) {
        printf("%s: statx -1 %s\n", what, err_name(errno));
        return;
    }
    if (fstatat(dirfd, path, &st, flags) != 0) {
        printf("%s: fstatat -1 %s\n", what, err_name(errno));
        return;
    }
    printf("%s: basic mask %s, mode %s, nlink %s, ids %s, ino %s, size %s, blocks %s, "
           "blksize %s, times %s, dev %s, rdev %s\n",
           what, (x.mask & X_BASIC_STATS) == X_BASIC_STATS ? "yes" : "no",
           x.mode == st.st_mode ? "same" : "differs", x.nlink == st.st_nlink ? "same" : "differs",
           x.uid == st.st_uid && x.gid == st.st_gid ? "same" : "differ",
           x.ino == st.st_ino ? "same" : "differs",
           (long long)x.size == (long long)st.st_size ? "same" : "differs",
           (long long)x.blocks == (long long)st.st_blocks ? "same" : "differ",
           (long long)x.blksize == (long long)st.st_blksize ? "same" : "differs",
           x.mtime.sec == st.st_mtim.tv_sec && x.mtime.nsec == st.st_mtim.tv_nsec &&
                   x.ctime.sec == st.st_ctim.tv_sec && x.atime.sec == st.st_atim.tv_sec
               ? "same"
               : "differ",
           makedev(x.dev_major, x.dev_minor) == st.st_dev ? "same" : "differs",
           makedev(x.rdev_major, x.rdev_minor) == st.st_rdev ? "same" : "differs");
}

static void fails(const char *what, int dirfd, const char *path, int flags, unsigned mask,
                  void *buf)
{
    long r = sys_statx(dirfd, path, flags, mask, buf);
    printf("%s: %ld %s\n", what, r, r ? err_name(errno) : "");
}

int main(void)
{
    compare("/", AT_FDCWD, "/", 0);
    compare("/dev/null", AT_FDCWD, "/dev/null", 0);
    compare("the program", AT_FDCWD, "/proc/self/exe", 0);
    int fd = open("/proc/self/exe", O_RDONLY);
    compare("an open descriptor", fd, "", AT_EMPTY_PATH);
    compare("stdout", 1, "", AT_EMPTY_PATH);
    compare("the cwd", AT_FDCWD, "", AT_EMPTY_PATH);
    compare("/dev/null, nofollow", AT_FDCWD, "/dev/null", AT_SYMLINK_NOFOLLOW);

    struct x_statx x;
    fails("missing file", AT_FDCWD, "/no/such/file", 0, X_BASIC_STATS, &x);
    fails("empty path without AT_EMPTY_PATH", AT_FDCWD, "", 0, X_BASIC_STATS, &x);
    fails("reserved mask bit", AT_FDCWD, "/", 0, X_RESERVED, &x);
    fails("unknown flag", AT_FDCWD, "/", 0x10000000, X_BASIC_STATS, &x);
    fails("both sync types", AT_FDCWD, "/", X_AT_SYNC_TYPES, X_BASIC_STATS, &x);
    fails("bad buffer", AT_FDCWD, "/", 0, X_BASIC_STATS, (void *)8);
    fails("bad path pointer", AT_FDCWD, (const char *)8, 0, X_BASIC_STATS, &x);
    fails("bad descriptor", 99, "", AT_EMPTY_PATH, X_BASIC_STATS, &x);
    fails("relative path, bad dirfd", 99, "x", 0, X_BASIC_STATS, &x);
    return 0;
}
