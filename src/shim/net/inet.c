/*
 * AF_INET and AF_INET6 sockets over the monitor's socket hypercalls (abi.h,
 * CL_HC_SOCK_*). What the manifest does not declare is EACCES here, before any
 * hypercall; the monitor refuses it again. The host is not trusted: every count,
 * handle, address length and option value it answers is checked, and a lie ends the
 * run (docs/iago.md). Waiting is on the socket's host_watch: a call that got EAGAIN
 * from the host clears the matching ready bit, and the error and hang-up bits (an
 * EAGAIN says neither is current, and a stale one would wake the wait at once, for
 * ever), then sleeps until the host reports the socket ready again.
 */
#include "net/socket.h"
#include "arch/x86/hcall.h"
#include "kernel/host_checks.h"
#include "kernel/manifest.h"
#include "kernel/panic.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "kernel/wait.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#include <cloister/cwi.h>
#include <cloister/net_bind.h>

#define SOL_SOCKET    1
#define SO_ERROR      4
#define SO_REUSEPORT  15
#define IPPROTO_IPV6  41
#define IPV6_V6ONLY   26
#define SO_TYPE       3
#define SO_LINGER     13
#define SO_RCVTIMEO   20
#define SO_SNDTIMEO   21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39
#define IPPROTO_TCP   6
#define IPPROTO_UDP   17
#define POLLRDHUP     0x2000

/* the sockets by monitor handle: an accepted handle already in use is a lying host */
static struct sock *by_handle[CL_SOCK_MAX];

/* An address as the declarations state it: IPv4-mapped IPv6 counts as IPv4. */
struct inet_addr {
    u8 family; /* 4 or 6 */
    u8 addr[16];
    u16 port;
};

static u16 be16(const u8 *p)
{
    return (u16)(p[0] << 8 | p[1]);
}

/* A sockaddr of the socket's family: 0 with *a, or -errno. */
static s64 parse_addr(const struct sock *s, const u8 *sa, u32 len, struct inet_addr *a)
{
    static const u8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (len < 2)
        return -EINVAL;
    u16 fam = (u16)(sa[0] | sa[1] << 8);
    memzero(a, sizeof(*a));
    if (fam != s->family)
        return s->family == AF_INET ? -EAFNOSUPPORT : -EINVAL;
    if (fam == AF_INET) {
        if (len < 16)
            return -EINVAL;
        a->family = 4;
        a->port = be16(sa + 2);
        memcpy(a->addr, sa + 4, 4);
        return 0;
    }
    if (len < 24)
        return -EINVAL;
    a->port = be16(sa + 2);
    if (!memcmp(sa + 8, mapped, 12)) {
        a->family = 4;
        memcpy(a->addr, sa + 20, 4);
    } else {
        a->family = 6;
        memcpy(a->addr, sa + 8, 16);
    }
    return 0;
}

static u32 addr_size(const struct sock *s)
{
    return s->family == AF_INET ? 16 : 28;
}

static bool listen_declared(u8 proto, u16 port)
{
    const struct manifest *m = manifest_current();
    for (u32 i = 0; i < m->nlisten; i++)
        if (m->listen[i].proto == proto && m->listen[i].port == port)
            return true;
    return false;
}

static bool connect_declared(u8 proto, const struct inet_addr *a)
{
    const struct manifest *m = manifest_current();
    for (u32 i = 0; i < m->nconnect; i++) {
        const struct cwi_net_decl *d = &m->connect[i];
        if (d->proto == proto && d->family == a->family && d->port == a->port &&
            !memcmp(d->addr, a->addr, a->family == 4 ? 4 : 16))
            return true;
    }
    return false;
}

/* A UDP server answers its clients: it may send to the sources it heard from lately,
 * as a TCP server writes to the connections it accepted. The monitor keeps the same
 * list on its side. */
static void heard_add(struct sock *s, const struct inet_addr *a)
{
    _Static_assert(sizeof(s->heard[0]) >= sizeof(*a), "heard entry");
    for (u32 i = 0; i < s->nheard && i < 16; i++)
        if (!memcmp(s->heard[i], a, sizeof(*a)))
            return;
    memcpy(s->heard[s->nheard++ % 16], a, sizeof(*a));
}

