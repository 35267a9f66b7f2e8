/*
 * A descriptor closed by one thread while another thread waits on it. As on Linux, the
 * waiting call keeps the file it looked up: a read blocked on a pipe still gets the
 * data written after the close, a write blocked on a full pipe still finishes, and a
 * poll sleeping on the closed descriptor answers POLLNVAL at its next look. Prints what
 * it found.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fds[2];
static char got[64];
static ssize_t result;

static void *reader(void *arg)
{
    (void)arg;
    result = read(fds[0], got, sizeof(got) - 1);
    return NULL;
}

static void *poller(void *arg)
{
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    int n = poll(&p, 1, 5000);
    snprintf(got, sizeof(got), "poll %d, revents %s%s", n, p.revents & POLLNVAL ? "POLLNVAL" : "",
             p.revents & POLLIN ? "POLLIN" : "");
    return arg;
}

static void *writer(void *arg)
{
    static char big[200000];
    result = write(fds[1], big, sizeof(big));
    return arg;
}

int main(void)
{
    pthread_t t;
    /* 1: read blocked, its descriptor closed, then data written */
    if (pipe(fds))
        return 2;
    int reader_fd = fds[0];
    pthread_create(&t, NULL, reader, NULL);
    usleep(100000);
    close(reader_fd);
    usleep(50000);
    ssize_t w = write(fds[1], "after close", 11);
    pthread_join(t, NULL);
    got[result > 0 ? result : 0] = 0;
    printf("read: the write after the close: %zd; the blocked read got %zd: \"%s\"\n", w, result,
           got);
    close(fds[1]);

    /* 2: poll sleeping, its descriptor closed, then data written */
    if (pipe(fds))
        return 2;
    pthread_create(&t, NULL, poller, NULL);
    usleep(100000);
    int kept = dup(fds[0]); /* the pipe keeps a reader */
    close(fds[0]);
    usleep(50000);
    if (write(fds[1], "x", 1) != 1)
        return 3;
    pthread_join(t, NULL);
    printf("poll: %s\n", got);
    close(kept);
    close(fds[1]);

    /* 3: write blocked on a full pipe, its descriptor closed, then the pipe drained */
    if (pipe(fds))
        return 2;
    int writer_fd = fds[1];
    pthread_create(&t, NULL, writer, NULL);
    usleep(100000);
    close(writer_fd);
    char buf[65536];
    ssize_t total = 0, n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0)
        total += n;
    pthread_join(t, NULL);
    printf("write: the blocked write wrote %zd; the reader drained %zd, then EOF\n", result, total);
    return 0;
}
