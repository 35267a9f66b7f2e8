/*
 * Readiness and waiting within one process, as event loops use them: poll, ppoll,
 * select and pselect over pipes and eventfds; epoll level- and edge-triggered, one-shot,
 * nested, with registrations going away with their file; timerfd expirations; stdin
 * beside a timer; stdio that never waits. Each part is a command: events
 * pipes|epoll|timerfd|errors|stdin|stdio.
 * Everything printed is deterministic: counts of expirations the clock fixes, never
 * how long anything took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case EAGAIN:
        return "EAGAIN";
    case EBADF:
        return "EBADF";
    case EINVAL:
        return "EINVAL";
    case EEXIST:
        return "EEXIST";
    case ENOENT:
        return "ENOENT";
    case EPERM:
        return "EPERM";
    case ELOOP:
        return "ELOOP";
    case EFAULT:
        return "EFAULT";
    case ESPIPE:
        return "ESPIPE";
    default:
        return "other";
    }
}

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, err_name(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void link_of(const char *what, int fd)
{
    char path[64], buf[128];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    buf[n < 0 ? 0 : n] = 0;
    printf("%s link: %s\n", what, buf);
}

static int poll1(int fd, short events, int timeout)
{
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, timeout);
    printf("poll fd-kind events %#x timeout %d: %d revents %#x\n", (unsigned)events, timeout, r,
           (unsigned)p.revents);
    return r;
}

static void part_pipes(void)
{
    int p[2];
    pipe(p);
    poll1(p[0], POLLIN, 0);
    poll1(p[1], POLLOUT, 0);
    poll1(p[0], POLLIN, 30); /* times out: 0 */
    write(p[1], "x", 1);
    poll1(p[0], POLLIN | POLLOUT, 0);

    /* several at once, a negative fd ignored, a closed one POLLNVAL */
    int closed = dup(p[0]);
    close(closed);
    struct pollfd many[4] = {
        {p[0], POLLIN, 0}, {-1, POLLIN, 0}, {closed, POLLIN, 0}, {p[1], POLLOUT, 0}};
    int r = poll(many, 4, -1);
    printf("poll many: %d revents %#x %#x %#x %#x\n", r, many[0].revents, many[1].revents,
           many[2].revents, many[3].revents);

    /* select: what is ready in each set */
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &rd);
    FD_SET(p[1], &wr);
    struct timeval tv = {5, 0};
    r = select(p[1] + 1, &rd, &wr, NULL, &tv);
    printf("select: %d rd %d %d wr %d\n", r, FD_ISSET(p[0], &rd), FD_ISSET(p[1], &rd),
           FD_ISSET(p[1], &wr));
    char c;
    read(p[0], &c, 1);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    tv = (struct timeval){0, 30000};
    r = select(p[0] + 1, &rd, NULL, NULL, &tv);
    printf("select timeout: %d rd %d left %ld.%06ld\n", r, FD_ISSET(p[0], &rd), (long)tv.tv_sec,
           (long)tv.tv_usec);
    FD_ZERO(&rd);
    FD_SET(closed, &rd);
    tv = (struct timeval){0, 0};
    show("select closed fd", select(closed + 1, &rd, NULL, NULL, &tv));
    show("select negative nfds", select(-1, NULL, NULL, NULL, &tv));
    tv = (struct timeval){0, 2000000}; /* whole seconds in tv_usec: Linux carries them */
    FD_ZERO(&wr);
    FD_SET(p[1], &wr);
    show("select usec over a second", select(p[1] + 1, NULL, &wr, NULL, &tv));

    /* ppoll with a mask: the mask is the task's only during the call */
    sigset_t block, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    struct timespec ts = {0, 20000000};
    struct pollfd pr = {p[0], POLLIN, 0};
    r = ppoll(&pr, 1, &ts, &block);
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("ppoll timeout: %d revents %#x usr1 blocked after %d\n", r, pr.revents,
           sigismember(&now, SIGUSR1));
    long lr = syscall(SYS_ppoll, &pr, 1, &ts, &block, 4);
    show("ppoll sigsetsize 4", lr);
    write(p[1], "y", 1);
    ts = (struct timespec){1, 0};
    r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, &block);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, &block);
    printf("pselect: %d rd %d\n", r, FD_ISSET(p[0], &rd));

    /* the write end hangs up the read end; the read end's closing errs the write end */
    close(p[1]);
    poll1(p[0], POLLIN, -1);
    int q[2];
    pipe(q);
    close(q[0]);
    signal(SIGPIPE, SIG_IGN);
    poll1(q[1], POLLOUT, -1);
    close(p[0]);
    close(q[1]);

    /* eventfd */
    int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    link_of("eventfd", e);
    uint64_t v = 0;
    show("eventfd read empty", read(e, &v, 8));
    poll1(e, POLLIN | POLLOUT, 0);
    v = 3;
    show("eventfd write 3", write(e, &v, 8));
    v = 4;
    show("eventfd write 4", write(e, &v, 8));
    poll1(e, POLLIN | POLLOUT, 0);
    show("eventfd read", read(e, &v, 8));
    printf("eventfd value %llu\n", (unsigned long long)v);
    show("eventfd read 4 bytes", read(e, &v, 4));
    v = 1;
    show("eventfd write 4 bytes", write(e, &v, 4));
    v = UINT64_MAX;
    show("eventfd write max", write(e, &v, 8));
    v = UINT64_MAX - 1;
    show("eventfd write max-1", write(e, &v, 8));
    poll1(e, POLLIN | POLLOUT, 0);
    v = 1;
    show("eventfd write overflow", write(e, &v, 8));
    show("eventfd pread", pread(e, &v, 8, 0));
    show("eventfd read", read(e, &v, 8));
    printf("eventfd value %llu\n", (unsigned long long)v);
    close(e);
    e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    for (int i = 0; i < 3; i++) {
        v = 0;
        long n = read(e, &v, 8);
        printf("semaphore read: %ld value %llu\n", n, (unsigned long long)v);
    }
    close(e);
    show("eventfd2 bad flags", eventfd(0, 0x10));
    /* a blocking eventfd read with a count there does not wait */
    e = eventfd(5, 0);
    show("eventfd blocking read", read(e, &v, 8));
    close(e);
}

