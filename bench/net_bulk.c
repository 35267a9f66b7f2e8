/*
 * The network benchmark's endpoints (bench/net.sh), the same program natively and in
 * the guest: `sink PORT` accepts one connection on 0.0.0.0:PORT and reads it to the end;
 * `source HOST PORT BYTES` connects and writes BYTES; `pingpong HOST PORT N` makes N
 * 64-byte request/answer round trips with an echo server. Each prints its own rate.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int dial(const char *host, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    for (int i = 0; i < 600; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
            return s;
        close(s);
        usleep(100000); /* the other side may not listen yet */
    }
    perror("connect");
    exit(1);
}

static char buf[1 << 20];

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "sink")) {
        int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
        if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1))
            return perror("bind"), 1;
        int c = accept(ls, NULL, NULL);
        double t0 = now();
        long total = 0;
        ssize_t r;
        while ((r = read(c, buf, sizeof(buf))) > 0)
            total += r;
        double t = now() - t0;
        printf("sink: %ld bytes in %.3f s: %.1f MB/s\n", total, t, total / t / 1e6);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "source")) {
        int s = dial(argv[2], atoi(argv[3]));
        long bytes = atol(argv[4]);
        double t0 = now();
        for (long done = 0; done < bytes;) {
            long n = bytes - done < (long)sizeof(buf) ? bytes - done : (long)sizeof(buf);
            ssize_t w = write(s, buf, (size_t)n);
            if (w <= 0)
                return perror("write"), 1;
            done += w;
        }
        shutdown(s, SHUT_WR);
        read(s, buf, 1); /* the sink's close: every byte is in */
        double t = now() - t0;
        printf("source: %ld bytes in %.3f s: %.1f MB/s\n", bytes, t, bytes / t / 1e6);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "pingpong")) {
        int s = dial(argv[2], atoi(argv[3])), one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        long n = atol(argv[4]);
        double t0 = now();
        for (long i = 0; i < n; i++) {
            if (write(s, buf, 64) != 64)
                return perror("write"), 1;
            for (int got = 0; got < 64;) {
                ssize_t r = read(s, buf, 64 - got);
                if (r <= 0)
                    return perror("read"), 1;
                got += r;
            }
        }
        double t = now() - t0;
        printf("pingpong: %ld round trips in %.3f s: %.0f requests/s\n", n, t, n / t);
        return 0;
    }
    return 2;
}
