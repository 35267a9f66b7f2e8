/*
 * Stdin as Linux shows it to a program: a regular file redirected with `<` has a type,
 * a size and one position that lseek, read, pread and dup'ed descriptors share, and it
 * can be mapped; a pipe has none of those. Programs such as `wc -c`, `tail` or `diff` take the file's size
 * and position from fstat and lseek, so each fact is printed, with errno by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case ESPIPE:
        return "ESPIPE";
    case EINVAL:
        return "EINVAL";
    case EBADF:
        return "EBADF";
    case ENODEV:
        return "ENODEV";
    default:
        return "other";
    }
}

static void seek(const char *what, int fd, off_t off, int whence)
{
    errno = 0;
    off_t r = lseek(fd, off, whence);
    printf("lseek %s: %lld %s\n", what, (long long)r, err_name(r < 0 ? errno : 0));
}

static void show_read(const char *what, ssize_t n, const char *buf)
{
    printf("%s: %zd %s", what, n, err_name(n < 0 ? errno : 0));
    if (n > 0)
        printf(" \"%.*s\"", (int)n, buf);
    printf("\n");
}

static void get(const char *what, size_t len)
{
    char buf[64];
    errno = 0;
    show_read(what, read(0, buf, len), buf);
}

int main(void)
{
    struct stat st;
    if (fstat(0, &st) != 0) {
        printf("fstat: %s\n", err_name(errno));
        return 1;
    }
    int reg = S_ISREG(st.st_mode);
    printf("type: %s\n", reg ? "regular" : S_ISFIFO(st.st_mode) ? "fifo" : "other");
    if (reg)
        printf("size: %lld\n", (long long)st.st_size);
    seek("cur at start", 0, 0, SEEK_CUR);
    get("read 5", 5);
    seek("cur after read", 0, 0, SEEK_CUR);
    seek("set 2", 0, 2, SEEK_SET);
    get("read 3 at 2", 3);

    char buf[64];
    errno = 0;
    show_read("pread 4 at 10", pread(0, buf, 4, 10), buf);
    seek("cur after pread", 0, 0, SEEK_CUR);

    int d = dup(0);
    seek("set 7 on a dup", d, 7, SEEK_SET);
    seek("cur of 0 after the dup's", 0, 0, SEEK_CUR);
    close(d);

    char a[2], b[3];
    struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
    errno = 0;
    ssize_t n = readv(0, iov, 2);
    memcpy(buf, a, sizeof(a));
    memcpy(buf + sizeof(a), b, sizeof(b));
    show_read("readv 2+3", n, buf);

    seek("end -4", 0, -4, SEEK_END);
    get("read to the end", sizeof(buf));
    get("read at the end", sizeof(buf));
    seek("end", 0, 0, SEEK_END);
    seek("end +100", 0, 100, SEEK_END);
    get("read past the end", sizeof(buf));
    seek("set -1", 0, -1, SEEK_SET);
    seek("whence 99", 0, 0, 99);
    seek("cur after the errors", 0, 0, SEEK_CUR);

    /* a file maps (its bytes as read), a pipe does not (ENODEV) */
    errno = 0;
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, 0);
    printf("mmap: %s\n", m == MAP_FAILED ? err_name(errno) : "mapped");
    if (m != MAP_FAILED) {
        char first[8];
        pread(0, first, sizeof(first), 0);
        printf("mapped bytes match pread: %s, \"%.5s\"\n",
               memcmp(m, first, sizeof(first)) ? "no" : "yes", m);
        printf("the rest of the last page is zero: %s\n", m[st.st_size] == 0 ? "yes" : "no");
        m[0] = '#'; /* private: the file stays as it was */
        pread(0, first, 1, 0);
        printf("a private write reaches the file: %s\n", first[0] == '#' ? "yes" : "no");
        munmap(m, 8192);
    }
    errno = 0;
    m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, 0, 0);
    printf("mmap shared read-only: %s\n", m == MAP_FAILED ? err_name(errno) : "mapped");

    printf("posix_fadvise sequential: %s\n",
           err_name(posix_fadvise(0, 0, 0, POSIX_FADV_SEQUENTIAL)));
    printf("posix_fadvise bad advice: %s\n", err_name(posix_fadvise(0, 0, 0, 99)));
    printf("posix_fadvise bad fd: %s\n", err_name(posix_fadvise(99, 0, 0, POSIX_FADV_NORMAL)));
    return 0;
}