static bool heard_from(const struct sock *s, const struct inet_addr *a)
{
    for (u32 i = 0; i < s->nheard && i < 16; i++)
        if (!memcmp(s->heard[i], a, sizeof(*a)))
            return true;
    return false;
}

static bool proto_declared(u8 proto)
{
    const struct manifest *m = manifest_current();
    for (u32 i = 0; i < m->nlisten; i++)
        if (m->listen[i].proto == proto)
            return true;
    for (u32 i = 0; i < m->nconnect; i++)
        if (m->connect[i].proto == proto)
            return true;
    return false;
}

static s64 status(s64 r, const char *what)
{
    if (!hc_status_ok(r))
        panic("host answered a socket %s with %ld", what, r);
    return r;
}

/* An address the host wrote at CL_SOCK_ADDR_OFFSET, len bytes: it must be one of the
 * socket's family, of its size. Copied out once. */
static void host_addr(const struct sock *s, u64 len, u8 *out, u32 *out_len)
{
    if (len != addr_size(s))
        panic("host answered a socket address of %lu bytes", len);
    memcpy(out, hcall_buffer() + CL_SOCK_ADDR_OFFSET, len);
    if ((u16)(out[0] | out[1] << 8) != s->family)
        panic("host answered a socket address of another family");
    *out_len = (u32)len;
}

/* Sleeps until one of `bits` is ready, the socket's timeout passes (-EAGAIN), or a
 * signal comes (-ERESTARTSYS). */
static s64 sock_wait(struct sock *s, u32 bits, s64 timeout_ns)
{
    s64 deadline = timeout_ns ? clock_now(CLOCK_MONOTONIC) + timeout_ns : NSEC_FOREVER;
    struct wait_entry e;
    wait_prepare(&e, &s->w.wq);
    s64 r = 0;
    while (!(s->w.ready & bits)) {
        r = task_wait(CLOCK_MONOTONIC, deadline, true);
        if (r < 0)
            break;
        wait_rearm();
    }
    wait_finish(&e);
    if (r == -ETIMEDOUT)
        return -EAGAIN;
    return r < 0 ? -ERESTARTSYS : 0;
}

static struct sock *sock_new(u32 family, u32 type, u32 handle)
{
    static u64 next_ino = 20000;
    struct sock *s = kmalloc(sizeof(*s));
    if (!s)
        return NULL;
    s->family = (u16)family;
    s->type = (u16)type;
    s->proto = type == SOCK_STREAM ? CWI_NET_TCP : CWI_NET_UDP;
    s->ino = next_ino++;
    host_watch_add(&s->w, CL_EV_KIND_SOCKET, handle, 0);
    by_handle[handle] = s;
    return s;
}

/* A handle the host handed out: in range and not one a live socket holds. */
static void check_new_handle(s64 r, const char *what)
{
    if (!hc_handle_ok(r, CL_SOCK_MAX) || (r >= 0 && by_handle[r]))
        panic("host answered a socket %s with handle %ld", what, r);
}

s64 inet_create(u32 family, u32 type, struct sock **out)
{
    if (!proto_declared(type == SOCK_STREAM ? CWI_NET_TCP : CWI_NET_UDP))
        return -EACCES; /* no declarations: no network (docs/network.md) */
    s64 h = hcall(CL_HC_SOCK_OPEN, family, type, 0, 0, 0, 0);
    check_new_handle(h, "open");
    if (h < 0)
        return h;
    *out = sock_new(family, type, (u32)h);
    if (!*out) {
        hcall(CL_HC_SOCK_CLOSE, (u64)h, 0, 0, 0, 0, 0);
        return -ENOMEM;
    }
    if (type == SOCK_DGRAM)
        (*out)->state = SK_CONNECTED; /* ready to send, as Linux's poll says */
    return 0;
}

