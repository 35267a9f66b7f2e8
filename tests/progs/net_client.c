/*
 * A TCP client (tests/lib/net_cases.sh): `net_client HOST PORT BYTES [nonblock]`
 * connects (with a non-blocking connect, EINPROGRESS and poll when asked), sends BYTES
 * of a known pattern, shuts its side and checks that the same bytes come back. Also
 * `net_client HOST PORT refused`: the connect must fail with EACCES (an undeclared
 * destination), and `net_client - - nonet`: no declarations, no sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned char pattern(long i)
{
    return (unsigned char)(i * 7 + i / 251);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    if (!strcmp(argv[3], "nonet")) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        printf("socket: %s\n", s < 0 ? strerror(errno) : "ok");
        return 0;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        perror("socket");
        return 1;
    }
    int nonblock = argc > 4 && !strcmp(argv[4], "nonblock");
    if (!strcmp(argv[3], "refused")) {
        int r = connect(s, (struct sockaddr *)&a, sizeof(a));
        printf("connect: %s\n", r < 0 ? strerror(errno) : "ok");
        return 0;
    }
    long bytes = atol(argv[3]);
    if (nonblock)
        fcntl(s, F_SETFL, O_NONBLOCK);
    int r = connect(s, (struct sockaddr *)&a, sizeof(a));
    if (r < 0 && !(nonblock && errno == EINPROGRESS)) {
        perror("connect");
        return 1;
    }
    if (r < 0) {
        struct pollfd p = {.fd = s, .events = POLLOUT};
        int err = 0;
        socklen_t len = sizeof(err);
        int ready = poll(&p, 1, 10000);
        /* without poll (a kernel that lacks it), ask connect again until it is done */
        for (int i = 0; ready < 0 && errno == ENOSYS && i < 1000; i++) {
            if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EISCONN)
                ready = 1;
            else if (errno != EALREADY && errno != EINPROGRESS)
                err = errno, ready = 1;
            else
                usleep(10000), errno = ENOSYS;
        }
        if (ready != 1 || (!err && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)) || err) {
            printf("connect did not complete: %s\n", strerror(err));
            return 1;
        }
        printf("connect: in progress, then done\n");
        fcntl(s, F_SETFL, 0);
    }
    unsigned char buf[65536];
    for (long sent = 0; sent < bytes;) {
        long n = bytes - sent < (long)sizeof(buf) ? bytes - sent : (long)sizeof(buf);
        for (long i = 0; i < n; i++)
            buf[i] = pattern(sent + i);
        ssize_t w = send(s, buf, (size_t)n, MSG_NOSIGNAL);
        if (w <= 0) {
            perror("send");
            return 1;
        }
        sent += w;
        /* read back what came already, so neither side's buffers fill */
        (void)0;
    }
    shutdown(s, SHUT_WR);
    long got = 0;
    ssize_t n;
    while ((n = recv(s, buf, sizeof(buf), 0)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != pattern(got + i)) {
                printf("byte %ld differs\n", got + i);
                return 1;
            }
        got += n;
    }
    printf("sent %ld, got back %ld\n", bytes, got);
    close(s);
    return got == bytes ? 0 : 1;
}
