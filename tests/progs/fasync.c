/*
 * The ioctls every file answers (FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC) and signal-driven
 * I/O: F_SETOWN/F_GETOWN and SIGIO on a socketpair, from this process and from a
 * forked child, as nginx's master sets up each worker's channel. Prints facts only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t sigios;

static void on_sigio(int sig)
{
    (void)sig;
    sigios++;
}

/* "ok", or the errno's name (the ones these calls can give) */
static const char *err(long r)
{
    if (r >= 0)
        return "ok";
    switch (errno) {
    case EAGAIN:
        return "EAGAIN";
    case EBADF:
        return "EBADF";
    case ESRCH:
        return "ESRCH";
    case EINVAL:
        return "EINVAL";
    case ENOTTY:
        return "ENOTTY";
    default:
        return "another error";
    }
}

static void nonblock_and_cloexec(void)
{
    int p[2], on = 1, off = 0;
    char c;
    if (pipe(p))
        return;
    printf("FIONBIO on a pipe: %s\n", err(ioctl(p[0], FIONBIO, &on)));
    printf("read of an empty pipe: %s\n", err(read(p[0], &c, 1)));
    printf("O_NONBLOCK in F_GETFL: %d\n", !!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
    ioctl(p[0], FIONBIO, &off);
    printf("after FIONBIO off: %d\n", !!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
    const char *e = err(ioctl(p[1], FIOCLEX));
    printf("FIOCLEX: %s, FD_CLOEXEC %d\n", e, fcntl(p[1], F_GETFD));
    e = err(ioctl(p[1], FIONCLEX));
    printf("FIONCLEX: %s, FD_CLOEXEC %d\n", e, fcntl(p[1], F_GETFD));
    close(p[0]);
    close(p[1]);
}

static void sigio_on_socketpair(void)
{
    int sv[2], on = 1;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return;
    printf("F_GETOWN before: %d\n", fcntl(sv[0], F_GETOWN));
    printf("FIOASYNC: %s\n", err(ioctl(sv[0], FIOASYNC, &on)));
    printf("O_ASYNC in F_GETFL: %d\n", !!(fcntl(sv[0], F_GETFL) & O_ASYNC));
    long n = (long)write(sv[1], "a", 1);
    printf("a write before an owner: %ld byte, SIGIOs %d\n", n, (int)sigios);
    printf("F_SETOWN self: %s\n", err(fcntl(sv[0], F_SETOWN, getpid())));
    printf("F_GETOWN is self: %d\n", fcntl(sv[0], F_GETOWN) == getpid());
    char buf[8];
    printf("read: %ld\n", (long)read(sv[0], buf, sizeof(buf)));
    sigios = 0;
    n = (long)write(sv[1], "b", 1);
    printf("a write by this process: %ld byte, SIGIO %s\n", n, sigios ? "received" : "none");
    read(sv[0], buf, sizeof(buf));

    /* a child writes while this process waits for SIGIO in sigsuspend */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGIO);
    sigprocmask(SIG_BLOCK, &block, &old);
    sigios = 0;
    pid_t child = fork();
    if (child == 0) {
        write(sv[1], "c", 1);
        _exit(0);
    }
    while (!sigios)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("a write by a child: SIGIO received\n");
    int status;
    waitpid(child, &status, 0);
    printf("read: %ld\n", (long)read(sv[0], buf, sizeof(buf)));

    /* the owner must exist: the child is reaped. The group is this process's own (a
     * SIGIO to the group of whatever started it would reach that too) */
    setpgid(0, 0);
    printf("F_SETOWN to a reaped child: %s\n", err(fcntl(sv[0], F_SETOWN, child)));
    printf("F_SETOWN to our group: %s\n", err(fcntl(sv[0], F_SETOWN, -getpgrp())));
    printf("F_GETOWN is -group: %d\n", fcntl(sv[0], F_GETOWN) == -getpgrp());
    sigios = 0;
    close(sv[1]);
    printf("the peer closed: SIGIO %s\n", sigios ? "received" : "none");
    printf("F_SETOWN 0: %s\n", err(fcntl(sv[0], F_SETOWN, 0)));
    printf("F_GETOWN after: %d\n", fcntl(sv[0], F_GETOWN));
    close(sv[0]);
}

int main(void)
{
    signal(SIGIO, on_sigio);
    nonblock_and_cloexec();
    sigio_on_socketpair();
    printf("F_SETOWN on a bad descriptor: %s\n", err(fcntl(99, F_SETOWN, getpid())));
    return 0;
}
