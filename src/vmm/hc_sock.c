/*
 * The workload's sockets, forwarded at the socket level (docs/network.md): each guest
 * socket is a handle on a non-blocking host socket the monitor holds. No call waits
 * here: a call that would block answers EAGAIN (or EINPROGRESS) and the shim waits for
 * the socket's event from the VM's event loop (host_events.c), so one thread serves
 * every connection. The guest is not trusted: every handle is checked against the
 * table, every length against the bounce buffer, every address against the manifest's
 * declarations (net_policy.c), every option against a short list; a request is read
 * from guest memory once, into our own copies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cloister/net_bind.h>

#include "vmm/host_events.h"
#include "vmm/hypercall.h"
#include "vmm/net_policy.h"

struct vm_sock {
    int fd;        /* -1: the handle is free */
    int family;    /* the guest's AF_INET or AF_INET6 */
    uint8_t proto; /* CWI_NET_TCP or CWI_NET_UDP */
    bool watched, listening;
    bool bound;              /* to a port of the guest's: published (pub) or nowhere on the host */
    uint16_t port;           /* the guest's port, when bound */
    struct cl_bind where;    /* what the bind covers, for the next binds' clashes */
    int backlog;             /* listen's, for a published socket handed over later */
    struct net_publish *pub; /* the published host socket this one holds, or NULL */
    /* UDP: the last sources heard, which the socket may answer (docs/network.md) */
    struct net_addr heard[NET_HEARD_MAX];
    unsigned nheard;
};

/* A UDP socket on a declared port answers its clients: it may send to the sources it
 * heard from lately, as a TCP server writes to the connections it accepted. */
static void heard_add(struct vm_sock *s, const struct net_addr *a)
{
    for (unsigned i = 0; i < s->nheard && i < NET_HEARD_MAX; i++)
        if (!memcmp(&s->heard[i], a, sizeof(*a)))
            return;
    s->heard[s->nheard++ % NET_HEARD_MAX] = *a;
}

static bool heard_from(const struct vm_sock *s, const struct net_addr *a)
{
    for (unsigned i = 0; i < s->nheard && i < NET_HEARD_MAX; i++)
        if (!memcmp(&s->heard[i], a, sizeof(*a)))
            return true;
    return false;
}

static int ret(struct hc_ctx *c, int64_t v)
{
    c->ret = v;
    return 0;
}

static struct vm_sock *sock_of(struct vm *vm, uint64_t h)
{
    return vm->socks && h < CL_SOCK_MAX && vm->socks[h].fd >= 0 ? &vm->socks[h] : NULL;
}

bool hc_sock_live(const struct vm *vm, uint64_t h)
{
    return vm->socks && h < CL_SOCK_MAX && vm->socks[h].fd >= 0;
}

static int new_handle(struct vm *vm)
{
    if (!vm->socks) {
        vm->socks = calloc(CL_SOCK_MAX, sizeof(*vm->socks));
        if (!vm->socks)
            return -ENOMEM;
        for (unsigned i = 0; i < CL_SOCK_MAX; i++)
            vm->socks[i].fd = -1;
    }
    for (unsigned i = 0; i < CL_SOCK_MAX; i++)
        if (vm->socks[i].fd < 0)
            return (int)i;
    return -EMFILE;
}

static void watch(struct vm *vm, struct vm_sock *s)
{
    if (!s->watched &&
        host_events_watch(vm, s->fd, CL_EV_KIND_SOCKET, (uint32_t)(s - vm->socks)) == 0)
        s->watched = true;
}

/* The guest's address at CL_SOCK_ADDR_OFFSET, a1 bytes of it, as *a; 0 or -errno. */
static int guest_addr(struct hc_ctx *c, const struct vm_sock *s, uint64_t len,
                      struct sockaddr_storage *raw, struct net_addr *a)
{
    if (len > CL_SOCK_ADDR_MAX)
        return -EINVAL;
    memset(raw, 0, sizeof(*raw));
    memcpy(raw, c->data + CL_SOCK_ADDR_OFFSET, len); /* copied once: the guest may change it */
    return net_addr_from_guest(s->family, raw, len, a);
}

