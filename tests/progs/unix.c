/*
 * AF_UNIX sockets within one process, as programs use them to talk to themselves:
 * socketpairs of each type between threads, a path server on /tmp with client
 * threads, abstract names and autobind, descriptors passed with SCM_RIGHTS,
 * credentials, peeking and truncation, shutdown and EPIPE, restarts after a signal,
 * poll and epoll readiness, the errors of bad names and lengths, and hostile control
 * data. Each part is a command:
 * unix pair|server|abstract|rights|data|signals|poll|errors|hostile.
 * Everything printed is deterministic (no pids, inode numbers or autobind digits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static const char *err_name(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {
        {EAGAIN, "EAGAIN"},
        {EBADF, "EBADF"},
        {EINVAL, "EINVAL"},
        {EEXIST, "EEXIST"},
        {ENOENT, "ENOENT"},
        {ENOTDIR, "ENOTDIR"},
        {EPERM, "EPERM"},
        {EFAULT, "EFAULT"},
        {EPIPE, "EPIPE"},
        {EROFS, "EROFS"},
        {EACCES, "EACCES"},
        {ENOTCONN, "ENOTCONN"},
        {EISCONN, "EISCONN"},
        {ECONNREFUSED, "ECONNREFUSED"},
        {ECONNRESET, "ECONNRESET"},
        {EADDRINUSE, "EADDRINUSE"},
        {EOPNOTSUPP, "EOPNOTSUPP"},
        {EPROTOTYPE, "EPROTOTYPE"},
        {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
        {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"},
        {EAFNOSUPPORT, "EAFNOSUPPORT"},
        {EMSGSIZE, "EMSGSIZE"},
        {ENOTSOCK, "ENOTSOCK"},
        {ENOPROTOOPT, "ENOPROTOOPT"},
        {ENOBUFS, "ENOBUFS"},
        {ESPIPE, "ESPIPE"},
        {ENXIO, "ENXIO"},
        {ESRCH, "ESRCH"},
        {ENAMETOOLONG, "ENAMETOOLONG"},
        {EINTR, "EINTR"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    static char buf[32];
    snprintf(buf, sizeof(buf), "errno %d", e);
    return buf;
}

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, err_name(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void must(const char *what, long r)
{
    if (r < 0) {
        printf("%s failed: %s\n", what, err_name(errno));
        exit(1);
    }
}

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    strncpy(a->sun_path, path, sizeof(a->sun_path));
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, strlen(name));
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* ---- pair: socketpairs of each type, one end per thread ---- */

struct pair_arg {
    int fd, type;
};

static void *pair_peer(void *p)
{
    struct pair_arg *a = p;
    char buf[256];
    long total = 0, msgs = 0;
    for (;;) {
        ssize_t n = read(a->fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        total += n;
        msgs++;
        if (buf[n - 1] == '!')
            break;
    }
    char reply[64];
    int len = snprintf(reply, sizeof(reply), "got %ld bytes", total);
    write(a->fd, reply, (size_t)len);
    if (a->type != SOCK_STREAM)
        printf("  peer: %ld messages\n", msgs);
    return NULL;
}

static void pair_type(int type, const char *name)
{
    int sv[2];
    must("socketpair", socketpair(AF_UNIX, type, 0, sv));
    printf("%s:\n", name);
    int v = 0;
    socklen_t vl = sizeof(v);
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl);
    printf("  SO_TYPE %d, len %u\n", v, vl);
    getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &vl);
    printf("  SO_DOMAIN %d\n", v);
    struct ucred cr;
    socklen_t cl = sizeof(cr);
    getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &cl);
    printf("  SO_PEERCRED len %u, pid is ours %d, uid is ours %d, gid is ours %d\n", cl,
           cr.pid == getpid(), cr.uid == getuid(), cr.gid == getgid());
    struct sockaddr_un sa;
    socklen_t sl = sizeof(sa);
    getsockname(sv[0], (struct sockaddr *)&sa, &sl);
    printf("  getsockname len %u family %d\n", sl, sa.sun_family);
    sl = sizeof(sa);
    getpeername(sv[0], (struct sockaddr *)&sa, &sl);
    printf("  getpeername len %u\n", sl);
    struct stat st;
    fstat(sv[0], &st);
    printf("  fstat socket %d\n", S_ISSOCK(st.st_mode));
    char link[64], path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", sv[0]);
    ssize_t ll = readlink(path, link, sizeof(link) - 1);
    link[ll > 0 ? ll : 0] = 0;
    printf("  /proc/self/fd link starts socket:[ %d\n", strncmp(link, "socket:[", 8) == 0);

    struct pair_arg a = {sv[1], type};
    pthread_t t;
    pthread_create(&t, NULL, pair_peer, &a);
    char chunk[100];
    memset(chunk, 'x', sizeof(chunk));
    long sent = 0;
    for (int i = 0; i < 50; i++) {
        chunk[sizeof(chunk) - 1] = i == 49 ? '!' : 'x';
        ssize_t n = write(sv[0], chunk, sizeof(chunk));
        if (n > 0)
            sent += n;
    }
    char reply[64] = {0};
    ssize_t n = read(sv[0], reply, sizeof(reply) - 1);
    pthread_join(t, NULL);
    printf("  sent %ld, reply %zd \"%s\"\n", sent, n, reply);
    close(sv[0]);
    close(sv[1]);
}

/* A large stream transfer: the writer blocks on a full queue, the reader drains it. */
static void *bulk_reader(void *p)
{
    int fd = *(int *)p;
    static char buf[70000];
    unsigned long sum = 0, total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)buf[i];
        total += (unsigned long)n;
    }
    printf("  reader: %lu bytes, sum %lx\n", total, sum);
    return NULL;
}