/* What a socket bound to address a covers, for include/cloister/net_bind.h. */
static struct cl_bind bind_of(const struct sock *s, const struct inet_addr *a)
{
    struct cl_bind b = {.sock_family = s->family == AF_INET ? 4 : 6,
                        .addr_family = a->family,
                        .v6only = s->v6only,
                        .reuseport = s->reuseport};
    memcpy(b.addr, a->addr, sizeof(b.addr));
    return b;
}

/* Whether another socket holds (proto, a's port) in a way binding s there would clash
 * with: Linux's EADDRINUSE. Only explicit ports: port 0 binds nothing yet. */
static bool port_taken(const struct sock *s, const struct inet_addr *a)
{
    struct cl_bind mine = bind_of(s, a);
    for (u32 h = 0; h < CL_SOCK_MAX; h++) {
        const struct sock *t = by_handle[h];
        if (!t || t == s || !t->bound || t->proto != s->proto || t->guest_port != a->port)
            continue;
        struct inet_addr ta;
        if (parse_addr(t, t->bound_addr, t->bound_len, &ta))
            continue;
        struct cl_bind theirs = bind_of(t, &ta);
        if (cl_bind_clash(&theirs, &mine))
            return true;
    }
    return false;
}

s64 inet_bind(struct sock *s, const u8 *addr, u32 len)
{
    struct inet_addr a;
    s64 err = parse_addr(s, addr, len, &a);
    if (err)
        return err;
    if (s->bound)
        return -EINVAL;
    if (a.port != 0 && !listen_declared(s->proto, a.port))
        return -EACCES;
    if (a.port != 0 && port_taken(s, &a))
        return -EADDRINUSE;
    memcpy(hcall_buffer() + CL_SOCK_ADDR_OFFSET, addr, addr_size(s));
    err = status(hcall(CL_HC_SOCK_BIND, s->w.handle, addr_size(s), 0, 0, 0, 0), "bind");
    if (err)
        return err;
    s->bound = a.port != 0;
    memcpy(s->bound_addr, addr, addr_size(s));
    s->bound_len = addr_size(s);
    s->guest_port = a.port;
    return 0;
}

s64 inet_listen(struct sock *s, u64 backlog)
{
    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    if (!s->bound)
        return -EACCES; /* an ephemeral port is no declared one */
    s64 err =
        status(hcall(CL_HC_SOCK_LISTEN, s->w.handle, MIN(backlog, 4096), 0, 0, 0, 0), "listen");
    if (!err)
        s->state = SK_LISTENING;
    return err;
}

s64 inet_accept(struct sock *s, bool nonblock, struct sock **out, u8 *peer, u32 *peer_len)
{
    if (s->state != SK_LISTENING)
        return -EINVAL;
    for (;;) {
        s64 h = hcall(CL_HC_SOCK_ACCEPT, s->w.handle, 0, 0, 0, 0, 0);
        check_new_handle(h, "accept");
        if (h >= 0) {
            host_addr(s, hcall_ret(0), peer, peer_len);
            struct sock *n = sock_new(s->family, s->type, (u32)h);
            if (!n) {
                hcall(CL_HC_SOCK_CLOSE, (u64)h, 0, 0, 0, 0, 0);
                return -ENOMEM;
            }
            n->state = SK_CONNECTED;
            n->guest_port = s->guest_port;
            *out = n;
            return 0;
        }
        if (h != -EAGAIN)
            return h;
        s->w.ready &= ~(u32)(CL_EV_IN | CL_EV_ERR | CL_EV_HUP);
        if (nonblock)
            return -EAGAIN;
        s64 r = sock_wait(s, CL_EV_IN | CL_EV_ERR | CL_EV_HUP, 0);
        if (r)
            return r;
    }
}

/* How a connect in progress ended: 0 connected, -EALREADY not yet, or its error. */
static s64 connect_result(struct sock *s)
{
    s64 r =
        status(hcall(CL_HC_SOCK_GETOPT, s->w.handle, SOL_SOCKET, SO_ERROR, 0, 0, 0), "getsockopt");
    if (r)
        return r;
    u64 err = hcall_ret(0);
    if (err > 4095)
        panic("host answered SO_ERROR %lu", err);
    if (err) {
        s->state = SK_FRESH;
        return -(s64)err;
    }
    r = hcall(CL_HC_SOCK_NAME, s->w.handle, 1, 0, 0, 0, 0);
    if (r == -ENOTCONN)
        return -EALREADY;
    s->state = SK_CONNECTED;
    return 0;
}

