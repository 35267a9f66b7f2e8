/* The key broker's resources on disk (see kbs_resource.h). */
#include "kbs/kbs_resource.h"

#include "kbs/kbs_protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <openssl/crypto.h>

/* Refuses what neither route should ever resolve, so that both agree on every path. */
static int check_components(const char *rel)
{
    if (rel[0] == '/') {
        errno = EXDEV;
        return -1;
    }
    for (const char *p = rel;;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            errno = EXDEV;
            return -1;
        }
        if (n == 0 || (n == 1 && p[0] == '.')) {
            errno = EINVAL;
            return -1;
        }
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

static void close_keeping_errno(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

/*
 * Where openat2 is missing: each directory is opened as an O_PATH descriptor of the
 * object itself (a link is then the link, not its target) and checked before the next
 * lookup, which starts from it, so no link is followed and nothing leaves dir_fd.
 */
static int walk(int dir_fd, const char *rel, int flags)
{
    int cur = dir_fd;
    for (const char *p = rel;;) {
        size_t n = strcspn(p, "/");
        char name[NAME_MAX + 1];
        if (n > NAME_MAX) {
            errno = ENAMETOOLONG;
            break;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        bool last = p[n] == '\0';
        int fd = openat(cur, name, last ? flags : O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && !last && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
            close(fd);
            errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
            fd = -1;
        }
        if (cur != dir_fd)
            close_keeping_errno(cur);
        if (fd < 0 || last)
            return fd;
        cur = fd;
        p += n + 1;
    }
    if (cur != dir_fd)
        close_keeping_errno(cur);
    return -1;
}

int kbs_open_beneath(int dir_fd, const char *rel, int flags, enum kbs_resolve how)
{
    if (check_components(rel) != 0)
        return -1;
    flags |= O_NOFOLLOW;
    if (how == KBS_RESOLVE_AUTO) {
        struct open_how oh = {.flags = (uint64_t)flags,
                              .resolve =
                                  RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        long fd = syscall(SYS_openat2, dir_fd, rel, &oh, sizeof(oh));
        /* ENOSYS: a kernel before 5.6; EPERM: a container's seccomp profile refusing the
         * call it does not know. The walk is as strict, only slower. */
        if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
            return (int)fd;
    }
    return walk(dir_fd, rel, flags);
}

uint8_t *kbs_resource_read(int dir_fd, const char *id, size_t *len, int *status, char *err,
                           size_t err_size)
{
    /* O_NONBLOCK: a FIFO planted there must not hang the broker (it is refused below). */
    int fd = kbs_open_beneath(dir_fd, id, O_RDONLY | O_CLOEXEC | O_NONBLOCK, KBS_RESOLVE_AUTO);
    struct stat st;
    uint8_t *buf = NULL;
    *status = 404;
    if (fd < 0) {
        snprintf(err, err_size, "no resource %s%s", id,
                 errno == ELOOP   ? " (a symbolic link)"
                 : errno == EXDEV ? " (outside the resources directory)"
                                  : "");
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "no resource %s (not a regular file)", id);
    } else if (st.st_size > KBS_MAX_RESOURCE_SIZE) {
        *status = 500;
        snprintf(err, err_size, "resource %s is larger than %d bytes", id, KBS_MAX_RESOURCE_SIZE);
    } else if ((buf = malloc((size_t)st.st_size + 1)) != NULL) {
        /* One byte more than the size: a file that grew since fstat is refused. */
        size_t n = 0;
        ssize_t r;
        while (n <= (size_t)st.st_size && (r = read(fd, buf + n, (size_t)st.st_size + 1 - n)) > 0)
            n += (size_t)r;
        if (r < 0 || n != (size_t)st.st_size) {
            *status = 500;
            snprintf(err, err_size, "cannot read resource %s", id);
            OPENSSL_cleanse(buf, (size_t)st.st_size + 1);
            free(buf);
            buf = NULL;
        }
        *len = n;
    } else {
        *status = 500;
        snprintf(err, err_size, "out of memory reading resource %s", id);
    }
    close(fd);
    return buf;
}
