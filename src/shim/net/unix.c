/*
 * AF_UNIX sockets as an open file kind (unix.h): their life, connections and names.
 * Data moves in unix_io.c, names live in unix_path.c, options in unix_opt.c,
 * ancillary data in scm.c.
 *
 * A connection-oriented connect makes the listener's end at once, as Linux does: an
 * "embryo" socket already connected to the client, queued on the listener until
 * accept hands it out, so the client may write before it is accepted. The backlog
 * bounds that queue (backlog + 1 connections, as Linux's check is "more than").
 */
#include "net/unix.h"
#include "net/scm.h"
#include "net/socket.h"
#include "fs/file.h"
#include "kernel/process.h"
#include "kernel/sleep.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define SOMAXCONN   4096   /* net.core.somaxconn */
#define BUF_DEFAULT 212992 /* net.core.wmem_default and rmem_default */
#define SIOCINQ     0x541b /* FIONREAD */
#define SIOCOUTQ    0x5411

static u64 next_ino = 40000;

void unix_hold(struct unix_sock *u)
{
    u->refs++;
}

void unix_put(struct unix_sock *u)
{
    if (--u->refs == 0)
        kfree(u);
}

static struct unix_sock *unix_new(u32 type)
{
    struct unix_sock *u = kmalloc(sizeof(*u));
    if (!u)
        return NULL;
    u->refs = 1;
    u->type = (u16)type;
    u->ino = next_ino++;
    u->sndbuf = BUF_DEFAULT;
    u->rcvbuf = BUF_DEFAULT;
    wait_queue_init(&u->wq);
    return u;
}

s64 unix_create(u32 type, struct unix_sock **out)
{
    if (type == SOCK_RAW)
        type = SOCK_DGRAM; /* as Linux: BSD has AF_UNIX SOCK_RAW */
    if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    *out = unix_new(type);
    return *out ? 0 : -ENOMEM;
}

static void set_peercred(struct unix_sock *u)
{
    u->peer_pid = current_process()->pid;
    u->peer_uid = 0; /* the workload is root in its VM (kernel/sys_process.c) */
    u->peer_gid = 0;
    u->has_peercred = true;
}

/* a and b each hold the other */
static void join(struct unix_sock *a, struct unix_sock *b)
{
    unix_hold(b);
    a->peer = b;
    unix_hold(a);
    b->peer = a;
    a->state = b->state = US_CONNECTED;
}

s64 unix_pair(u32 type, struct unix_sock **a, struct unix_sock **b)
{
    s64 err = unix_create(type, a);
    if (err)
        return err;
    err = unix_create(type, b);
    if (err) {
        unix_put(*a);
        return err;
    }
    join(*a, *b);
    set_peercred(*a);
    set_peercred(*b);
    return 0;
}

/* Frees what the queue holds: the senders' memory is given back, descriptors in
 * flight are dropped. */
static void purge(struct unix_sock *u)
{
    while (u->head) {
        struct unix_msg *m = u->head;
        u->head = m->next;
        unix_msg_free(m);
    }
    u->tail = NULL;
    u->qlen = 0;
}

/* The socket's file went (or, embryo, its listener's did before accepting it): it
 * leaves the name space and its peer sees the end. */
static void release(struct unix_sock *u, bool embryo)
{
    bool had_data = u->head != NULL;
    u->dead = true;
    u->shut = SHUT_RCV | SHUT_SEND;
    unix_unbind(u);
    while (u->conns) { /* connections never accepted go as their ends close */
        struct unix_sock *n = u->conns;
        u->conns = n->conn_next;
        release(n, true);
    }
    u->nconns = 0;
    struct unix_sock *peer = u->peer;
    if (peer) {
        if (u->type != SOCK_DGRAM) {
            peer->shut = SHUT_RCV | SHUT_SEND;
            /* as Linux: data never read, or a connection never accepted, resets it */
            if (had_data || embryo)
                peer->err = ECONNRESET;
        }
        u->peer = NULL;
        wake_up(&peer->wq);
        unix_put(peer);
    }
    purge(u);
    wake_up(&u->wq);
    unix_put(u);
}

void unix_discard(struct unix_sock *u)
{
    release(u, false);
}

/* ---- the file ---- */

static struct unix_sock *us(struct file *f)
{
    return (struct unix_sock *)f->priv;
}

static s64 unix_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    if (off >= 0)
        return -ESPIPE;
    struct unix_recv_args a = {.iov = iov, .cnt = cnt};
    return unix_recv(us(f), &a, f->flags & O_NONBLOCK);
}