s64 inet_connect(struct sock *s, const u8 *addr, u32 len, bool nonblock)
{
    struct inet_addr a;
    s64 err = parse_addr(s, addr, len, &a);
    if (err)
        return err;
    if (s->state == SK_LISTENING || (s->state == SK_CONNECTED && s->type == SOCK_STREAM))
        return -EISCONN;
    if (s->state == SK_CONNECTING) {
        err = connect_result(s);
        return err == 0 ? -EISCONN : err;
    }
    if (!connect_declared(s->proto, &a))
        return -EACCES;
    memcpy(hcall_buffer() + CL_SOCK_ADDR_OFFSET, addr, addr_size(s));
    err = status(hcall(CL_HC_SOCK_CONNECT, s->w.handle, addr_size(s), 0, 0, 0, 0), "connect");
    if (err == 0) {
        s->state = SK_CONNECTED;
        return 0;
    }
    if (err != -EINPROGRESS)
        return err;
    s->state = SK_CONNECTING;
    if (nonblock)
        return -EINPROGRESS;
    for (;;) {
        s64 r = sock_wait(s, CL_EV_OUT | CL_EV_ERR | CL_EV_HUP, s->sndtimeo_ns);
        if (r)
            return r == -EAGAIN ? -EINPROGRESS : r;
        r = connect_result(s);
        if (r != -EALREADY)
            return r;
        s->w.ready &=
            ~(u32)(CL_EV_OUT | CL_EV_ERR | CL_EV_HUP); /* a spurious wake-up: wait again */
    }
}

s64 inet_send(struct sock *s, const struct linux_iovec *iov, unsigned cnt, u32 flags,
              const u8 *addr, u32 alen, bool nonblock)
{
    u64 total = iov_total(iov, cnt), done = 0;
    u64 alen_host = 0;
    if (addr && s->type == SOCK_DGRAM) {
        struct inet_addr a;
        s64 err = parse_addr(s, addr, alen, &a);
        if (err)
            return err;
        if (!connect_declared(s->proto, &a) && !heard_from(s, &a))
            return -EACCES;
        alen_host = addr_size(s);
    }
    if (s->type == SOCK_DGRAM && total > CL_SOCK_DATA_MAX)
        return -EMSGSIZE;
    if (s->type == SOCK_STREAM && s->state != SK_CONNECTED && s->state != SK_CONNECTING) {
        if (!(flags & MSG_NOSIGNAL))
            signal_broken_pipe(); /* Linux's answer to a send on an unconnected stream */
        return -EPIPE;
    }
    u8 *buf = hcall_buffer();
    do {
        u64 chunk = MIN(total - done, (u64)CL_SOCK_DATA_MAX);
        if (iov_copy_out(buf, iov, cnt, done, chunk))
            return done ? (s64)done : -EFAULT;
        if (alen_host)
            memcpy(buf + CL_SOCK_ADDR_OFFSET, addr, alen_host);
        s64 r = hcall(CL_HC_SOCK_SEND, s->w.handle, chunk, alen_host, flags & MSG_OOB, 0, 0);
        if (!hc_count_ok(r, chunk))
            panic("host answered a socket send of %lu bytes with %ld", chunk, r);
        if (r == -EAGAIN) {
            s->w.ready &= ~(u32)(CL_EV_OUT | CL_EV_ERR | CL_EV_HUP);
            if (nonblock)
                return done ? (s64)done : -EAGAIN;
            s64 w = sock_wait(s, CL_EV_OUT | CL_EV_ERR | CL_EV_HUP, s->sndtimeo_ns);
            if (w)
                return done ? (s64)done : w;
            continue;
        }
        if (r < 0) {
            if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
                signal_broken_pipe();
            return done ? (s64)done : r;
        }
        done += (u64)r;
    } while (done < total && s->type == SOCK_STREAM);
    return (s64)done;
}