/* A host address handed to the guest in its socket's family; its length. */
static uint64_t put_addr(struct hc_ctx *c, const struct vm_sock *s,
                         const struct sockaddr_storage *ss)
{
    uint8_t *out = c->data + CL_SOCK_ADDR_OFFSET;
    struct sockaddr_in in4 = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    if (ss->ss_family == AF_INET) {
        memcpy(&in4, ss, sizeof(in4));
        in6.sin6_port = in4.sin_port;
        in6.sin6_addr.s6_addr[10] = in6.sin6_addr.s6_addr[11] = 0xff;
        memcpy(&in6.sin6_addr.s6_addr[12], &in4.sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        memcpy(&in6, ss, sizeof(in6));
        in4.sin_port = in6.sin6_port;
        if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
            memcpy(&in4.sin_addr, &in6.sin6_addr.s6_addr[12], 4);
    }
    in6.sin6_flowinfo = in6.sin6_scope_id = 0; /* nothing of the host's interfaces */
    if (s->family == AF_INET) {
        memcpy(out, &in4, sizeof(in4));
        return sizeof(in4);
    }
    memcpy(out, &in6, sizeof(in6));
    return sizeof(in6);
}

static uint8_t proto_declared_any(const struct vm *vm, uint8_t proto)
{
    for (size_t i = 0; i < vm->nlisten; i++)
        if (vm->listen[i].proto == proto)
            return 1;
    for (size_t i = 0; i < vm->nconnect; i++)
        if (vm->connect[i].proto == proto)
            return 1;
    return 0;
}

int hc_sock_open(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    uint64_t family = c->req.args[0], type = c->req.args[1];
    if (family != AF_INET && family != AF_INET6)
        return ret(c, -EAFNOSUPPORT);
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return ret(c, -EINVAL);
    uint8_t proto = type == SOCK_STREAM ? CWI_NET_TCP : CWI_NET_UDP;
    if (!proto_declared_any(vm, proto))
        return ret(c, -EACCES);
    int h = new_handle(vm);
    if (h < 0)
        return ret(c, h);
    int fd = socket((int)family, (int)type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ret(c, -errno);
    vm->socks[h] = (struct vm_sock){.fd = fd, .family = (int)family, .proto = proto};
    /* a datagram socket is ready to send at once; a stream socket is watched once it
     * connects or listens, so no "unconnected" HUP is heard before */
    if (proto == CWI_NET_UDP)
        watch(vm, &vm->socks[h]);
    return ret(c, h);
}

/* The socket a0 names and the guest address of length a1 in data: bind's and
 * connect's common first steps. 0 or -errno (EBADF for a handle never opened). */
static int sock_and_addr(struct hc_ctx *c, struct vm_sock **s, struct sockaddr_storage *raw,
                         struct net_addr *a)
{
    *s = sock_of(c->vcpu->vm, c->req.args[0]);
    return *s ? guest_addr(c, *s, c->req.args[1], raw, a) : -EBADF;
}

/* What s, bound to address a, covers. The options are read from the host socket the
 * guest set them on, not taken from the guest's word. */
static struct cl_bind bind_of(const struct vm_sock *s, const struct net_addr *a)
{
    struct cl_bind b = {.sock_family = s->family == AF_INET ? 4 : 6, .addr_family = a->family};
    memcpy(b.addr, a->addr, sizeof(b.addr));
    int v = 0;
    socklen_t len = sizeof(v);
    if (s->family == AF_INET6 && getsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len) == 0)
        b.v6only = v != 0;
    v = 0;
    len = sizeof(v);
    if (getsockopt(s->fd, SOL_SOCKET, SO_REUSEPORT, &v, &len) == 0)
        b.reuseport = v != 0;
    return b;
}

/* Whether a guest socket already bound to (proto, port) clashes with b: EADDRINUSE. */
static bool port_taken(const struct vm *vm, const struct vm_sock *s, uint16_t port,
                       const struct cl_bind *b)
{
    for (unsigned i = 0; i < CL_SOCK_MAX; i++) {
        const struct vm_sock *t = &vm->socks[i];
        if (t != s && t->fd >= 0 && t->bound && t->port == port && t->proto == s->proto &&
            cl_bind_clash(&t->where, b))
            return true;
    }
    return false;
}

/* Whether s is the guest socket a published port's traffic belongs to: one whose
 * family the host address's connections have (an IPv6 socket without IPV6_V6ONLY takes
 * IPv4 ones too, as on Linux). */
static bool suits(const struct vm_sock *s, const struct net_publish *p)
{
    if (p->host.ss_family == AF_INET6)
        return s->family == AF_INET6;
    return s->family == AF_INET || !s->where.v6only;
}

/* Hands p's host socket to s in place of its own; s listens on it if it listens.
 * 0 or -errno. */
static int publish_give(struct vm *vm, struct net_publish *p, struct vm_sock *s)
{
    int fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (s->listening && listen(fd, s->backlog) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    if (s->watched)
        host_events_unwatch(vm, s->fd);
    close(s->fd);
    s->fd = fd;
    s->watched = false;
    s->pub = p;
    p->in_use = true;
    if (s->proto == CWI_NET_UDP || s->listening)
        watch(vm, s);
    return 0;
}

/* Takes p's host socket back from s, which keeps a fresh one, bound nowhere. */
static int publish_take(struct vm *vm, struct vm_sock *s)
{
    int fd = socket(
        s->family,
        (s->proto == CWI_NET_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (s->watched)
        host_events_unwatch(vm, s->fd);
    close(s->fd);
    s->fd = fd;
    s->watched = false;
    s->pub->in_use = false;
    s->pub = NULL;
    if (s->proto == CWI_NET_UDP)
        watch(vm, s);
    return 0;
}

static struct vm_sock *publish_holder(struct vm *vm, const struct net_publish *p)
{
    for (unsigned i = 0; i < CL_SOCK_MAX; i++)
        if (vm->socks[i].fd >= 0 && vm->socks[i].pub == p)
            return &vm->socks[i];
    return NULL;
}

/* Who holds a published port among the guest sockets bound to it (docs/network.md):
 * the first that suits it; until one does, the first bound. Called after a bind and
 * after a holder closed. 0 or -errno. */
static int publish_settle(struct vm *vm, struct net_publish *p)
{
    struct vm_sock *holder = publish_holder(vm, p), *best = NULL;
    if (holder && suits(holder, p))
        return 0;
    for (unsigned i = 0; i < CL_SOCK_MAX && !(best && suits(best, p)); i++) {
        struct vm_sock *t = &vm->socks[i];
        if (t->fd >= 0 && t->bound && t->port == p->guest_port && t->proto == p->proto &&
            (!best || suits(t, p)))
            best = t;
    }
    if (!best || best == holder || (holder && !suits(best, p)))
        return 0;
    int err = holder ? publish_take(vm, holder) : 0;
    return err ? err : publish_give(vm, p, best);
}

int hc_sock_bind(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct vm_sock *s;
    struct sockaddr_storage raw;
    struct net_addr a;
    int err = sock_and_addr(c, &s, &raw, &a);
    if (err)
        return ret(c, err);
    if (s->bound)
        return ret(c, -EINVAL);
    if (a.port == 0) /* an ephemeral port: the host picks one when the socket is used */
        return ret(c, 0);
    if (!net_listen_declared(vm, s->proto, a.port))
        return ret(c, -EACCES);
    struct cl_bind where = bind_of(s, &a);
    if (port_taken(vm, s, a.port, &where))
        return ret(c, -EADDRINUSE);
    s->where = where;
    s->port = a.port;
    s->bound = true; /* unpublished: bound by nobody on the host (docs/network.md) */
    struct net_publish *p = net_publish_find(vm, s->proto, a.port);
    err = p ? publish_settle(vm, p) : 0;
    if (err)
        s->bound = false;
    return ret(c, err);
}

int hc_sock_listen(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct vm_sock *s = sock_of(vm, c->req.args[0]);
    if (!s)
        return ret(c, -EBADF);
    if (s->proto != CWI_NET_TCP)
        return ret(c, -EOPNOTSUPP);
    if (!s->bound) /* Linux would pick an ephemeral port: not a declared one */
        return ret(c, -EACCES);
    int backlog = c->req.args[1] > 4096 ? 4096 : (int)c->req.args[1];
    if (s->pub && listen(s->fd, backlog) < 0)
        return ret(c, -errno);
    s->backlog = backlog;
    s->listening = true;
    if (s->pub)
        watch(vm, s);
    return ret(c, 0);
}

int hc_sock_accept(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct vm_sock *s = sock_of(vm, c->req.args[0]);
    if (!s)
        return ret(c, -EBADF);
    if (!s->listening)
        return ret(c, -EINVAL);
    if (!s->pub)
        return ret(c, -EAGAIN); /* nobody can reach an unpublished port */
    int h = new_handle(vm);
    if (h < 0)
        return ret(c, h);
    struct sockaddr_storage peer;
    socklen_t len = sizeof(peer);
    int fd = accept4(s->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return ret(c, -errno);
    vm->socks[h] = (struct vm_sock){.fd = fd, .family = s->family, .proto = CWI_NET_TCP};
    watch(vm, &vm->socks[h]);
    c->rets[0] = put_addr(c, s, &peer);
    return ret(c, h);
}

int hc_sock_connect(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct vm_sock *s;
    struct sockaddr_storage raw;
    struct net_addr a;
    int err = sock_and_addr(c, &s, &raw, &a);
    if (err)
        return ret(c, err);
    if (s->listening)
        return ret(c, -EISCONN);
    if (!net_connect_declared(vm, s->proto, &a))
        return ret(c, -EACCES);
    socklen_t len = s->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    int r = connect(s->fd, (struct sockaddr *)&raw, len);
    err = r < 0 ? -errno : 0;
    if (r == 0 || err == -EINPROGRESS)
        watch(vm, s);
    return ret(c, err);
}

int hc_sock_send(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct vm_sock *s = sock_of(vm, c->req.args[0]);
    uint64_t len = c->req.args[1], alen = c->req.args[2];
    if (!s)
        return ret(c, -EBADF);
    if (len > CL_SOCK_DATA_MAX)
        return vm_fail(vm, "shim sent %llu bytes on a socket: out of bounds",
                       (unsigned long long)len);
    struct sockaddr_storage raw;
    struct net_addr a;
    socklen_t rlen = 0;
    if (alen && s->proto == CWI_NET_UDP) { /* a stream socket ignores the address */
        int err = guest_addr(c, s, alen, &raw, &a);
        if (err)
            return ret(c, err);
        if (!net_connect_declared(vm, s->proto, &a) && !heard_from(s, &a))
            return ret(c, -EACCES);
        rlen = s->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    }
    int flags = MSG_NOSIGNAL | MSG_DONTWAIT | (c->req.args[3] & CL_MSG_OOB ? MSG_OOB : 0);
    ssize_t n = sendto(s->fd, c->data, len, flags, rlen ? (struct sockaddr *)&raw : NULL, rlen);
    return ret(c, n >= 0 ? n : -errno);
}

int hc_sock_recv(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct vm_sock *s = sock_of(vm, c->req.args[0]);
    uint64_t want = c->req.args[1];
    if (!s)
        return ret(c, -EBADF);
    if (want > CL_SOCK_DATA_MAX)
        return vm_fail(vm, "shim asked for %llu bytes from a socket: out of bounds",
                       (unsigned long long)want);
    if (s->listening)
        return ret(c, -ENOTCONN);
    int flags = MSG_DONTWAIT | (c->req.args[2] & CL_MSG_PEEK ? MSG_PEEK : 0) |
                (c->req.args[2] & CL_MSG_OOB ? MSG_OOB : 0);
    if (s->proto == CWI_NET_UDP)
        flags |= MSG_TRUNC; /* the datagram's whole length, for the guest's MSG_TRUNC */
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    memset(&from, 0, sizeof(from));
    ssize_t n = recvfrom(s->fd, c->data, want, flags, (struct sockaddr *)&from, &flen);
    if (n < 0)
        return ret(c, -errno);
    c->rets[1] = (uint64_t)n;
    c->rets[0] = s->proto == CWI_NET_UDP && flen ? put_addr(c, s, &from) : 0;
    struct net_addr src;
    if (c->rets[0] &&
        net_addr_from_guest(s->family, c->data + CL_SOCK_ADDR_OFFSET, c->rets[0], &src) == 0)
        heard_add(s, &src);
    return ret(c, (uint64_t)n > want ? (int64_t)want : n);
}

int hc_sock_shutdown(struct hc_ctx *c)
{
    struct vm_sock *s = sock_of(c->vcpu->vm, c->req.args[0]);
    if (!s)
        return ret(c, -EBADF);
    if (c->req.args[1] > SHUT_RDWR)
        return ret(c, -EINVAL);
    if (!s->pub && s->listening)
        return ret(c, 0); /* an unpublished listener has nothing on the host to shut */
    return ret(c, shutdown(s->fd, (int)c->req.args[1]) < 0 ? -errno : 0);
}

/* The options the guest may set or read: what servers set (TCP_CORK: nginx's
 * tcp_nopush around sendfile), nothing that widens where packets go (no
 * SO_BINDTODEVICE, SO_BROADCAST, IP_TRANSPARENT, multicast). */
static bool option_allowed(uint64_t level, uint64_t name, bool setting)
{
    if (level == SOL_SOCKET)
        return name == SO_REUSEADDR || name == SO_REUSEPORT || name == SO_KEEPALIVE ||
               name == SO_SNDBUF || name == SO_RCVBUF || name == SO_LINGER ||
               (!setting && name == SO_ERROR);
    if (level == IPPROTO_TCP)
        return name == TCP_NODELAY || name == TCP_CORK || name == TCP_KEEPIDLE ||
               name == TCP_KEEPINTVL || name == TCP_KEEPCNT;
    if (level == IPPROTO_IPV6)
        return name == IPV6_V6ONLY;
    return false;
}

int hc_sock_setopt(struct hc_ctx *c)
{
    struct vm_sock *s = sock_of(c->vcpu->vm, c->req.args[0]);
    uint64_t level = c->req.args[1], name = c->req.args[2];
    if (!s)
        return ret(c, -EBADF);
    if (!option_allowed(level, name, true))
        return ret(c, -ENOPROTOOPT);
    int r;
    if (level == SOL_SOCKET && name == SO_LINGER) {
        struct linger l = {.l_onoff = (int)(c->req.args[3] != 0),
                           .l_linger = (int)(c->req.args[4] & 0x7fffffff)};
        r = setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    } else {
        int v = (int)c->req.args[3];
        r = setsockopt(s->fd, (int)level, (int)name, &v, sizeof(v));
    }
    return ret(c, r < 0 ? -errno : 0);
}

int hc_sock_getopt(struct hc_ctx *c)
{
    struct vm_sock *s = sock_of(c->vcpu->vm, c->req.args[0]);
    uint64_t level = c->req.args[1], name = c->req.args[2];
    if (!s)
        return ret(c, -EBADF);
    if (!option_allowed(level, name, false))
        return ret(c, -ENOPROTOOPT);
    int v[2] = {0, 0};
    socklen_t len = sizeof(v);
    if (getsockopt(s->fd, (int)level, (int)name, v, &len) < 0)
        return ret(c, -errno);
    c->rets[0] = (uint32_t)v[0];
    c->rets[1] = (uint32_t)v[1];
    return ret(c, 0);
}

int hc_sock_name(struct hc_ctx *c)
{
    struct vm_sock *s = sock_of(c->vcpu->vm, c->req.args[0]);
    if (!s)
        return ret(c, -EBADF);
    if (c->req.args[1] > 1)
        return ret(c, -EINVAL);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    int r = c->req.args[1] ? getpeername(s->fd, (struct sockaddr *)&ss, &len)
                           : getsockname(s->fd, (struct sockaddr *)&ss, &len);
    if (r < 0)
        return ret(c, -errno);
    return ret(c, (int64_t)put_addr(c, s, &ss));
}

/* Closes s; a published port it held passes to another guest socket bound to it. */
static void sock_free(struct vm *vm, struct vm_sock *s)
{
    if (s->watched)
        host_events_unwatch(vm, s->fd);
    close(s->fd);
    struct net_publish *p = s->pub;
    *s = (struct vm_sock){.fd = -1};
    if (p) {
        p->in_use = false;
        publish_settle(vm, p); /* an error leaves the port with nobody, as unpublished */
    }
}

int hc_sock_close(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct vm_sock *s = sock_of(vm, c->req.args[0]);
    if (!s)
        return ret(c, -EBADF);
    sock_free(vm, s);
    return ret(c, 0);
}

void hc_sock_close_all(struct vm *vm)
{
    for (unsigned i = 0; vm->socks && i < CL_SOCK_MAX; i++)
        vm->socks[i].pub = NULL; /* all go: no published port passes on */
    for (unsigned i = 0; vm->socks && i < CL_SOCK_MAX; i++)
        if (vm->socks[i].fd >= 0)
            sock_free(vm, &vm->socks[i]);
    free(vm->socks);
    vm->socks = NULL;
}
