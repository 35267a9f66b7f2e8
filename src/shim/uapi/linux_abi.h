/* Structures of the Linux x86-64 system-call ABI that the shim fills for programs. */
#ifndef SHIM_LINUX_ABI_H
#define SHIM_LINUX_ABI_H

#include "lib/types.h"

struct linux_timespec {
    s64 tv_sec;
    s64 tv_nsec;
};

struct linux_timeval {
    s64 tv_sec;
    s64 tv_usec;
};

struct linux_stat {
    u64 st_dev, st_ino, st_nlink;
    u32 st_mode, st_uid, st_gid, pad0;
    u64 st_rdev;
    s64 st_size, st_blksize, st_blocks;
    struct linux_timespec st_atim, st_mtim, st_ctim;
    s64 unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "struct stat");

struct linux_utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000

/* poll(2) and file_ops.poll: readiness of an open file */
#define POLLIN     0x001
#define POLLPRI    0x002
#define POLLOUT    0x004
#define POLLERR    0x008
#define POLLHUP    0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLLRDBAND 0x080
#define POLLWRBAND 0x200
#define POLLRDHUP  0x2000

#define AT_FDCWD            (-100)
#define AT_EMPTY_PATH       0x1000
#define AT_SYMLINK_NOFOLLOW 0x100

#endif
