/*
 * A pipe within one process, as a program uses one to wake itself (xz) or to buffer
 * for itself: bytes in order across the buffer's wrap, its 64 KiB capacity, EAGAIN on
 * a non-blocking end, end of file once every write end is closed, EPIPE once every
 * read end is, and what fstat, lseek, pread and FIONREAD say about it.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case EAGAIN:
        return "EAGAIN";
    case ESPIPE:
        return "ESPIPE";
    case EPIPE:
        return "EPIPE";
    case EBADF:
        return "EBADF";
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    default:
        return "other";
    }
}

static void show(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? err_name(errno) : "");
}

static char a[70000], b[70000];

int main(void)
{
    int p[2];
    show("pipe", pipe(p));
    struct stat st;
    fstat(p[0], &st);
    printf("read end: fifo %s, size %lld\n", S_ISFIFO(st.st_mode) ? "yes" : "no",
           (long long)st.st_size);
    char link[64], proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p[0]);
    ssize_t ln = readlink(proc, link, sizeof(link) - 1);
    link[ln > 0 ? ln : 0] = '\0';
    printf("/proc/self/fd names a pipe: %s\n", strncmp(link, "pipe:[", 6) ? "no" : "yes");
    show("write hello", write(p[1], "hello", 5));
    int avail = -1;
    ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD: %d\n", avail);
    show("lseek on the read end", lseek(p[0], 0, SEEK_CUR));
    char buf[16];
    show("pread", pread(p[0], buf, sizeof(buf), 0));
    show("read from the write end", read(p[1], buf, 1));
    show("write to the read end", write(p[0], "x", 1));
    memset(buf, 0, sizeof(buf));
    show("read", read(p[0], buf, sizeof(buf)));
    printf("got: %s\n", buf);

    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = (char)(i * 7 + i / 251);
    show("write 60000", write(p[1], a, 60000));
    show("read 60000", read(p[0], b, 60000));
    show("write 10000 across the wrap", write(p[1], a + 60000, 10000));
    show("read 10000", read(p[0], b + 60000, 10000));
    printf("70000 bytes in order: %s\n", memcmp(a, b, 70000) ? "no" : "yes");

    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    show("read empty, non-blocking", read(p[0], buf, 1));
    long total = 0, r;
    while ((r = write(p[1], a, 4096)) > 0)
        total += r;
    printf("filled with 4096-byte writes: %ld, then %s\n", total, err_name(errno));
    show("write 1 to the full pipe", write(p[1], "x", 1));
    while (read(p[0], a, sizeof(a)) > 0) {
    }

    int w2 = dup(p[1]);
    close(p[1]);
    show("read, one write end still open", read(p[0], buf, 1));
    write(w2, "last", 4);
    close(w2);
    show("read the last bytes", read(p[0], buf, sizeof(buf)));
    show("read, every write end closed", read(p[0], buf, sizeof(buf)));
    close(p[0]);

    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    close(p[0]);
    show("write, every read end closed", write(p[1], "x", 1));
    close(p[1]);

    show("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(p, O_CLOEXEC | O_NONBLOCK));
    printf("cloexec: %s, nonblock: %s\n", (fcntl(p[0], F_GETFD) & FD_CLOEXEC) ? "yes" : "no",
           (fcntl(p[1], F_GETFL) & O_NONBLOCK) ? "yes" : "no");
    show("pipe2, bad flag", pipe2(p, 0x4));
    int *volatile bad = (int *)8; /* volatile: the compiler must not see through it */
    show("pipe, bad pointer", pipe(bad));
    return 0;
}
