/*
 * A TCP echo server (tests/lib/net_cases.sh): `net_echo PORT N` listens on
 * 0.0.0.0:PORT, serves N connections one after another, echoing every byte until the
 * peer shuts its side, and prints what it saw (the address it is bound to, the bytes
 * of each connection) so the VM's run compares with the native one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int port = atoi(argv[1]), n = atoi(argv[2]);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0) {
        perror("socket");
        return 1;
    }
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 16) < 0) {
        perror("bind/listen");
        return 1;
    }
    struct sockaddr_in b;
    socklen_t blen = sizeof(b);
    getsockname(ls, (struct sockaddr *)&b, &blen);
    printf("listening on %s:%u\n", inet_ntoa(b.sin_addr), ntohs(b.sin_port));
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) {
            perror("accept");
            return 1;
        }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        char buf[65536];
        long total = 0;
        ssize_t r;
        while ((r = read(c, buf, sizeof(buf))) > 0) {
            for (ssize_t done = 0; done < r;) {
                ssize_t w = write(c, buf + done, (size_t)(r - done));
                if (w <= 0) {
                    perror("write");
                    return 1;
                }
                done += w;
            }
            total += r;
        }
        if (r < 0)
            perror("read");
        close(c);
        printf("connection %d: %ld bytes\n", i, total);
    }
    close(ls);
    return 0;
}
