/*
 * The I/O calls on the standard descriptors: writev gathering several buffers,
 * stderr, pread64/pwrite64 on pipes (ESPIPE), readv scattering stdin, and the
 * descriptor table: after close(2), writing to 2 gives EBADF. Stdin and stdout are
 * pipes; the harness feeds "0123456789abcdefghij\n" on stdin.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *err(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EBADF:
        return "EBADF";
    case ESPIPE:
        return "ESPIPE";
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    default:
        return "other";
    }
}

static void say(const char *s)
{
    if (write(1, s, strlen(s)) != (ssize_t)strlen(s))
        _exit(9);
}

int main(void)
{
    char line[200];
    struct iovec out[3] = {{"gathered ", 9}, {"by ", 3}, {"writev\n", 7}};
    ssize_t r = writev(1, out, 3);
    snprintf(line, sizeof(line), "writev: %zd\n", r);
    say(line);

    r = write(2, "to stderr\n", 10);
    snprintf(line, sizeof(line), "write(2): %zd\n", r);
    say(line);

    errno = 0;
    r = pwrite(1, "x", 1, 0);
    snprintf(line, sizeof(line), "pwrite64(1) on a pipe: %zd %s\n", r, err(errno));
    say(line);
    char buf[32];
    errno = 0;
    r = pread(0, buf, 4, 0);
    snprintf(line, sizeof(line), "pread64(0) on a pipe: %zd %s\n", r, err(errno));
    say(line);

    char a[4], b[6];
    struct iovec in[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
    r = readv(0, in, 2);
    snprintf(line, sizeof(line), "readv(0, 4+6): %zd \"%.4s\" \"%.6s\"\n", r, a, b);
    say(line);

    struct iovec empty[2] = {{buf, 0}, {buf, 0}};
    r = writev(1, empty, 2);
    snprintf(line, sizeof(line), "writev of empty buffers: %zd\n", r);
    say(line);
    errno = 0;
    r = syscall(SYS_writev, 1, out, -1);
    snprintf(line, sizeof(line), "writev(iovcnt -1): %zd %s\n", r, err(errno));
    say(line);

    int c = close(2);
    errno = 0;
    r = write(2, "lost\n", 5);
    snprintf(line, sizeof(line), "close(2): %d, then write(2): %zd %s\n", c, r, err(errno));
    say(line);
    errno = 0;
    c = close(2);
    snprintf(line, sizeof(line), "close(2) again: %d %s\n", c, err(errno));
    say(line);
    return 0;
}