static void pair_bulk(void)
{
    int sv[2];
    must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pthread_t t;
    pthread_create(&t, NULL, bulk_reader, &sv[1]);
    static char buf[1 << 20];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 7 + (i >> 9));
    size_t done = 0;
    for (int round = 0; round < 4; round++) {
        ssize_t n = write(sv[0], buf, sizeof(buf));
        if (n > 0)
            done += (size_t)n;
    }
    shutdown(sv[0], SHUT_WR);
    pthread_join(t, NULL);
    printf("bulk: wrote %zu\n", done);
    close(sv[0]);
    close(sv[1]);
}

static void cmd_pair(void)
{
    pair_type(SOCK_STREAM, "stream");
    pair_type(SOCK_DGRAM, "dgram");
    pair_type(SOCK_SEQPACKET, "seqpacket");
    pair_bulk();
}

/* ---- server: a path on /tmp, several client threads, accept ---- */

#define SERVER_PATH "/tmp/cloister-unix-test.sock"
#define CLIENTS     6

static void *client(void *p)
{
    long id = (long)p;
    struct sockaddr_un a;
    socklen_t len = path_addr(&a, SERVER_PATH);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, len) < 0) {
        printf("client %ld: connect %s\n", id, err_name(errno));
        return NULL;
    }
    char msg[32];
    int n = snprintf(msg, sizeof(msg), "hello %ld", id);
    write(fd, msg, (size_t)n);
    shutdown(fd, SHUT_WR);
    char reply[64] = {0};
    ssize_t r, got = 0;
    while ((r = read(fd, reply + got, sizeof(reply) - 1 - (size_t)got)) > 0)
        got += r;
    close(fd);
    return strdup(reply);
}

static void cmd_server(void)
{
    unlink(SERVER_PATH);
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a;
    socklen_t len = path_addr(&a, SERVER_PATH);
    must("bind", bind(ls, (struct sockaddr *)&a, len));
    struct stat st;
    must("stat", stat(SERVER_PATH, &st));
    printf("node is a socket %d, mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777 & ~022);
    show("open node", open(SERVER_PATH, O_RDONLY));
    show("bind again", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));
    show("connect before listen",
         connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));
    must("listen", listen(ls, 16));
    int v;
    socklen_t vl = sizeof(v);
    getsockopt(ls, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
    printf("SO_ACCEPTCONN %d\n", v);
    struct sockaddr_un got;
    socklen_t gl = sizeof(got);
    getsockname(ls, (struct sockaddr *)&got, &gl);
    printf("getsockname len %u (path + %u) \"%s\"\n", gl,
           (unsigned)(gl - offsetof(struct sockaddr_un, sun_path)), got.sun_path);

    pthread_t t[CLIENTS];
    for (long i = 0; i < CLIENTS; i++)
        pthread_create(&t[i], NULL, client, (void *)i);
    for (int i = 0; i < CLIENTS; i++) {
        struct sockaddr_un peer;
        socklen_t pl = sizeof(peer);
        int c = accept4(ls, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
        if (c < 0) {
            printf("accept: %s\n", err_name(errno));
            continue;
        }
        struct sockaddr_un me;
        socklen_t ml = sizeof(me);
        getsockname(c, (struct sockaddr *)&me, &ml);
        struct ucred cr;
        socklen_t cl = sizeof(cr);
        getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
        char buf[64] = {0};
        ssize_t n, have = 0;
        while ((n = read(c, buf + have, sizeof(buf) - 1 - (size_t)have)) > 0)
            have += n;
        char reply[80];
        int rl = snprintf(reply, sizeof(reply), "re: %s", buf);
        write(c, reply, (size_t)rl);
        close(c);
        if (i == 0)
            printf("accepted: peer len %u, own name \"%s\", peer pid ours %d\n", pl, me.sun_path,
                   cr.pid == getpid());
    }
    for (int i = 0; i < CLIENTS; i++) {
        char *r;
        pthread_join(t[i], (void **)&r);
        printf("client %d: \"%s\"\n", i, r ? r : "(none)");
        free(r);
    }
    close(ls);
    show("connect after close",
         connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));
    show("stat after close", stat(SERVER_PATH, &st));
    show("unlink", unlink(SERVER_PATH));
    show("connect after unlink",
         connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));

    /* the backlog: listen(0) takes one connection, a second one waits */
    ls = socket(AF_UNIX, SOCK_STREAM, 0);
    must("bind", bind(ls, (struct sockaddr *)&a, len));
    must("listen", listen(ls, 0));
    int c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    show("backlog 0: connect 1", connect(c1, (struct sockaddr *)&a, len));
    show("backlog 0: connect 2", connect(c2, (struct sockaddr *)&a, len));
    show("backlog 0: connect 3", connect(c3, (struct sockaddr *)&a, len));
    write(c1, "early", 5);
    int s1 = accept(ls, NULL, NULL);
    char buf[16] = {0};
    show("read before accept's data", read(s1, buf, sizeof(buf)));
    show("connect 3 after accept", connect(c3, (struct sockaddr *)&a, len));
    fcntl(ls, F_SETFL, O_NONBLOCK);
    close(accept(ls, NULL, NULL));
    close(accept(ls, NULL, NULL));
    show("accept on empty queue", accept(ls, NULL, NULL));
    close(ls);
    unlink(SERVER_PATH);
}

/* ---- abstract names and autobind ---- */