static void ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
        printf("add %llx failed: %s\n", (unsigned long long)data, err_name(errno));
}

static int ep_wait(const char *what, int ep, int timeout)
{
    struct epoll_event evs[8];
    int n = epoll_wait(ep, evs, 8, timeout);
    printf("%s: %d", what, n);
    if (n < 0)
        printf(" %s", err_name(errno));
    for (int i = 0; i < n; i++)
        printf(" [%#x %llx]", evs[i].events, (unsigned long long)evs[i].data.u64);
    printf("\n");
    return n;
}

static void part_epoll(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    link_of("epoll", ep);
    int a[2], b[2], c[2];
    pipe(a);
    pipe(b);
    pipe(c);
    char buf[16];

    /* level-triggered: reported while readable */
    ep_add(ep, a[0], EPOLLIN, 0x1122334455667788ull);
    ep_wait("lt empty", ep, 0);
    ep_wait("lt empty 30ms", ep, 30);
    write(a[1], "ab", 2);
    ep_wait("lt data", ep, -1);
    ep_wait("lt again", ep, 0);
    read(a[0], buf, 1);
    ep_wait("lt after part read", ep, 0);
    read(a[0], buf, 1);
    ep_wait("lt drained", ep, 0);

    /* edge-triggered: once per arrival */
    ep_add(ep, b[0], EPOLLIN | EPOLLET, 0xb);
    write(b[1], "1", 1);
    write(b[1], "2", 1);
    ep_wait("et two writes", ep, 0);
    ep_wait("et again", ep, 0);
    read(b[0], buf, 1);
    ep_wait("et after part read", ep, 0);
    write(b[1], "3", 1);
    ep_wait("et third write", ep, 0);
    read(b[0], buf, sizeof(buf));

    /* one-shot: disabled once reported, until EPOLL_CTL_MOD */
    ep_add(ep, c[0], EPOLLIN | EPOLLONESHOT, 0xc);
    write(c[1], "z", 1);
    ep_wait("oneshot", ep, 0);
    ep_wait("oneshot spent", ep, 0);
    write(c[1], "z", 1);
    ep_wait("oneshot spent, more data", ep, 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0xc2};
    show("mod", epoll_ctl(ep, EPOLL_CTL_MOD, c[0], &ev));
    ep_wait("after mod", ep, 0);
    show("del", epoll_ctl(ep, EPOLL_CTL_DEL, c[0], NULL));
    ep_wait("after del", ep, 0);

    /* several ready, fewer slots than ready: the rest come next time */
    write(a[1], "q", 1);
    write(b[1], "q", 1);
    ep_add(ep, c[1], EPOLLOUT, 0xc1);
    struct epoll_event one[1];
    int got = 0;
    for (int i = 0; i < 3; i++)
        got += epoll_wait(ep, one, 1, 0);
    printf("three waits of one: %d\n", got);
    read(a[0], buf, sizeof(buf));
    read(b[0], buf, sizeof(buf));
    show("del c1", epoll_ctl(ep, EPOLL_CTL_DEL, c[1], NULL));
    ep_wait("drained", ep, 0);

    /* the write end closed: the read end hangs up (a pipe says EPOLLHUP, not RDHUP) */
    int h[2];
    pipe(h);
    ep_add(ep, h[0], EPOLLIN | EPOLLRDHUP, 0x40);
    close(h[1]);
    ep_wait("hangup", ep, 0);
    close(h[0]);
    /* the read end closed: the write end errs, reported unasked */
    pipe(h);
    ep_add(ep, h[1], 0, 0x41);
    close(h[0]);
    ep_wait("write end error", ep, 0);
    close(h[1]);
    ep_wait("both gone", ep, 0);

    /* a registration lives with the open file: a dup keeps it, the last close ends it */
    int d[2];
    pipe(d);
    int dd = dup(d[0]);
    ep_add(ep, d[0], EPOLLIN, 0xd0);
    close(d[0]);
    write(d[1], "w", 1);
    ep_wait("closed fd, dup open", ep, 0);
    show("del closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, d[0], NULL));
    show("del dup", epoll_ctl(ep, EPOLL_CTL_DEL, dd, NULL));
    close(dd);
    ep_wait("last close", ep, 0);
    /* the number again, another file: a new registration */
    int nfd = eventfd(1, 0);
    printf("reused number: %d\n", nfd == d[0]);
    ep_add(ep, nfd, EPOLLIN | EPOLLOUT, 0xe);
    ep_wait("eventfd", ep, 0);
    close(nfd);
    close(d[1]);

    /* nested: an epoll inside another */
    int outer = epoll_create(1);
    ep_add(outer, ep, EPOLLIN, 0x0e);
    ep_wait("outer, inner idle", outer, 0);
    poll1(ep, POLLIN, 0);
    write(a[1], "n", 1);
    ep_wait("outer, inner ready", outer, 0);
    poll1(ep, POLLIN, 0);
    ep_wait("inner", ep, 0);
    read(a[0], buf, sizeof(buf));
    ep_wait("outer, inner drained", outer, 0);
    ev = (struct epoll_event){.events = EPOLLIN};
    show("add outer to inner", epoll_ctl(ep, EPOLL_CTL_ADD, outer, &ev));
    show("add to itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    close(outer);

    /* EPOLLEXCLUSIVE */
    int x = eventfd(0, 0);
    ev = (struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE, .data.u64 = 0x5};
    show("exclusive add", epoll_ctl(ep, EPOLL_CTL_ADD, x, &ev));
    show("exclusive mod", epoll_ctl(ep, EPOLL_CTL_MOD, x, &ev));
    ev.events = EPOLLIN;
    show("mod of exclusive", epoll_ctl(ep, EPOLL_CTL_MOD, x, &ev));
    int y = eventfd(0, 0);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    show("exclusive oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, y, &ev));
    int ep2 = epoll_create1(0);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    show("exclusive epoll", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
    uint64_t one64 = 1;
    write(x, &one64, 8);
    ep_wait("exclusive ready", ep, 0);
    close(x);
    close(y);
    close(ep2);

    /* epoll_pwait with a mask, epoll_pwait2 with a timespec */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    struct epoll_event evs[4];
    show("epoll_pwait", epoll_pwait(ep, evs, 4, 20, &block));
    struct timespec ts = {0, 20000000};
    show("epoll_pwait2", syscall(441, ep, evs, 4, &ts, NULL, 8));
    ts.tv_nsec = 1000000000;
    show("epoll_pwait2 bad timespec", syscall(441, ep, evs, 4, &ts, NULL, 8));
    show("epoll_pwait sigsetsize 4", syscall(SYS_epoll_pwait, ep, evs, 4, 0, &block, 4));
    close(ep);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    close(c[0]);
    close(c[1]);
}

static void part_errors(void)
{
    int ep = epoll_create1(0), p[2];
    pipe(p);
    struct epoll_event ev = {.events = EPOLLIN};
    show("epoll_create 0", epoll_create(0));
    show("epoll_create -1", epoll_create(-1));
    show("epoll_create1 bad flag", epoll_create1(1));
    show("ctl bad epfd", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev));
    show("ctl bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    show("ctl epfd not epoll", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev));
    show("ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    show("ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    show("ctl mod unknown", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    show("ctl del unknown", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    show("ctl bad op", epoll_ctl(ep, 7, p[0], &ev));
    char tmpl[] = "/tmp/events-XXXXXX";
    int reg = mkstemp(tmpl);
    unlink(tmpl);
    show("ctl regular file", epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev));
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    show("ctl directory", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev));
    /* poll and select do take regular files: always ready */
    poll1(reg, POLLIN | POLLOUT, 0);
    struct epoll_event evs[2];
    show("wait maxevents 0", epoll_wait(ep, evs, 0, 0));
    show("wait maxevents -1", syscall(SYS_epoll_wait, ep, evs, -1, 0));
    show("wait bad epfd", epoll_wait(999, evs, 2, 0));
    show("wait not epoll", epoll_wait(p[0], evs, 2, 0));
    struct pollfd pf = {p[0], POLLIN, 0};
    show("poll nfds over limit", syscall(SYS_poll, &pf, 1ul << 20, 0));
    show("poll bad pointer", syscall(SYS_poll, (void *)8, 1, 0));
    show("timerfd_create bad clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    show("timerfd_create bad flags", timerfd_create(CLOCK_MONOTONIC, 0x10));
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {{0, 0}, {1, 0}};
    show("settime bad flags", timerfd_settime(t, 4, &its, NULL));
    its.it_value.tv_nsec = 1000000000;
    show("settime bad nsec", timerfd_settime(t, 0, &its, NULL));
    its.it_value = (struct timespec){-1, 0};
    show("settime negative", timerfd_settime(t, 0, &its, NULL));
    its.it_value = (struct timespec){1, 0};
    show("settime not timerfd", timerfd_settime(p[0], 0, &its, NULL));
    show("settime bad fd", timerfd_settime(999, 0, &its, NULL));
    show("gettime not timerfd", timerfd_gettime(p[0], &its));
    uint64_t v;
    show("timerfd read 4 bytes", read(t, &v, 4));
    show("timerfd read none", read(t, &v, 8));
    show("timerfd write", write(t, &v, 8));
    close(t);
    close(reg);
    close(dir);
    close(ep);
}

static void part_timerfd(void)
{
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    link_of("timerfd", t);
    struct itimerspec its, cur;
    uint64_t n = 0;
    timerfd_gettime(t, &cur);
    printf("disarmed: %ld.%09ld %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
           (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);

    /* one shot, relative, read blocks until it expires */
    its = (struct itimerspec){{0, 0}, {0, 30000000}};
    show("settime 30ms", timerfd_settime(t, 0, &its, NULL));
    show("blocking read", read(t, &n, 8));
    printf("expirations: %llu\n", (unsigned long long)n);
    timerfd_gettime(t, &cur);
    printf("after one shot: %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);

    /* absolute, in the past, periodic: the clock fixes the count */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* 9.5 s ago, every second: 10 expirations */
    if (now.tv_nsec >= 500000000) {
        its.it_value = (struct timespec){now.tv_sec - 9, now.tv_nsec - 500000000};
    } else {
        its.it_value = (struct timespec){now.tv_sec - 10, now.tv_nsec + 500000000};
    }
    its.it_interval = (struct timespec){1, 0};
    show("settime abs past", timerfd_settime(t, TFD_TIMER_ABSTIME, &its, &cur));
    printf("old: %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    read(t, &n, 8);
    printf("expirations: %llu\n", (unsigned long long)n);
    timerfd_gettime(t, &cur);
    printf("interval %ld.%09ld, next within it: %d\n", (long)cur.it_interval.tv_sec,
           cur.it_interval.tv_nsec, cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);

    /* periodic, counted through epoll until 5 */
    its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
    timerfd_settime(t, 0, &its, NULL);
    int ep = epoll_create1(0);
    ep_add(ep, t, EPOLLIN, 0x7);
    uint64_t total = 0;
    int wakes = 0;
    while (total < 5) {
        struct epoll_event ev;
        if (epoll_wait(ep, &ev, 1, -1) == 1 && ev.data.u64 == 0x7) {
            read(t, &n, 8);
            total += n;
            wakes++;
        }
    }
    printf("periodic: at least 5: %d, woken: %d\n", total >= 5, wakes >= 1);
    its = (struct itimerspec){{0, 0}, {0, 0}};
    timerfd_settime(t, 0, &its, &cur);
    printf("old interval: %ld.%09ld\n", (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
    poll1(t, POLLIN, 30);
    close(ep);
    close(t);

    /* realtime, absolute, a second ago: due at once; cancel-on-set is accepted. (Not
     * in the future: a test machine's wall clock may be stepped meanwhile.) */
    t = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_sec--;
    its = (struct itimerspec){{0, 0}, now};
    show("settime realtime abs cancel-on-set",
         timerfd_settime(t, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL));
    poll1(t, POLLIN, -1); /* due, but Linux hears it from its timer interrupt */
    show("read", read(t, &n, 8));
    printf("expirations: %llu\n", (unsigned long long)n);
    show("nonblocking read after", read(t, &n, 8));
    close(t);

    t = timerfd_create(CLOCK_BOOTTIME, 0);
    its = (struct itimerspec){{0, 0}, {0, 1}};
    timerfd_settime(t, 0, &its, NULL);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(t, &rd);
    show("select boottime", select(t + 1, &rd, NULL, NULL, NULL));
    read(t, &n, 8);
    printf("expirations: %llu\n", (unsigned long long)n);
    close(t);
}

/* stdin (a pipe from the host) beside a periodic timer, in one epoll */
static void part_stdin(void)
{
    int ep = epoll_create1(0);
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {{0, 5000000}, {0, 5000000}};
    timerfd_settime(t, 0, &its, NULL);
    ep_add(ep, 0, EPOLLIN, 100);
    ep_add(ep, t, EPOLLIN, 200);
    char buf[4096];
    long bytes = 0, sum = 0;
    int eof = 0, ticks = 0;
    while (!eof || !ticks) {
        struct epoll_event evs[2];
        int n = epoll_wait(ep, evs, 2, -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u64 == 100) {
                ssize_t r = read(0, buf, sizeof(buf));
                if (r <= 0) {
                    eof = 1;
                    epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
                }
                for (ssize_t j = 0; j < r; j++)
                    sum += (unsigned char)buf[j];
                bytes += r > 0 ? r : 0;
            } else {
                uint64_t c;
                if (read(t, &c, 8) == 8)
                    ticks++;
            }
        }
    }
    printf("stdin: %ld bytes, sum %ld, timer ticked\n", bytes, sum);
    /* poll: stdin at end of file is readable */
    poll1(0, POLLIN, -1);
    close(t);
    close(ep);
}

/* stdin that never waits (/dev/null, a regular file) beside stdout, a pipe */
static void part_stdio(void)
{
    poll1(0, POLLIN | POLLOUT, 0);
    int ep = epoll_create1(0);
    ep_add(ep, 0, EPOLLIN, 0);
    poll1(1, POLLOUT, 0);
    ep_add(ep, 1, EPOLLOUT, 1);
    ep_wait("stdout", ep, 0);
    close(ep);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *part = argc > 1 ? argv[1] : "";
    if (!strcmp(part, "pipes"))
        part_pipes();
    else if (!strcmp(part, "epoll"))
        part_epoll();
    else if (!strcmp(part, "errors"))
        part_errors();
    else if (!strcmp(part, "timerfd"))
        part_timerfd();
    else if (!strcmp(part, "stdin"))
        part_stdin();
    else if (!strcmp(part, "stdio"))
        part_stdio();
    else {
        fprintf(stderr, "usage: events pipes|epoll|errors|timerfd|stdin|stdio\n");
        return 2;
    }
    return 0;
}
