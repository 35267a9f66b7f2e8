/*
 * sendfile and copy_file_range, compared with Linux:
 *   sendfile files           from an image file (this program, /proc/self/exe) and a
 *                            tmpfs file to a pipe, a tmpfs file and stdout; with and
 *                            without an offset; beyond the end; count 0; a full pipe;
 *                            bad descriptors, ESPIPE, O_APPEND; copy_file_range in /tmp
 *   sendfile tcp HOST PORT   a 3 MB tmpfs file sent to a host server with sendfile,
 *                            blocking and then non-blocking (partial counts, EAGAIN);
 *                            the server answers the length and a checksum of what it got
 * Every byte moved is checked against pread of the source.
 */
#define _GNU_SOURCE /* copy_file_range */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case EAGAIN:
        return "EAGAIN";
    case ESPIPE:
        return "ESPIPE";
    case EBADF:
        return "EBADF";
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    case EISDIR:
        return "EISDIR";
    case EXDEV:
        return "EXDEV";
    default:
        return "other";
    }
}

static void show(const char *what, long r)
{
    printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? err_name(errno) : "");
}

static char got[300000], want[300000];

/* Whether the n bytes in got are the source's bytes at off. */
static const char *same_as(int src, off_t off, long n)
{
    if (n <= 0)
        return "nothing";
    return pread(src, want, (size_t)n, off) == n && !memcmp(got, want, (size_t)n) ? "match"
                                                                                  : "DIFFER";
}

static long drain(int fd, long n)
{
    long done = 0;
    while (done < n) {
        ssize_t r = read(fd, got + done, (size_t)(n - done));
        if (r <= 0)
            break;
        done += r;
    }
    return done;
}

static off_t pos_of(int fd)
{
    return lseek(fd, 0, SEEK_CUR);
}