static void cmd_abstract(void)
{
    struct sockaddr_un a, got;
    socklen_t len = abstract_addr(&a, "cloister-test");
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    must("bind", bind(ls, (struct sockaddr *)&a, len));
    socklen_t gl = sizeof(got);
    getsockname(ls, (struct sockaddr *)&got, &gl);
    printf("abstract getsockname len %u, name \"%.*s\"\n", gl, (int)(gl - 3), got.sun_path + 1);
    show("bind same name", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));
    show("bind twice", bind(ls, (struct sockaddr *)&a, len));
    listen(ls, 4);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    show("connect", connect(c, (struct sockaddr *)&a, len));
    show("connect again", connect(c, (struct sockaddr *)&a, len));
    int s = accept(ls, NULL, NULL);
    gl = sizeof(got);
    getpeername(c, (struct sockaddr *)&got, &gl);
    printf("client's peer len %u\n", gl);
    write(c, "abc", 3);
    char buf[8] = {0};
    show("read", read(s, buf, sizeof(buf)));
    close(c);
    close(s);
    close(ls);
    show("connect after close",
         connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));
    show("rebind after close", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));

    /* a name with a NUL inside and the one without it differ */
    struct sockaddr_un b;
    socklen_t blen = abstract_addr(&b, "cloister-test");
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0);
    must("bind d1", bind(d1, (struct sockaddr *)&b, blen - 1));
    int d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    show("bind longer name", bind(d2, (struct sockaddr *)&b, blen));

    /* autobind: bind with the family only */
    int ab = socket(AF_UNIX, SOCK_DGRAM, 0);
    sa_family_t fam = AF_UNIX;
    show("autobind", bind(ab, (struct sockaddr *)&fam, sizeof(fam)));
    gl = sizeof(got);
    getsockname(ab, (struct sockaddr *)&got, &gl);
    int hex = 1;
    for (int i = 1; i < 6; i++)
        hex &= (got.sun_path[i] >= '0' && got.sun_path[i] <= '9') ||
               (got.sun_path[i] >= 'a' && got.sun_path[i] <= 'f');
    printf("autobind name len %u, abstract %d, five hex digits %d\n", gl, got.sun_path[0] == 0,
           hex);
    show("autobind again", bind(ab, (struct sockaddr *)&fam, sizeof(fam)));

    /* datagrams by name: the receiver sees the sender's autobound name */
    int rx = socket(AF_UNIX, SOCK_DGRAM, 0);
    socklen_t rlen = abstract_addr(&a, "cloister-rx");
    must("bind rx", bind(rx, (struct sockaddr *)&a, rlen));
    show("sendto from autobound", sendto(ab, "one", 3, 0, (struct sockaddr *)&a, rlen));
    int plain = socket(AF_UNIX, SOCK_DGRAM, 0);
    show("sendto from unnamed", sendto(plain, "two", 3, 0, (struct sockaddr *)&a, rlen));
    struct sockaddr_un from;
    socklen_t fl = sizeof(from);
    show("recvfrom", recvfrom(rx, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl));
    printf("  from len %u, same as autobound %d\n", fl, fl == gl && !memcmp(&from, &got, gl));
    fl = sizeof(from);
    show("recvfrom", recvfrom(rx, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl));
    printf("  from len %u\n", fl);
    /* connect makes a default peer; others may not send to a connected socket */
    show("connect dgram", connect(plain, (struct sockaddr *)&a, rlen));
    show("send", send(plain, "three", 5, 0));
    gl = sizeof(got);
    getpeername(plain, (struct sockaddr *)&got, &gl);
    printf("  peer len %u \"%.*s\"\n", gl, (int)(gl - 3), got.sun_path + 1);
    socklen_t ablen = sizeof(from);
    getsockname(ab, (struct sockaddr *)&from, &ablen);
    show("rx connects to autobound", connect(rx, (struct sockaddr *)&from, ablen));
    show("unnamed sends to connected rx", send(plain, "four", 4, 0));
    show("autobound sends to rx", sendto(ab, "five", 4, 0, (struct sockaddr *)&a, rlen));
    int n = 0;
    while (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
        n++;
    printf("rx had %d datagrams\n", n);
    close(rx);
    show("send to closed peer", send(plain, "six", 3, 0));
    show("send again", send(plain, "six", 3, 0));
    struct sockaddr_un unspec = {.sun_family = AF_UNSPEC};
    show("disconnect", connect(plain, (struct sockaddr *)&unspec, sizeof(sa_family_t)));
}

/* ---- SCM_RIGHTS and SCM_CREDENTIALS ---- */

static int send_fds(int sock, const int *fds, int n, const char *data)
{
    char cbuf[CMSG_SPACE(sizeof(int) * 8)];
    memset(cbuf, 0, sizeof(cbuf));
    struct iovec iov = {(void *)data, strlen(data)};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = cbuf,
                       .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
    return (int)sendmsg(sock, &m, 0);
}

/* Receives one message; returns the descriptors it carried in fds. */
static int recv_fds(int sock, int *fds, int max, char *data, size_t dlen, size_t clen, int flags)
{
    char cbuf[512];
    memset(cbuf, 0, sizeof(cbuf));
    struct iovec iov = {data, dlen};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = clen ? cbuf : NULL,
                       .msg_controllen = clen};
    ssize_t r = recvmsg(sock, &m, flags);
    if (r < 0) {
        printf("  recvmsg: %s\n", err_name(errno));
        return -1;
    }
    if (r < (ssize_t)dlen)
        data[r] = 0;
    int n = 0;
    printf("  recvmsg %zd bytes, flags%s%s, controllen %zu\n", r,
           m.msg_flags & MSG_CTRUNC ? " CTRUNC" : "", m.msg_flags & MSG_TRUNC ? " TRUNC" : "",
           (size_t)m.msg_controllen);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        printf("  cmsg level %d type %d len %zu\n", c->cmsg_level, c->cmsg_type,
               (size_t)c->cmsg_len);
        if (c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k && n < max; i++)
                memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        } else if (c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cr;
            memcpy(&cr, CMSG_DATA(c), sizeof(cr));
            printf("  credentials: pid ours %d, uid ours %d, gid ours %d\n", cr.pid == getpid(),
                   cr.uid == getuid(), cr.gid == getgid());
        }
    }
    return n;
}