s64 inet_recv(struct sock *s, const struct linux_iovec *iov, unsigned cnt, u32 flags, u8 *from,
              u32 *from_len, bool nonblock)
{
    u64 total = iov_total(iov, cnt), got = 0;
    if (s->state == SK_LISTENING || (s->type == SOCK_STREAM && s->state == SK_FRESH))
        return -ENOTCONN;
    for (;;) {
        u64 want = MIN(total - got, (u64)CL_SOCK_DATA_MAX);
        s64 r = hcall(CL_HC_SOCK_RECV, s->w.handle, want, flags & (MSG_PEEK | MSG_OOB), 0, 0, 0);
        if (!hc_count_ok(r, want))
            panic("host answered a socket receive of %lu bytes with %ld", want, r);
        if (r == -EAGAIN) {
            s->w.ready &= ~(u32)(CL_EV_IN | CL_EV_ERR | CL_EV_HUP | CL_EV_RDHUP);
            if (nonblock || got)
                return got ? (s64)got : -EAGAIN;
            s64 w = sock_wait(s, CL_EV_IN | CL_EV_ERR | CL_EV_HUP | CL_EV_RDHUP, s->rcvtimeo_ns);
            if (w)
                return w;
            continue;
        }
        if (r < 0)
            return got ? (s64)got : r;
        u64 whole = hcall_ret(1), alen = hcall_ret(0);
        if (whole < (u64)r || (s->type == SOCK_STREAM && whole != (u64)r))
            panic("host answered a datagram of %lu bytes for %ld received", whole, r);
        u8 src[28];
        u32 src_len = 0;
        if (alen) {
            struct inet_addr a;
            host_addr(s, alen, src, &src_len);
            if (parse_addr(s, src, src_len, &a) == 0)
                heard_add(s, &a);
        }
        if (from) {
            memcpy(from, src, src_len);
            *from_len = src_len;
        }
        if (iov_copy_in(iov, cnt, got, hcall_buffer(), (u64)r))
            return got ? (s64)got : -EFAULT;
        got += (u64)r;
        if (s->type == SOCK_DGRAM)
            return (flags & MSG_TRUNC) ? (s64)whole : (s64)got;
        /* MSG_WAITALL: a blocking stream receive goes on until all of it came, or the
         * stream ended */
        if (!(flags & MSG_WAITALL) || r == 0 || got == total || (flags & MSG_PEEK))
            return (s64)got;
    }
}

s64 inet_shutdown(struct sock *s, u64 how)
{
    if (how > 2)
        return -EINVAL;
    if (s->type == SOCK_STREAM && s->state != SK_CONNECTED && s->state != SK_LISTENING)
        return -ENOTCONN;
    s64 r = status(hcall(CL_HC_SOCK_SHUTDOWN, s->w.handle, how, 0, 0, 0, 0), "shutdown");
    if (r == 0 && s->state == SK_LISTENING)
        s->w.ready |= CL_EV_IN; /* a shut listener's accept answers at once */
    return r;
}

s64 inet_name(struct sock *s, bool peer, u8 *addr, u32 *len)
{
    if (!peer && s->bound) {
        memcpy(addr, s->bound_addr, s->bound_len);
        *len = s->bound_len;
        return 0;
    }
    if (peer && s->state != SK_CONNECTED && s->state != SK_CONNECTING)
        return -ENOTCONN;
    s64 r = hcall(CL_HC_SOCK_NAME, s->w.handle, peer, 0, 0, 0, 0);
    if (r < 0)
        return status(r, "getsockname");
    host_addr(s, (u64)r, addr, len);
    /* an accepted socket's local port is the guest's listening port, not the host's */
    if (!peer && s->guest_port) {
        addr[2] = (u8)(s->guest_port >> 8);
        addr[3] = (u8)s->guest_port;
    }
    return 0;
}