static s64 unix_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    if (off >= 0)
        return -ESPIPE;
    struct unix_send_args a = {.iov = iov, .cnt = cnt};
    return unix_send(us(f), &a, f->flags & O_NONBLOCK);
}

static s64 unix_ioctl(struct file *f, u64 req, u64 arg)
{
    struct unix_sock *u = us(f);
    s32 v;
    switch (req) {
    case SIOCINQ:
        if (u->state == US_LISTENING)
            return -EINVAL;
        v = (s32)unix_inq(u);
        break;
    case SIOCOUTQ:
        if (u->state == US_LISTENING)
            return -EINVAL;
        v = (s32)u->wmem;
        break;
    default:
        return -ENOTTY;
    }
    return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static s64 unix_stat(struct file *f, struct linux_stat *st)
{
    return sock_stat_ino(us(f)->ino, st);
}

static size_t unix_link_name(struct file *f, char *buf, size_t size)
{
    return sock_link_name_ino(us(f)->ino, buf, size);
}

static u32 unix_file_poll(struct file *f)
{
    return unix_poll(us(f));
}

static struct wait_queue *unix_wait_queue(struct file *f)
{
    return &us(f)->wq;
}

static void unix_release(struct file *f)
{
    release(us(f), false);
}

static const struct file_ops unix_ops = {
    .read = unix_read,
    .write = unix_write,
    .ioctl = unix_ioctl,
    .stat = unix_stat,
    .link_name = unix_link_name,
    .poll = unix_file_poll,
    .wait_queue = unix_wait_queue,
    .release = unix_release,
};

struct unix_sock *unix_of_file(struct file *f)
{
    return f && f->ops == &unix_ops ? us(f) : NULL;
}

s64 unix_install(struct unix_sock *u, u32 flags)
{
    struct file *f = file_new(&unix_ops, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0), (u64)u);
    if (!f) {
        release(u, false);
        return -ENFILE;
    }
    s64 fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
    file_put(f);
    return fd;
}

/* ---- waiting ---- */

s64 unix_deadline(s64 timeout_ns)
{
    return timeout_ns ? clock_now(CLOCK_MONOTONIC) + timeout_ns : NSEC_FOREVER;
}

s64 unix_sleep(s64 deadline)
{
    s64 r = task_wait(CLOCK_MONOTONIC, deadline, true);
    wait_rearm();
    if (r == -ETIMEDOUT)
        return -EAGAIN;
    if (r < 0) /* Linux restarts only a wait without a timeout (sock_intr_errno) */
        return deadline == NSEC_FOREVER ? -ERESTARTSYS : -EINTR;
    return 0;
}

/* ---- connections ---- */

