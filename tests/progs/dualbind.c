/*
 * Several sockets on one port, as Linux allows them (dualbind PORT): an IPv4 socket
 * and an IPV6_V6ONLY IPv6 one side by side (a dual-stack server: Redis's default
 * `bind * -::*`), for TCP and UDP; a second IPv4 bind or a dual-stack IPv6 one is
 * EADDRINUSE; sockets that all set SO_REUSEPORT share the port, one without it may not.
 * The port must be declared (cloister run --listen tcp:PORT --listen udp:PORT).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int port;

static void show(const char *what, int r)
{
    printf("%s: %s\n", what, r == 0 ? "ok" : errno == EADDRINUSE ? "EADDRINUSE" : strerror(errno));
}

/* A socket of family and type, with the options, bound to the wildcard on port. */
static int bound(const char *what, int family, int type, int v6only, int reuseport)
{
    int s = socket(family, type, 0);
    if (s < 0) {
        perror("socket");
        exit(1);
    }
    if (family == AF_INET6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(int)))
        perror("IPV6_V6ONLY");
    if (reuseport && setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &reuseport, sizeof(int)))
        perror("SO_REUSEPORT");
    int r;
    if (family == AF_INET) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
        r = bind(s, (struct sockaddr *)&a, sizeof(a));
    } else {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6,
                                 .sin6_port = htons((unsigned short)port),
                                 .sin6_addr = IN6ADDR_ANY_INIT};
        r = bind(s, (struct sockaddr *)&a, sizeof(a));
    }
    show(what, r);
    return s;
}

static void closing(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        close(fds[i]);
}

static void pair(int type, const char *name)
{
    printf("%s:\n", name);
    int fds[4];
    fds[0] = bound("  IPv4 0.0.0.0", AF_INET, type, 0, 0);
    fds[1] = bound("  IPv6 [::] V6ONLY", AF_INET6, type, 1, 0);
    fds[2] = bound("  a second IPv4 0.0.0.0", AF_INET, type, 0, 0);
    fds[3] = bound("  IPv6 [::] dual-stack", AF_INET6, type, 0, 0);
    if (type == SOCK_STREAM) {
        show("  listen IPv4", listen(fds[0], 8));
        show("  listen IPv6", listen(fds[1], 8));
    }
    closing(fds, 4);
    fds[0] = bound("  dual-stack IPv6 first", AF_INET6, type, 0, 0);
    fds[1] = bound("  then IPv4", AF_INET, type, 0, 0);
    fds[2] = bound("  then IPv6 V6ONLY", AF_INET6, type, 1, 0);
    closing(fds, 3);
    fds[0] = bound("  IPv4 again, after the closes", AF_INET, type, 0, 0);
    closing(fds, 1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dualbind PORT\n");
        return 2;
    }
    port = atoi(argv[1]);
    pair(SOCK_STREAM, "TCP");
    pair(SOCK_DGRAM, "UDP");
    printf("SO_REUSEPORT:\n");
    int fds[5];
    fds[0] = bound("  IPv4 with it", AF_INET, SOCK_STREAM, 0, 1);
    fds[1] = bound("  IPv4 with it, again", AF_INET, SOCK_STREAM, 0, 1);
    fds[2] = bound("  IPv6 V6ONLY with it", AF_INET6, SOCK_STREAM, 1, 1);
    fds[3] = bound("  IPv6 dual-stack with it", AF_INET6, SOCK_STREAM, 0, 1);
    fds[4] = bound("  IPv4 without it", AF_INET, SOCK_STREAM, 0, 0);
    show("  listen the first", listen(fds[0], 8));
    show("  listen the second", listen(fds[1], 8));
    closing(fds, 5);
    return 0;
}
