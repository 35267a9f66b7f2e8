/*
 * UDP both ways (tests/lib/net_cases.sh). `net_udp server PORT N`: binds 0.0.0.0:PORT
 * and sends each of N datagrams back to where it came from. `net_udp client HOST PORT
 * N`: sends N datagrams of different sizes and checks each echo, byte for byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int server(int port, int n)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("socket/bind");
        return 1;
    }
    printf("bound\n");
    fflush(stdout);
    char buf[65536];
    long total = 0;
    for (int i = 0; i < n; i++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        ssize_t r = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
        if (r < 0 || sendto(s, buf, (size_t)r, 0, (struct sockaddr *)&from, flen) != r) {
            perror("recvfrom/sendto");
            return 1;
        }
        total += r;
    }
    printf("echoed %d datagrams, %ld bytes\n", n, total);
    return 0;
}

static int client(const char *host, int port, int n)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    struct timeval tv = {10, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    static char out[9000], in[9000];
    for (int i = 0; i < n; i++) {
        size_t len = (size_t)(1 + i * 97 % 8999);
        for (size_t k = 0; k < len; k++)
            out[k] = (char)(i + k * 3);
        if (sendto(s, out, len, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len) {
            perror("sendto");
            return 1;
        }
        ssize_t r = recv(s, in, sizeof(in), 0);
        if (r != (ssize_t)len || memcmp(in, out, len)) {
            printf("datagram %d: %zd bytes back, wanted %zu\n", i, r, len);
            return 1;
        }
    }
    printf("%d datagrams echoed\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "server"))
        return server(atoi(argv[2]), atoi(argv[3]));
    if (argc == 5 && !strcmp(argv[1], "client"))
        return client(argv[2], atoi(argv[3]), atoi(argv[4]));
    return 2;
}