s64 unix_listen(struct unix_sock *u, u32 backlog)
{
    if (u->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (!u->addr_len || (u->state != US_UNCONNECTED && u->state != US_LISTENING))
        return -EINVAL;
    backlog = MIN(backlog, (u32)SOMAXCONN);
    if (backlog > u->backlog)
        wake_up(&u->wq); /* connectors waiting for room */
    u->backlog = backlog;
    if (u->state != US_LISTENING) {
        u->state = US_LISTENING;
        set_peercred(u); /* what a connecting socket's SO_PEERCRED reports */
    }
    return 0;
}

s64 unix_accept(struct unix_sock *u, bool nonblock, struct unix_sock **out)
{
    if (u->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (u->state != US_LISTENING)
        return -EINVAL;
    if (!u->conns && nonblock)
        return -EAGAIN;
    s64 deadline = unix_deadline(u->rcvtimeo_ns), err = 0;
    struct wait_entry e;
    wait_prepare(&e, &u->wq);
    while (!u->conns && !err && u->state == US_LISTENING && !u->dead)
        err = unix_sleep(deadline);
    wait_finish(&e);
    if (err)
        return err;
    if (!u->conns)
        return -EINVAL;
    struct unix_sock *n = u->conns;
    u->conns = n->conn_next;
    if (!u->conns)
        u->conns_tail = NULL;
    n->conn_next = NULL;
    u->nconns--;
    wake_up(&u->wq); /* room for a waiting connector */
    *out = n;
    return 0;
}

static s64 dgram_connect(struct unix_sock *u, const u8 *addr, u32 len)
{
    if (len >= 2 && (u16)(addr[0] | addr[1] << 8) == 0 /* AF_UNSPEC */) {
        if (u->peer) {
            unix_put(u->peer);
            u->peer = NULL;
        }
        u->state = US_UNCONNECTED;
        return 0;
    }
    u8 name[UNIX_ADDR_MAX + 1];
    s64 err = unix_addr_parse(addr, len, name);
    if (err < 0)
        return err;
    if (u->passcred && (err = unix_autobind(u)))
        return err;
    struct unix_sock *other;
    err = unix_lookup(addr, len, u->type, &other);
    if (err)
        return err;
    if (u->peer)
        unix_put(u->peer);
    u->peer = other; /* the lookup's reference */
    u->state = US_CONNECTED;
    return 0;
}

/* Waits while the listener's queue is full; 0 when there is room. */
static s64 wait_backlog(struct unix_sock *other, struct unix_sock *u, bool nonblock)
{
    if (other->nconns <= other->backlog)
        return 0;
    if (nonblock)
        return -EAGAIN;
    s64 deadline = unix_deadline(u->sndtimeo_ns), err = 0;
    struct wait_entry e;
    wait_prepare(&e, &other->wq);
    while (!err && other->state == US_LISTENING && other->nconns > other->backlog)
        err = unix_sleep(deadline);
    wait_finish(&e);
    return err;
}

s64 unix_connect(struct unix_sock *u, const u8 *addr, u32 len, bool nonblock)
{
    if (u->type == SOCK_DGRAM)
        return dgram_connect(u, addr, len);
    u8 name[UNIX_ADDR_MAX + 1];
    s64 err = unix_addr_parse(addr, len, name);
    if (err < 0)
        return err;
    if (u->state == US_CONNECTED)
        return -EISCONN;
    if (u->state == US_LISTENING)
        return -EINVAL;
    if (u->passcred && (err = unix_autobind(u)))
        return err;
    struct unix_sock *other;
    err = unix_lookup(addr, len, u->type, &other);
    if (err)
        return err;
    struct unix_sock *n = NULL;
    for (;;) {
        err = -ECONNREFUSED;
        if (other->dead || other->state != US_LISTENING)
            break;
        err = wait_backlog(other, u, nonblock);
        if (err)
            break;
        if (other->nconns > other->backlog || other->state != US_LISTENING)
            continue;                     /* woken, but another connector took the room */
        if (u->state != US_UNCONNECTED) { /* another thread connected it meanwhile */
            err = u->state == US_CONNECTED ? -EISCONN : -EINVAL;
            break;
        }
        n = unix_new(u->type);
        err = n ? 0 : -ENOMEM;
        break;
    }
    if (err) {
        unix_put(other);
        return err;
    }
    join(u, n);
    set_peercred(n);               /* the accepted end reports the connecting process */
    u->peer_pid = other->peer_pid; /* and the connecting end the listener's */
    u->peer_uid = other->peer_uid;
    u->peer_gid = other->peer_gid;
    u->has_peercred = true;
    memcpy(n->addr, other->addr, sizeof(n->addr)); /* getsockname: the listener's name */
    n->addr_len = other->addr_len;
    if (other->conns_tail)
        other->conns_tail->conn_next = n;
    else
        other->conns = n;
    other->conns_tail = n;
    other->nconns++;
    wake_up(&other->wq);
    unix_put(other);
    return 0;
}

s64 unix_shutdown(struct unix_sock *u, u64 how)
{
    if (how > 2)
        return -EINVAL;
    u8 mode = (u8)(how + 1); /* SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 */
    u->shut |= mode;
    wake_up(&u->wq);
    struct unix_sock *p = u->peer;
    if (p && u->type != SOCK_DGRAM) {
        u8 peer_mode = (mode & SHUT_RCV ? SHUT_SEND : 0) | (mode & SHUT_SEND ? SHUT_RCV : 0);
        p->shut |= peer_mode;
        wake_up(&p->wq);
    }
    return 0;
}

s64 unix_name(struct unix_sock *u, bool peer, u8 *addr, u32 *len)
{
    struct unix_sock *s = u;
    if (peer) {
        s = u->peer;
        if (!s || (u->type != SOCK_DGRAM && u->state != US_CONNECTED))
            return -ENOTCONN;
    }
    if (!s->addr_len) {
        addr[0] = AF_UNIX;
        addr[1] = 0;
        *len = UNIX_ADDR_MIN;
        return 0;
    }
    memcpy(addr, s->addr, s->addr_len);
    *len = s->addr_len;
    return 0;
}
