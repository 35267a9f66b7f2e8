#define _GNU_SOURCE /* accept4 */
/*
 * A threaded epoll echo server, as small servers are written: the main thread accepts
 * and hands each connection to one of W workers, each with its own epoll instance
 * (level-triggered, EPOLLRDHUP); a worker echoes what it reads, keeping what the
 * socket would not take yet and waiting for EPOLLOUT. It exits after CONNS connections
 * have come and gone, printing how many and how many bytes, so a run is deterministic
 * for a deterministic client.
 *
 *     epoll_echo PORT CONNS [WORKERS]
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define BUF         65536

struct conn {
    int fd;
    size_t pending, off; /* bytes read and not yet written back, from off */
    char buf[BUF];
};

static int epfd[MAX_WORKERS];
static atomic_long closed, bytes;
static long want;

static void finish(struct conn *c, int ep)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
    if (atomic_fetch_add(&closed, 1) + 1 == want) {
        printf("served %ld connections, %ld bytes\n", want, atomic_load(&bytes));
        fflush(stdout);
        _exit(0);
    }
}

/* Writes back what is pending; false when the connection is gone. */
static int flush(struct conn *c, int ep)
{
    while (c->pending) {
        ssize_t n = write(c->fd, c->buf + c->off, c->pending);
        if (n < 0 && errno == EAGAIN) {
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            return 1;
        }
        if (n <= 0)
            return 0;
        c->off += (size_t)n;
        c->pending -= (size_t)n;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    return 1;
}

static void *worker(void *p)
{
    int ep = epfd[(long)p];
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(ep, evs, 64, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            perror("epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->pending) {
                if (!flush(c, ep))
                    finish(c, ep);
                continue;
            }
            ssize_t r = read(c->fd, c->buf, BUF);
            if (r > 0) {
                atomic_fetch_add(&bytes, r);
                c->pending = (size_t)r;
                c->off = 0;
                if (!flush(c, ep))
                    finish(c, ep);
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                finish(c, ep);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int port = atoi(argv[1]);
    want = atol(argv[2]);
    int workers = argc > 3 ? atoi(argv[3]) : 2;
    if (workers < 1 || workers > MAX_WORKERS)
        return 2;
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 128) < 0) {
        perror("listen");
        return 1;
    }
    for (long i = 0; i < workers; i++) {
        epfd[i] = epoll_create1(EPOLL_CLOEXEC);
        pthread_t t;
        pthread_create(&t, NULL, worker, (void *)i);
    }
    for (long next = 0;; next++) {
        int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("accept4");
            return 1;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct conn *c = calloc(1, sizeof(*c));
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        epoll_ctl(epfd[next % workers], EPOLL_CTL_ADD, fd, &ev);
    }
}