/* A tmpfs file of n bytes of a pattern; its descriptor (read-write). */
static int pattern_file(const char *path, long n)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    for (long done = 0, k; done < n; done += k) {
        k = n - done < (long)sizeof(want) ? n - done : (long)sizeof(want);
        for (long i = 0; i < k; i++)
            want[i] = (char)((done + i) * 7 + (done + i) / 251);
        if (fd < 0 || write(fd, want, (size_t)k) != k) {
            perror(path);
            exit(1);
        }
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static void to_pipe(int img, int tmp)
{
    int p[2];
    if (pipe(p)) {
        perror("pipe");
        exit(1);
    }
    off_t off = 100;
    long r = sendfile(p[1], img, &off, 1000);
    show("image to pipe at 100, 1000", r);
    printf("  offset now %lld, position %lld, bytes %s\n", (long long)off, (long long)pos_of(img),
           same_as(img, 100, drain(p[0], r)));
    lseek(img, 50, SEEK_SET);
    r = sendfile(p[1], img, NULL, 3000);
    show("image to pipe from position 50, 3000", r);
    printf("  position now %lld, bytes %s\n", (long long)pos_of(img),
           same_as(img, 50, drain(p[0], r)));
    /* more than the pipe holds: it is filled, not waited on */
    r = sendfile(p[1], tmp, NULL, 100000);
    show("tmpfs to an empty pipe, 100000", r);
    printf("  position now %lld, bytes %s\n", (long long)pos_of(tmp),
           same_as(tmp, 0, drain(p[0], r)));
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    long filled = 0;
    while (write(p[1], want, 4096) > 0)
        filled += 4096;
    printf("filled the pipe with %ld\n", filled);
    off = 0;
    show("tmpfs to a full non-blocking pipe", sendfile(p[1], tmp, &off, 10));
    printf("  offset now %lld\n", (long long)off);
    drain(p[0], filled);
    show("count 0", sendfile(p[1], tmp, NULL, 0));
    off = 200010;
    show("beyond the end", sendfile(p[1], tmp, &off, 100));
    printf("  offset now %lld\n", (long long)off);
    off = 199990;
    r = sendfile(p[1], tmp, &off, 100);
    show("across the end", r);
    printf("  offset now %lld, bytes %s\n", (long long)off, same_as(tmp, 199990, drain(p[0], r)));
    /* errors, in Linux's order of checks */
    show("in_fd -1", sendfile(p[1], -1, NULL, 10));
    show("out_fd -1", sendfile(-1, tmp, NULL, 10));
    show("in_fd a write end", sendfile(p[1], p[1], NULL, 10));
    show("out_fd a read end", sendfile(p[0], tmp, NULL, 10));
    off = 0;
    show("in_fd a pipe, with an offset", sendfile(p[1], p[0], &off, 10));
    off = -1;
    show("a negative offset", sendfile(p[1], tmp, &off, 10));
    show("a bad offset pointer", sendfile(p[1], tmp, (off_t *)8, 10));
    close(p[0]);
    close(p[1]);
}

static void to_file(int img, int tmp)
{
    int out = open("/tmp/sendfile-out", O_RDWR | O_CREAT | O_TRUNC, 0600);
    lseek(tmp, 0, SEEK_SET);
    long r = sendfile(out, tmp, NULL, 300000);
    show("tmpfs to a tmpfs file, 300000 of 200000", r);
    printf("  in position %lld, out position %lld, bytes %s\n", (long long)pos_of(tmp),
           (long long)pos_of(out), same_as(tmp, 0, pread(out, got, sizeof(got), 0)));
    off_t off = 4000;
    r = sendfile(out, img, &off, 5000);
    show("image at 4000 to the tmpfs file, 5000", r);
    printf("  offset %lld, out position %lld, bytes %s\n", (long long)off, (long long)pos_of(out),
           same_as(img, 4000, pread(out, got, (size_t)r, 200000)));
    show("out_fd opened read-only", sendfile(img, tmp, NULL, 10));
    int app = open("/tmp/sendfile-out", O_WRONLY | O_APPEND);
    show("out_fd O_APPEND", sendfile(app, tmp, NULL, 10));
    close(app);
    int wr = open("/tmp/sendfile-out", O_WRONLY);
    show("in_fd opened write-only", sendfile(out, wr, NULL, 10));
    close(wr);
    fflush(stdout);
    off = 0;
    r = sendfile(1, tmp, &off, 300);
    printf("\nto stdout: %ld\n", r);

    /* copy_file_range within /tmp */
    int cp = open("/tmp/sendfile-copy", O_RDWR | O_CREAT | O_TRUNC, 0600);
    loff_t oin = 1000, oout = 0;
    r = copy_file_range(tmp, &oin, cp, &oout, 50000, 0);
    show("copy_file_range 50000 at 1000", r);
    printf("  offsets %lld %lld, positions %lld %lld, bytes %s\n", (long long)oin, (long long)oout,
           (long long)pos_of(tmp), (long long)pos_of(cp),
           same_as(tmp, 1000, pread(cp, got, sizeof(got), 0)));
    lseek(tmp, 199000, SEEK_SET);
    r = copy_file_range(tmp, NULL, cp, NULL, 5000, 0);
    show("copy_file_range across the end, from the positions", r);
    printf("  positions %lld %lld\n", (long long)pos_of(tmp), (long long)pos_of(cp));
    oin = 300000;
    show("copy_file_range beyond the end", copy_file_range(tmp, &oin, cp, NULL, 10, 0));
    show("copy_file_range with flags", copy_file_range(tmp, NULL, cp, NULL, 10, 1));
    oin = 0, oout = 100;
    show("copy_file_range overlapping", copy_file_range(cp, &oin, cp, &oout, 1000, 0));
    oout = 60000;
    show("copy_file_range within one file", copy_file_range(cp, &oin, cp, &oout, 1000, 0));
    app = open("/tmp/sendfile-copy", O_WRONLY | O_APPEND);
    show("copy_file_range to O_APPEND", copy_file_range(tmp, NULL, app, NULL, 10, 0));
    close(app);
    int p[2];
    if (pipe(p) == 0) {
        show("copy_file_range to a pipe", copy_file_range(tmp, NULL, p[1], NULL, 10, 0));
        close(p[0]);
        close(p[1]);
    }
    show("copy_file_range bad fd", copy_file_range(-1, NULL, cp, NULL, 10, 0));
    close(cp);
    close(out);
    unlink("/tmp/sendfile-copy");
    unlink("/tmp/sendfile-out");
}

static int files(void)
{
    int img = open("/proc/self/exe", O_RDONLY);
    struct stat st;
    if (img < 0 || fstat(img, &st) || st.st_size < 20000) {
        perror("/proc/self/exe");
        return 1;
    }
    int tmp = pattern_file("/tmp/sendfile-src", 200000);
    to_pipe(img, tmp);
    to_file(img, tmp);
    unlink("/tmp/sendfile-src");
    return 0;
}

#define TCP_SIZE 3000000L

/* Sends the whole file to a new connection; blocking, or through poll on EAGAIN,
 * counting the partial and refused calls. The server's answer. */
static int send_one(const char *host, int port, int src, int nonblock)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
        perror("connect");
        return 1;
    }
    if (nonblock)
        fcntl(s, F_SETFL, O_NONBLOCK);
    off_t off = 0;
    long calls = 0, eagain = 0, partial = 0;
    while (off < TCP_SIZE) {
        long r = sendfile(s, src, &off, (size_t)(TCP_SIZE - off));
        calls++;
        if (r < 0 && errno == EAGAIN) {
            eagain++;
            struct pollfd p = {.fd = s, .events = POLLOUT};
            poll(&p, 1, 10000);
            continue;
        }
        if (r <= 0) {
            show("sendfile to the socket", r);
            return 1;
        }
        if (off < TCP_SIZE)
            partial++;
    }
    shutdown(s, SHUT_WR);
    fcntl(s, F_SETFL, 0);
    char answer[128] = "";
    long n = drain(s, sizeof(answer) - 1);
    memcpy(answer, got, (size_t)(n > 0 ? n : 0));
    answer[n > 0 ? n : 0] = '\0';
    printf("%s: offset %lld, position %lld; server got %s", nonblock ? "non-blocking" : "blocking",
           (long long)off, (long long)pos_of(src), answer);
    if (nonblock)
        fprintf(stderr, "non-blocking: %ld calls, %ld partial, %ld EAGAIN\n", calls, partial,
                eagain);
    close(s);
    return 0;
}

static int tcp(const char *host, int port)
{
    int src = pattern_file("/tmp/sendfile-tcp", TCP_SIZE);
    printf("sending %ld bytes\n", TCP_SIZE);
    int r = send_one(host, port, src, 0) || send_one(host, port, src, 1);
    unlink("/tmp/sendfile-tcp");
    return r;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "files"))
        return files();
    if (argc == 4 && !strcmp(argv[1], "tcp"))
        return tcp(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: sendfile files | tcp HOST PORT\n");
    return 2;
}