s64 inet_setsockopt(struct sock *s, u64 level, u64 name, const u8 *val, u32 len)
{
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))
        return sock_set_timeout(name == SO_RCVTIMEO ? &s->rcvtimeo_ns : &s->sndtimeo_ns, val, len);
    s32 v[2] = {0, 0};
    u32 need = level == SOL_SOCKET && name == SO_LINGER ? 8 : 4;
    if (len < need)
        return -EINVAL;
    memcpy(v, val, need);
    s64 r = status(
        hcall(CL_HC_SOCK_SETOPT, s->w.handle, level, name, (u64)(u32)v[0], (u64)(u32)v[1], 0),
        "setsockopt");
    if (!r && level == SOL_SOCKET && name == SO_REUSEPORT)
        s->reuseport = v[0] != 0;
    if (!r && level == IPPROTO_IPV6 && name == IPV6_V6ONLY)
        s->v6only = v[0] != 0;
    return r;
}

s64 inet_getsockopt(struct sock *s, u64 level, u64 name, u8 *val, u32 *len)
{
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_TYPE:
            return sock_put_int(val, len, s->type);
        case SO_DOMAIN:
            return sock_put_int(val, len, s->family);
        case SO_PROTOCOL:
            return sock_put_int(val, len, s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
        case SO_ACCEPTCONN:
            return sock_put_int(val, len, s->state == SK_LISTENING);
        case SO_RCVTIMEO:
        case SO_SNDTIMEO:
            return sock_put_timeout(val, len,
                                    name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns);
        }
    }
    if (level == SOL_SOCKET && name == SO_ERROR && s->type == SOCK_STREAM &&
        s->state == SK_LISTENING)
        return sock_put_int(val, len, 0); /* an unpublished listener has no host error */
    s64 r = status(hcall(CL_HC_SOCK_GETOPT, s->w.handle, level, name, 0, 0, 0), "getsockopt");
    if (r)
        return r;
    u64 v0 = hcall_ret(0), v1 = hcall_ret(1);
    if (v0 > 0xffffffffull || v1 > 0xffffffffull || (name == SO_ERROR && v0 > 4095))
        panic("host answered a socket option with %lu", v0);
    if (level == SOL_SOCKET && name == SO_ERROR && v0 == 0 && s->state == SK_CONNECTING)
        connect_result(s);
    if (level == SOL_SOCKET && name == SO_LINGER) {
        s32 l[2] = {(s32)v0, (s32)v1};
        u32 n = MIN(*len, (u32)sizeof(l));
        memcpy(val, l, n);
        *len = n;
        return 0;
    }
    return sock_put_int(val, len, (s64)(s32)(u32)v0);
}

/* Readiness from what the host reported. A readable bit may be stale (edge-triggered
 * events; the last read emptied the socket without seeing EAGAIN): a peek asks. */
u32 inet_poll(struct sock *s)
{
    if (s->type == SOCK_STREAM && s->state == SK_FRESH)
        return POLLOUT | POLLWRNORM | POLLHUP; /* as Linux says of an unconnected stream */
    u32 ev = s->w.ready & CL_EV_ALL;
    if ((ev & CL_EV_IN) && s->state != SK_LISTENING && !(ev & (CL_EV_HUP | CL_EV_RDHUP))) {
        s64 r = hcall(CL_HC_SOCK_RECV, s->w.handle, 1, MSG_PEEK, 0, 0, 0);
        if (!hc_count_ok(r, 1))
            panic("host answered a socket peek with %ld", r);
        if (r == -EAGAIN)
            s->w.ready &= ~(u32)CL_EV_IN;
        ev = s->w.ready & CL_EV_ALL;
    }
    if (ev & CL_EV_IN)
        ev |= POLLRDNORM;
    if (ev & CL_EV_OUT)
        ev |= POLLWRNORM;
    return ev;
}

void inet_close(struct sock *s)
{
    host_watch_remove(&s->w);
    by_handle[s->w.handle] = NULL;
    status(hcall(CL_HC_SOCK_CLOSE, s->w.handle, 0, 0, 0, 0, 0), "close");
    kfree(s);
}