static void cmd_rights(void)
{
    int sv[2];
    must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    int p[2];
    must("pipe", pipe(p));
    write(p[1], "through a pipe", 14);
    const char *path = "/tmp/cloister-unix-rights.txt";
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(f, "0123456789file contents", 23);
    lseek(f, 10, SEEK_SET);
    int pass[2] = {p[0], f};
    show("sendmsg with 2 fds", send_fds(sv[0], pass, 2, "fds"));
    close(p[0]);
    close(f);
    char data[64];
    int got[8];
    int n = recv_fds(sv[1], got, 8, data, sizeof(data), 512, MSG_CMSG_CLOEXEC);
    printf("  data \"%s\", %d fds, new %d\n", data, n, n == 2 && got[0] != got[1]);
    if (n == 2) {
        char buf[64] = {0};
        show("  read passed pipe", read(got[0], buf, sizeof(buf)));
        printf("  \"%s\"\n", buf);
        memset(buf, 0, sizeof(buf));
        show("  read passed file (offset shared)", read(got[1], buf, sizeof(buf)));
        printf("  \"%s\"\n", buf);
        printf("  cloexec %d %d\n", fcntl(got[0], F_GETFD) & FD_CLOEXEC,
               fcntl(got[1], F_GETFD) & FD_CLOEXEC);
        close(got[0]);
        close(got[1]);
    }
    /* a stream read stops after the message that carried descriptors */
    close(p[1]);
    must("pipe", pipe(p));
    write(sv[0], "before ", 7);
    int one = p[1];
    send_fds(sv[0], &one, 1, "with");
    write(sv[0], " after", 6);
    n = recv_fds(sv[1], got, 8, data, sizeof(data), 512, 0);
    printf("  data \"%s\", %d fds\n", data, n);
    if (n == 1) {
        show("  write to passed pipe end", write(got[0], "x", 1));
        close(got[0]);
        close(p[1]);
        char c1;
        show("  read what it wrote", read(p[0], &c1, 1));
        close(p[0]);
    }
    n = recv_fds(sv[1], got, 8, data, sizeof(data), 512, 0);
    printf("  data \"%s\", %d fds\n", data, n);
    /* a short control buffer: MSG_CTRUNC and as many as fit */
    int three[3] = {0, 1, 2};
    send_fds(sv[0], three, 3, "three");
    n = recv_fds(sv[1], got, 8, data, sizeof(data), CMSG_SPACE(sizeof(int)), 0);
    printf("  data \"%s\", %d fds\n", data, n);
    for (int i = 0; i < n; i++)
        close(got[i]);
    /* no control buffer at all: the descriptors are dropped, MSG_CTRUNC */
    send_fds(sv[0], three, 3, "none");
    n = recv_fds(sv[1], got, 8, data, sizeof(data), 0, 0);
    printf("  data \"%s\", %d fds\n", data, n);
    /* a peek hands out descriptors too, and the real read again */
    send_fds(sv[0], three, 1, "peek");
    n = recv_fds(sv[1], got, 8, data, sizeof(data), 512, MSG_PEEK);
    for (int i = 0; i < n; i++)
        close(got[i]);
    n = recv_fds(sv[1], got, 8, data, sizeof(data), 512, 0);
    for (int i = 0; i < n; i++)
        close(got[i]);
    /* files in flight that are never received are dropped with the socket: the pipe's
     * writer goes away and its reader sees EOF */
    int q[2];
    pipe(q);
    send_fds(sv[0], &q[1], 1, "lost");
    close(q[1]);
    close(sv[1]);
    char c;
    show("pipe read after the in-flight writer was dropped", read(q[0], &c, 1));
    close(q[0]);
    close(sv[0]);

    /* datagrams: credentials with SO_PASSCRED, then descriptors */
    must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    int on = 1;
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    send_fds(sv[0], three, 2, "dgram");
    n = recv_fds(sv[1], got, 8, data, sizeof(data), 512, 0);
    for (int i = 0; i < n; i++)
        close(got[i]);
    /* explicit credentials */
    struct ucred me = {getpid(), getuid(), getgid()};
    char cbuf[CMSG_SPACE(sizeof(me))];
    struct iovec iov = {"cred", 4};
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_CREDENTIALS;
    cm->cmsg_len = CMSG_LEN(sizeof(me));
    memcpy(CMSG_DATA(cm), &me, sizeof(me));
    show("sendmsg SCM_CREDENTIALS", sendmsg(sv[0], &m, 0));
    recv_fds(sv[1], got, 8, data, sizeof(data), 512, 0);
    send(sv[0], "nocontrol", 9, 0);
    recv_fds(sv[1], got, 8, data, sizeof(data), 0, 0);
    close(sv[0]);
    close(sv[1]);
    unlink(path);
}

/* ---- data: peek, truncation, waitall, shutdown, EPIPE ---- */

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static void *late_writer(void *p)
{
    int fd = *(int *)p;
    usleep(20000);
    write(fd, "abc", 3);
    usleep(20000);
    write(fd, "defgh", 5);
    return NULL;
}

static void cmd_data(void)
{
    signal(SIGPIPE, on_sigpipe);
    int sv[2];
    char buf[64];
    must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    write(sv[0], "hello ", 6);
    write(sv[0], "world", 5);
    int q = 0;
    ioctl(sv[1], FIONREAD, &q);
    printf("stream FIONREAD %d\n", q);
    memset(buf, 0, sizeof(buf));
    show("stream peek", recv(sv[1], buf, sizeof(buf), MSG_PEEK));
    printf("  \"%s\"\n", buf);
    memset(buf, 0, sizeof(buf));
    show("stream read 3", read(sv[1], buf, 3));
    show("stream read rest", read(sv[1], buf, sizeof(buf)));
    printf("  \"%s\"\n", buf);
    show("stream empty, MSG_DONTWAIT", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
    /* MSG_WAITALL gathers the writes of another thread */
    pthread_t t;
    pthread_create(&t, NULL, late_writer, &sv[0]);
    memset(buf, 0, sizeof(buf));
    show("stream MSG_WAITALL 8", recv(sv[1], buf, 8, MSG_WAITALL));
    printf("  \"%s\"\n", buf);
    pthread_join(t, NULL);
    /* readv and writev */
    struct iovec wv[2] = {{"ab", 2}, {"cdef", 4}};
    show("writev", writev(sv[0], wv, 2));
    char r1[3] = {0}, r2[8] = {0};
    struct iovec rv[2] = {{r1, 2}, {r2, 7}};
    show("readv", readv(sv[1], rv, 2));
    printf("  \"%s\" \"%s\"\n", r1, r2);
    /* shutdown */
    show("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
    show("read after peer's SHUT_WR", read(sv[1], buf, sizeof(buf)));
    show("write after own SHUT_WR (SIGPIPE)", write(sv[0], "x", 1));
    show("send MSG_NOSIGNAL after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
    printf("SIGPIPEs %d\n", (int)sigpipes);
    show("peer writes still", write(sv[1], "back", 4));
    show("read it", read(sv[0], buf, sizeof(buf)));
    show("shutdown bad how", shutdown(sv[0], 7));
    close(sv[0]);
    show("write to closed peer", write(sv[1], "x", 1));
    printf("SIGPIPEs %d\n", (int)sigpipes);
    close(sv[1]);
    /* closing with unread data resets the peer */
    must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    write(sv[0], "unread", 6);
    close(sv[1]);
    show("read after reset", read(sv[0], buf, sizeof(buf)));
    show("read again", read(sv[0], buf, sizeof(buf)));
    close(sv[0]);
    /* SHUT_RD makes the peer's writes fail */
    must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    show("shutdown SHUT_RD", shutdown(sv[1], SHUT_RD));
    show("peer write after SHUT_RD", send(sv[0], "x", 1, MSG_NOSIGNAL));
    show("own read after SHUT_RD", read(sv[1], buf, sizeof(buf)));
    close(sv[0]);
    close(sv[1]);

    /* datagrams: boundaries, truncation, peek */
    must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    send(sv[0], "first message", 13, 0);
    send(sv[0], "second", 6, 0);
    send(sv[0], "", 0, 0);
    ioctl(sv[1], FIONREAD, &q);
    printf("dgram FIONREAD %d\n", q);
    memset(buf, 0, sizeof(buf));
    show("dgram peek 5", recv(sv[1], buf, 5, MSG_PEEK));
    show("dgram peek 5 MSG_TRUNC", recv(sv[1], buf, 5, MSG_PEEK | MSG_TRUNC));
    struct iovec iov = {buf, 5};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    show("dgram recvmsg 5", recvmsg(sv[1], &m, 0));
    printf("  flags TRUNC %d, \"%.5s\"\n", !!(m.msg_flags & MSG_TRUNC), buf);
    show("dgram next", recv(sv[1], buf, sizeof(buf), 0));
    show("dgram empty one", recv(sv[1], buf, sizeof(buf), 0));
    show("dgram none", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
    int sb = 32768;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb));
    socklen_t sl = sizeof(sb);
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sb, &sl);
    printf("SO_SNDBUF after setting 32768: %d\n", sb);
    static char big[70000];
    show("dgram larger than SO_SNDBUF", send(sv[0], big, sizeof(big), 0));
    int sent = 0;
    while (send(sv[0], big, 1000, MSG_DONTWAIT) > 0 && sent < 100000)
        sent++;
    printf("filling: stopped with %s, bounded %d\n", err_name(errno), sent > 5 && sent < 100);
    show("shutdown dgram SHUT_RD", shutdown(sv[1], SHUT_RD));
    int drained = 0;
    while (recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
        drained++;
    printf("drained all %d\n", drained == sent);
    show("dgram read after SHUT_RD, blocking", recv(sv[1], buf, sizeof(buf), 0));
    close(sv[0]);
    close(sv[1]);

    /* seqpacket: boundaries, EOF, EPIPE */
    must("socketpair", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    send(sv[0], "packet one", 10, 0);
    send(sv[0], "two", 3, 0);
    ioctl(sv[1], FIONREAD, &q);
    printf("seqpacket FIONREAD %d\n", q);
    show("seqpacket read 4", read(sv[1], buf, 4));
    show("seqpacket next", read(sv[1], buf, sizeof(buf)));
    close(sv[0]);
    show("seqpacket EOF", read(sv[1], buf, sizeof(buf)));
    show("seqpacket send to closed", send(sv[1], "x", 1, 0));
    printf("SIGPIPEs %d\n", (int)sigpipes);
    close(sv[1]);

    /* sendmmsg and recvmmsg keep the boundaries */
    must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    struct mmsghdr mm[3];
    struct iovec mv[3] = {{"one", 3}, {"three", 5}, {"seven!!", 7}};
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = &mv[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    show("sendmmsg", sendmmsg(sv[0], mm, 3, 0));
    char rb[3][16];
    struct iovec rv3[3];
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 3; i++) {
        rv3[i] = (struct iovec){rb[i], sizeof(rb[i])};
        mm[i].msg_hdr.msg_iov = &rv3[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    show("recvmmsg", recvmmsg(sv[1], mm, 3, 0, NULL));
    printf("  lengths %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
    close(sv[0]);
    close(sv[1]);
}

/* ---- signals: a blocked receive is restarted under SA_RESTART, unless it has a
 * timeout (Linux's sock_intr_errno) ---- */

static void on_usr1(int sig)
{
    (void)sig;
}

struct kick {
    int fd;
    volatile int reading;
};

/* Signals the process a few times while the reader waits (one landing before it
 * blocks is harmless: its handler runs and the read then blocks), then writes. The
 * signal is the process's, taken by the reader as the only thread not blocking it:
 * the shim's tgkill reaches only the calling thread. */
static void *kicker(void *p)
{
    struct kick *k = p;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL); /* so that the reader takes the signal */
    while (!k->reading)
        usleep(1000);
    for (int i = 0; i < 8; i++) {
        usleep(15000);
        kill(getpid(), SIGUSR1);
    }
    usleep(15000);
    write(k->fd, "late", 4);
    return NULL;
}

static void interrupted(const char *what, int restart, int timeout)
{
    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0};
    sigaction(SIGUSR1, &sa, NULL);
    int sv[2];
    must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    if (timeout) {
        struct timeval tv = {5, 0};
        setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    struct kick k = {sv[0], 0};
    pthread_t t;
    pthread_create(&t, NULL, kicker, &k);
    char buf[8];
    k.reading = 1;
    show(what, read(sv[1], buf, sizeof(buf)));
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
}

static void cmd_signals(void)
{
    interrupted("read, SA_RESTART", 1, 0);
    interrupted("read, no SA_RESTART", 0, 0);
    interrupted("read with SO_RCVTIMEO, SA_RESTART", 1, 1);
}

/* ---- poll and epoll ---- */

static void show_events(const char *what, int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
    poll(&p, 1, 0);
    printf("%s:%s%s%s%s%s\n", what, p.revents & POLLIN ? " IN" : "",
           p.revents & POLLOUT ? " OUT" : "", p.revents & POLLHUP ? " HUP" : "",
           p.revents & POLLRDHUP ? " RDHUP" : "", p.revents & POLLERR ? " ERR" : "");
}

static void *poke(void *p)
{
    int fd = *(int *)p;
    usleep(30000);
    write(fd, "wake", 4);
    return NULL;
}

static void cmd_poll(void)
{
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    show_events("fresh stream", s);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    show_events("fresh dgram", d);
    int sp = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    show_events("fresh seqpacket", sp);
    struct sockaddr_un a;
    socklen_t len = abstract_addr(&a, "cloister-poll");
    bind(s, (struct sockaddr *)&a, len);
    listen(s, 4);
    show_events("listener", s);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, len);
    show_events("listener with a connection", s);
    show_events("connected client", c);
    int ac = accept(s, NULL, NULL);
    write(c, "x", 1);
    show_events("accepted with data", ac);
    shutdown(c, SHUT_WR);
    show_events("accepted after peer SHUT_WR", ac);
    show_events("client after SHUT_WR", c);
    close(c);
    show_events("accepted after peer close", ac);
    close(ac);
    close(s);
    close(d);
    close(sp);

    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 7};
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
    struct epoll_event out[4];
    show("epoll nothing yet", epoll_wait(ep, out, 4, 0));
    pthread_t t;
    pthread_create(&t, NULL, poke, &sv[0]);
    int n = epoll_wait(ep, out, 4, 5000);
    printf("epoll woken: %d, data %u, IN %d\n", n, out[0].data.u32, !!(out[0].events & EPOLLIN));
    pthread_join(t, NULL);
    show("epoll edge already seen", epoll_wait(ep, out, 4, 0));
    char buf[8];
    read(sv[1], buf, sizeof(buf));
    close(sv[0]);
    n = epoll_wait(ep, out, 4, 5000);
    printf("epoll after close: %d, IN %d RDHUP %d HUP %d\n", n, !!(out[0].events & EPOLLIN),
           !!(out[0].events & EPOLLRDHUP), !!(out[0].events & EPOLLHUP));
    close(sv[1]);
    close(ep);

    /* a full stream queue: not writable; readable makes it writable again */
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    static char big[4096];
    long total = 0;
    ssize_t w;
    while ((w = write(sv[0], big, sizeof(big))) > 0)
        total += w;
    printf("filled with EAGAIN %d, queue bounded %d\n", errno == EAGAIN,
           total > 4096 && total <= 2 * 212992 + 65536);
    show_events("full writer", sv[0]);
    while (read(sv[1], big, sizeof(big)) > 0)
        ;
    show_events("drained writer", sv[0]);
    /* select sees a datagram */
    int dv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, dv);
    send(dv[0], "d", 1, 0);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(dv[1], &rs);
    struct timeval tv = {0, 0};
    show("select", select(dv[1] + 1, &rs, NULL, NULL, &tv));
    /* a receive timeout */
    struct timeval rt = {0, 20000};
    setsockopt(dv[1], SOL_SOCKET, SO_RCVTIMEO, &rt, sizeof(rt));
    recv(dv[1], big, sizeof(big), 0);
    show("recv with SO_RCVTIMEO", recv(dv[1], big, sizeof(big), 0));
}

/* ---- errors ---- */

static void cmd_errors(void)
{
    show("socket bad type", socket(AF_UNIX, 9, 0));
    show("socket bad protocol", socket(AF_UNIX, SOCK_STREAM, 2));
    show("socket protocol PF_UNIX", socket(AF_UNIX, SOCK_STREAM, PF_UNIX) >= 0 ? 0 : -1);
    show("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, (int[2]){0, 0}));
    int sv[2];
    show("socketpair bad type", socketpair(AF_UNIX, 9, 0, sv));
    show("socketpair raw becomes dgram", socketpair(AF_UNIX, SOCK_RAW, 0, sv));
    int v;
    socklen_t vl = sizeof(v);
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl);
    printf("  type %d\n", v);
    close(sv[0]);
    close(sv[1]);
    struct sockaddr_un a;
    socklen_t len = path_addr(&a, "/tmp/cloister-no-such-dir/sock");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    show("connect no such path", connect(s, (struct sockaddr *)&a, len));
    show("bind no such dir", bind(s, (struct sockaddr *)&a, len));
    close(open("/tmp/cloister-unix-file", O_WRONLY | O_CREAT, 0600));
    len = path_addr(&a, "/tmp/cloister-unix-file/sock");
    show("bind under a file", bind(s, (struct sockaddr *)&a, len));
    len = path_addr(&a, "/tmp/cloister-unix-file");
    show("connect to a regular file", connect(s, (struct sockaddr *)&a, len));
    unlink("/tmp/cloister-unix-file");
    len = path_addr(&a, "/tmp");
    show("bind existing dir", bind(s, (struct sockaddr *)&a, len));
    len = abstract_addr(&a, "cloister-nobody");
    show("connect no listener", connect(s, (struct sockaddr *)&a, len));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    show("listen unbound", listen(s, 1));
    show("accept not listening", accept(s, NULL, NULL));
    show("read unconnected stream", read(s, &v, 1));
    show("write unconnected stream", send(s, &v, 1, MSG_NOSIGNAL));
    show("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &(socklen_t){sizeof(a)}));
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    show("listen dgram", listen(d, 1));
    show("send unconnected dgram", send(d, "x", 1, 0));
    show("sendto nobody", sendto(d, "x", 1, 0, (struct sockaddr *)&a, len));
    /* a stream name refused to a datagram socket */
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    len = abstract_addr(&a, "cloister-stream");
    bind(ls, (struct sockaddr *)&a, len);
    listen(ls, 1);
    show("dgram connect to stream", connect(d, (struct sockaddr *)&a, len));
    show("stream sendto with name", sendto(s, "x", 1, 0, (struct sockaddr *)&a, len));
    show("getsockopt unknown", getsockopt(s, SOL_SOCKET, 9999, &v, &vl));
    show("setsockopt SO_PASSCRED", setsockopt(s, SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int)));
    show("lseek on socket", lseek(s, 0, SEEK_SET));
    show("pread on socket", pread(s, &v, 1, 0));
    show("ioctl FIONREAD on listener", ioctl(ls, FIONREAD, &v));
    show("SO_ERROR", getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &vl) ?: v);
    struct ucred cr;
    socklen_t cl = sizeof(cr);
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
    printf("unconnected SO_PEERCRED pid %d uid %d gid %d\n", cr.pid, (int)cr.uid, (int)cr.gid);
}

/* ---- hostile: bad lengths and control data ---- */

/* The kernel's sendmsg and recvmsg without the libc wrapper: musl copies the control
 * buffer itself (and refuses more than 1024 bytes), which would hide what the kernel
 * does with hostile control data. */
static long raw_sendmsg(int fd, struct msghdr *m, int flags)
{
    return syscall(SYS_sendmsg, fd, m, flags);
}

static long raw_recvmsg(int fd, struct msghdr *m, int flags)
{
    return syscall(SYS_recvmsg, fd, m, flags);
}

static void cmd_hostile(void)
{
    char raw[200];
    memset(raw, 'a', sizeof(raw));
    raw[0] = AF_UNIX;
    raw[1] = 0;
    raw[2] = 0; /* abstract */
    socklen_t lens[] = {0, 1, 2, 3, 109, 110, 111, 128, 129, 200};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        char what[64];
        snprintf(what, sizeof(what), "bind len %u", lens[i]);
        long r = bind(s, (struct sockaddr *)raw, lens[i]);
        show(what, r);
        if (r == 0) {
            struct sockaddr_storage got;
            socklen_t gl = sizeof(got);
            getsockname(s, (struct sockaddr *)&got, &gl);
            printf("  name len %u\n", gl);
        }
        snprintf(what, sizeof(what), "connect len %u", lens[i]);
        show(what, connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)raw, lens[i]));
        close(s);
    }
    /* a path that fills sun_path entirely, without a NUL */
    char full[sizeof(struct sockaddr_un) + 8];
    memset(full, 0, sizeof(full));
    full[0] = AF_UNIX;
    memset(full + 2, 'p', 108);
    memcpy(full + 2, "/tmp/", 5);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    show("bind 108-byte path", bind(s, (struct sockaddr *)full, sizeof(struct sockaddr_un)));
    struct sockaddr_storage got;
    socklen_t gl = sizeof(got);
    getsockname(s, (struct sockaddr *)&got, &gl);
    printf("  name len %u\n", gl);
    unlink(full + 2);
    close(s);
    raw[0] = AF_INET;
    show("bind wrong family", bind(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)raw, 10));
    show("bind family only, wrong family",
         bind(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)raw, 2));
    show("bind bad pointer", bind(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)8, 10));
    show("bind negative length", bind(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)raw, -1));

    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    struct iovec iov = {"x", 1};
    char cbuf[4096];
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf};
    struct cmsghdr *c = (struct cmsghdr *)cbuf;
    /* control lengths shorter than a header: no message, nothing checked */
    for (size_t cl = 0; cl < 16; cl += 5) {
        memset(cbuf, 0xff, sizeof(cbuf));
        m.msg_controllen = cl;
        char what[64];
        snprintf(what, sizeof(what), "controllen %zu of garbage", cl);
        show(what, raw_sendmsg(sv[0], &m, 0));
    }
    memset(cbuf, 0xff, sizeof(cbuf));
    m.msg_controllen = 64;
    show("controllen 64 of garbage", raw_sendmsg(sv[0], &m, 0));
    /* cmsg_len lying */
    memset(cbuf, 0, sizeof(cbuf));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    m.msg_controllen = CMSG_SPACE(sizeof(int));
    c->cmsg_len = CMSG_SPACE(sizeof(int)) + 8;
    show("cmsg_len past the buffer", raw_sendmsg(sv[0], &m, 0));
    c->cmsg_len = 8;
    show("cmsg_len under a header", raw_sendmsg(sv[0], &m, 0));
    c->cmsg_len = CMSG_LEN(0);
    show("SCM_RIGHTS with no fds", raw_sendmsg(sv[0], &m, 0));
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int bad = 999;
    memcpy(CMSG_DATA(c), &bad, sizeof(bad));
    show("SCM_RIGHTS bad fd", raw_sendmsg(sv[0], &m, 0));
    c->cmsg_type = 77;
    show("unknown SOL_SOCKET type", raw_sendmsg(sv[0], &m, 0));
    c->cmsg_level = 41;
    show("other level skipped", raw_sendmsg(sv[0], &m, 0));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    show("SCM_CREDENTIALS short", raw_sendmsg(sv[0], &m, 0));
    /* more than SCM_MAX_FD (253) descriptors */
    int fds[260];
    for (int i = 0; i < 260; i++)
        fds[i] = 0;
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * 253);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * 253);
    m.msg_controllen = CMSG_SPACE(sizeof(int) * 253);
    show("253 fds", raw_sendmsg(sv[0], &m, 0));
    c->cmsg_len = CMSG_LEN(sizeof(int) * 254);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * 254);
    m.msg_controllen = CMSG_SPACE(sizeof(int) * 254);
    show("254 fds", raw_sendmsg(sv[0], &m, 0));
    /* two headers of 200 each: 400 in one message */
    c->cmsg_len = CMSG_LEN(sizeof(int) * 200);
    struct cmsghdr *c2 = (struct cmsghdr *)(cbuf + CMSG_SPACE(sizeof(int) * 200));
    memcpy(c2, c, sizeof(*c));
    memset(CMSG_DATA(c2), 0, sizeof(int) * 200);
    m.msg_controllen = 2 * CMSG_SPACE(sizeof(int) * 200);
    show("2 x 200 fds", raw_sendmsg(sv[0], &m, 0));
    m.msg_control = (void *)8;
    m.msg_controllen = 32;
    show("control bad pointer", raw_sendmsg(sv[0], &m, 0));
    int n = 0;
    char buf[8];
    char rbuf[CMSG_SPACE(sizeof(int) * 253)];
    struct msghdr rm = {.msg_iov = &(struct iovec){buf, sizeof(buf)}, .msg_iovlen = 1};
    for (;;) {
        rm.msg_control = rbuf;
        rm.msg_controllen = sizeof(rbuf);
        if (raw_recvmsg(sv[1], &rm, MSG_DONTWAIT) < 0)
            break;
        n++;
        for (struct cmsghdr *k = CMSG_FIRSTHDR(&rm); k; k = CMSG_NXTHDR(&rm, k))
            if (k->cmsg_type == SCM_RIGHTS) {
                int cnt = (int)((k->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                printf("  message %d: %d fds\n", n, cnt);
                for (int i = 0; i < cnt; i++) {
                    int fd;
                    memcpy(&fd, CMSG_DATA(k) + i * sizeof(int), sizeof(int));
                    close(fd);
                }
            }
    }
    printf("messages that arrived: %d\n", n);
    rm.msg_control = (void *)8;
    rm.msg_controllen = 64;
    send(sv[0], "y", 1, 0);
    show("recvmsg with a bad control pointer", raw_recvmsg(sv[1], &rm, 0));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *cmd = argc > 1 ? argv[1] : "pair";
    if (!strcmp(cmd, "pair"))
        cmd_pair();
    else if (!strcmp(cmd, "server"))
        cmd_server();
    else if (!strcmp(cmd, "abstract"))
        cmd_abstract();
    else if (!strcmp(cmd, "rights"))
        cmd_rights();
    else if (!strcmp(cmd, "data"))
        cmd_data();
    else if (!strcmp(cmd, "signals"))
        cmd_signals();
    else if (!strcmp(cmd, "poll"))
        cmd_poll();
    else if (!strcmp(cmd, "errors"))
        cmd_errors();
    else if (!strcmp(cmd, "hostile"))
        cmd_hostile();
    else {
        fprintf(stderr,
                "usage: unix pair|server|abstract|rights|data|signals|poll|errors|hostile\n");
        return 2;
    }
    return 0;
}
