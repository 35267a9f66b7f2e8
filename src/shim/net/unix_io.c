/*
 * Data on AF_UNIX sockets (unix.h): sends onto the peer's queue, receives from one's
 * own, readiness. The orders of the checks, and so which error a call sees first, are
 * Linux's (unix_stream_sendmsg, unix_dgram_sendmsg, unix_stream_read_generic,
 * unix_dgram_recvmsg, unix_poll, unix_dgram_poll).
 *
 * Stream reads run across messages but stop after one that carried descriptors, so
 * that descriptors arrive with the bytes sent beside them. Datagram and seqpacket
 * reads take one message, truncated to the buffer (MSG_TRUNC).
 */
#include "net/unix.h"
#include "net/scm.h"
#include "net/socket.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define MSG_OVERHEAD    320 /* what a queued message costs beyond its bytes (skb truesize) */
#define STREAM_CHUNK    65536u
#define MAX_DGRAM_QLEN  10 /* net.unix.max_dgram_qlen */
#define SCM_RIGHTS      1
#define SCM_CREDENTIALS 2

void unix_msg_free(struct unix_msg *m)
{
    struct unix_sock *s = m->sender;
    s->wmem -= m->charge;
    wake_up(&s->wq); /* room for the sender */
    unix_put(s);
    scm_free(m->scm);
    kfree(m);
}

static struct unix_msg *msg_new(struct unix_sock *u, u32 len, const struct scm_creds *cr)
{
    struct unix_msg *m = kmalloc(sizeof(*m) + len);
    if (!m)
        return NULL;
    m->len = len;
    m->charge = len + MSG_OVERHEAD;
    m->sender = u;
    unix_hold(u);
    u->wmem += m->charge;
    m->pid = cr->pid;
    m->uid = cr->uid;
    m->gid = cr->gid;
    m->from_len = u->addr_len;
    memcpy(m->from, u->addr, u->addr_len);
    return m;
}

static void enqueue(struct unix_sock *r, struct unix_msg *m)
{
    if (r->tail)
        r->tail->next = m;
    else
        r->head = m;
    r->tail = m;
    r->qlen++;
    wake_up(&r->wq);
}

static struct unix_msg *dequeue(struct unix_sock *u)
{
    struct unix_msg *m = u->head;
    u->head = m->next;
    if (!u->head)
        u->tail = NULL;
    u->qlen--;
    wake_up(&u->wq); /* datagram senders waiting for a shorter queue */
    return m;
}

static s64 take_err(struct unix_sock *u)
{
    s64 e = u->err;
    u->err = 0;
    return -e;
}

/* Waits until the socket's sends hold less than SO_SNDBUF (sock_alloc_send_pskb):
 * 0, or the error a send reports. The caller's entry is on u->wq. */
static s64 wait_wmem(struct unix_sock *u, bool nonblock, s64 deadline)
{
    for (;;) {
        if (u->err)
            return take_err(u);
        if (u->shut & SHUT_SEND)
            return -EPIPE;
        if (u->wmem < u->sndbuf)
            return 0;
        if (nonblock)
            return -EAGAIN;
        s64 err = unix_sleep(deadline);
        if (err)
            return err;
    }
}

static s64 stream_send(struct unix_sock *u, struct unix_send_args *a, struct scm *fp,
                       const struct scm_creds *cr, bool nonblock)
{
    if (a->addr)
        return u->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
    if (!u->peer || u->state != US_CONNECTED)
        return -ENOTCONN;
    u64 total = iov_total(a->iov, a->cnt), sent = 0;
    s64 err = 0, deadline = unix_deadline(u->sndtimeo_ns);
    bool pipe = u->shut & SHUT_SEND;
    struct wait_entry e;
    wait_prepare(&e, &u->wq);
    while (!pipe && sent < total) {
        err = wait_wmem(u, nonblock, deadline);
        if (err == -EPIPE)
            pipe = true;
        if (err)
            break;
        u32 size = (u32)MIN(total - sent, (u64)MIN(STREAM_CHUNK, MAX(u->sndbuf / 2, 1024u) - 64));
        struct unix_msg *m = msg_new(u, size, cr);
        if (!m) {
            err = -ENOBUFS;
            break;
        }
        m->scm = fp; /* the descriptors go with the first part only */
        fp = NULL;
        struct unix_sock *other = u->peer;
        if (iov_copy_out(m->data, a->iov, a->cnt, sent, size)) {
            err = -EFAULT;
        } else if (other->dead || (other->shut & SHUT_RCV)) {
            pipe = true;
        } else {
            enqueue(other, m);
            sent += size;
            continue;
        }
        unix_msg_free(m);
        break;
    }
    wait_finish(&e);
    scm_free(fp);
    if (pipe) {
        if (!sent && !(a->flags & MSG_NOSIGNAL))
            signal_broken_pipe();
        err = -EPIPE;
    }
    return sent ? (s64)sent : err;
}

/* The receiver of a datagram: the peer, or the socket a name leads to (held). */
static s64 dgram_target(struct unix_sock *u, struct unix_send_args *a, struct unix_sock **out)
{
    if (a->addr)
        return unix_lookup(a->addr, a->alen, u->type, out);
    if (!u->peer)
        return -ENOTCONN;
    unix_hold(u->peer);
    *out = u->peer;
    return 0;
}

/* Whether other's queue is too long for one more datagram from u. */
static bool recvq_full(struct unix_sock *u, struct unix_sock *other)
{
    return other != u && other->peer != u && other->qlen > MAX_DGRAM_QLEN;
}

static s64 dgram_deliver(struct unix_sock *u, struct unix_send_args *a, struct unix_msg *m,
                         bool nonblock, s64 deadline)
{
    for (;;) {
        struct unix_sock *other;
        s64 err = dgram_target(u, a, &other);
        if (err)
            return err;
        if (other->peer && other->peer != u) {
            err = -EPERM;
        } else if (other->dead) {
            err = -EPIPE;
            if (u->type == SOCK_DGRAM && u->peer == other) {
                u->peer = NULL; /* Linux disconnects a dead peer */
                u->state = US_UNCONNECTED;
                unix_put(other);
                err = -ECONNREFUSED;
            } else if (u->type == SOCK_DGRAM) {
                err = -ECONNREFUSED; /* a dead socket has no name any more */
            }
        } else if (other->shut & SHUT_RCV) {
            err = -EPIPE;
        } else if (recvq_full(u, other)) {
            if (nonblock) {
                err = -EAGAIN;
            } else {
                struct wait_entry e;
                wait_prepare(&e, &other->wq);
                while (!other->dead && recvq_full(u, other) && !err)
                    err = unix_sleep(deadline);
                wait_finish(&e);
                unix_put(other);
                if (err)
                    return err;
                continue;
            }
        } else {
            enqueue(other, m);
            unix_put(other);
            return 0;
        }
        unix_put(other);
        return err;
    }
}

static s64 dgram_send(struct unix_sock *u, struct unix_send_args *a, struct scm *fp,
                      const struct scm_creds *cr, bool nonblock)
{
    s64 err;
    if (u->type == SOCK_SEQPACKET) {
        if (u->err)
            return take_err(u);
        if (u->state != US_CONNECTED)
            return -ENOTCONN;
        a->addr = NULL;
    } else if (a->addr) {
        u8 name[UNIX_ADDR_MAX + 1];
        if ((err = unix_addr_parse(a->addr, a->alen, name)) < 0)
            return err;
    } else if (!u->peer) {
        return -ENOTCONN;
    }
    if (u->passcred && (err = unix_autobind(u)))
        return err;
    u64 len = iov_total(a->iov, a->cnt);
    if (len + 32 > u->sndbuf)
        return -EMSGSIZE;
    s64 deadline = unix_deadline(u->sndtimeo_ns);
    struct wait_entry e;
    wait_prepare(&e, &u->wq);
    err = wait_wmem(u, nonblock, deadline);
    wait_finish(&e);
    if (err)
        return err;
    struct unix_msg *m = msg_new(u, (u32)len, cr);
    if (!m)
        return -ENOBUFS;
    if (iov_copy_out(m->data, a->iov, a->cnt, 0, len)) {
        unix_msg_free(m);
        return -EFAULT;
    }
    m->scm = fp;
    err = dgram_deliver(u, a, m, nonblock, deadline);
    if (err) {
        m->scm = NULL; /* the caller still owns fp */
        unix_msg_free(m);
        return err;
    }
    return (s64)len;
}

s64 unix_send(struct unix_sock *u, struct unix_send_args *a, bool nonblock)
{
    struct scm *fp;
    struct scm_creds cr;
    s64 err = scm_from_user(a->control, a->controllen, &fp, &cr);
    if (err)
        return err;
    if (a->flags & MSG_OOB) {
        scm_free(fp);
        return -EOPNOTSUPP;
    }
    nonblock = nonblock || (a->flags & MSG_DONTWAIT);
    if (u->type == SOCK_STREAM)
        return stream_send(u, a, fp, &cr, nonblock); /* takes fp */
    err = dgram_send(u, a, fp, &cr, nonblock);
    if (err < 0)
        scm_free(fp);
    return err;
}

/* ---- receiving ---- */

/* What a receive hands back beside the data: credentials, then descriptors, as
 * Linux's scm_recv orders them. Descriptors are installed even on a peek. */
static s64 deliver_scm(struct unix_sock *u, struct unix_recv_args *a, const struct scm_creds *cr,
                       const struct scm *fp)
{
    if (!a->control) {
        if (u->passcred || fp)
            a->msg_flags |= MSG_CTRUNC;
        return 0;
    }
    struct scm_sink k = {a->control, a->controllen, 0};
    s64 err = 0;
    if (u->passcred && cr)
        err = scm_put(&k, SCM_CREDENTIALS, cr, sizeof(*cr));
    if (!err && fp)
        err = scm_put_rights(&k, fp, a->flags & MSG_CMSG_CLOEXEC);
    a->msg_flags |= k.flags;
    a->controllen -= k.left; /* what was written */
    return err;
}

static void copy_from(struct unix_recv_args *a, const struct unix_msg *m)
{
    if (a->from) {
        memcpy(a->from, m->from, m->from_len);
        a->from_len = m->from_len;
    }
}

/* Waits for a message: 0 when one is queued, 1 at the end of the data, or -errno. */
static s64 wait_data(struct unix_sock *u, bool nonblock, s64 deadline, bool stream)
{
    for (;;) {
        if (u->head)
            return 0;
        if (u->err)
            return take_err(u);
        if (u->shut & SHUT_RCV)
            return stream || u->type == SOCK_SEQPACKET || !nonblock ? 1 : -EAGAIN;
        if (!stream && u->type == SOCK_SEQPACKET && u->state != US_CONNECTED)
            return -ENOTCONN;
        if (nonblock)
            return -EAGAIN;
        s64 err = unix_sleep(deadline);
        if (err)
            return err;
    }
}

static s64 dgram_recv(struct unix_sock *u, struct unix_recv_args *a, bool nonblock)
{
    if (u->type == SOCK_SEQPACKET && u->state != US_CONNECTED)
        return -ENOTCONN;
    if (u->err) /* a datagram read reports an error before data (sock_error) */
        return take_err(u);
    struct wait_entry e;
    wait_prepare(&e, &u->wq);
    s64 r = wait_data(u, nonblock, unix_deadline(u->rcvtimeo_ns), false);
    wait_finish(&e);
    if (r)
        return r > 0 ? 0 : r;
    struct unix_msg *m = u->head;
    u64 want = iov_total(a->iov, a->cnt);
    u64 n = MIN(want, (u64)m->len);
    if (n < m->len)
        a->msg_flags |= MSG_TRUNC;
    if (iov_copy_in(a->iov, a->cnt, 0, m->data, n))
        return -EFAULT;
    copy_from(a, m);
    s64 ret = (a->flags & MSG_TRUNC) ? m->len : (s64)n;
    struct scm_creds cr = {m->pid, m->uid, m->gid};
    if (a->flags & MSG_PEEK)
        return deliver_scm(u, a, &cr, m->scm) ?: ret;
    dequeue(u);
    s64 err = deliver_scm(u, a, &cr, m->scm);
    unix_msg_free(m);
    return err ?: ret;
}

static s64 stream_recv(struct unix_sock *u, struct unix_recv_args *a, bool nonblock)
{
    if (u->state != US_CONNECTED)
        return -EINVAL;
    u64 size = iov_total(a->iov, a->cnt), copied = 0;
    u64 target = (a->flags & MSG_WAITALL) ? size : 1;
    bool peek = a->flags & MSG_PEEK, named = false;
    s64 err = 0, deadline = unix_deadline(u->rcvtimeo_ns);
    struct scm *fp = NULL; /* descriptors taken off a message */
    struct scm_creds cred; /* the first message's, with SO_PASSCRED */
    bool have_cred = false;
    struct unix_msg *pm = NULL; /* peeking: where the walk is */
    struct wait_entry e;
    wait_prepare(&e, &u->wq);
    while (size) {
        struct unix_msg *m = peek ? (pm ? pm->next : u->head) : u->head;
        if (!m) {
            if (copied >= target || (peek && copied))
                break;
            s64 w = wait_data(u, nonblock, deadline, true);
            if (w) {
                err = w > 0 ? 0 : w;
                break;
            }
            continue;
        }
        if (!named && a->from) {
            copy_from(a, m);
            named = true;
        }
        if (!have_cred) {
            cred = (struct scm_creds){m->pid, m->uid, m->gid};
            have_cred = true;
        }
        u64 chunk = MIN((u64)(m->len - m->off), size);
        if (iov_copy_in(a->iov, a->cnt, copied, m->data + m->off, chunk)) {
            err = -EFAULT;
            break;
        }
        copied += chunk;
        size -= chunk;
        if (peek) {
            pm = m;
            if (m->scm) {
                fp = m->scm;
                break;
            }
            continue;
        }
        m->off += (u32)chunk;
        if (m->scm) {
            fp = m->scm;
            m->scm = NULL;
        }
        if (m->off < m->len)
            break;
        unix_msg_free(dequeue(u));
        if (fp)
            break;
    }
    wait_finish(&e);
    s64 serr = deliver_scm(u, a, have_cred ? &cred : NULL, fp);
    if (!peek)
        scm_free(fp);
    if (copied)
        return (s64)copied;
    return err ? err : serr;
}

s64 unix_recv(struct unix_sock *u, struct unix_recv_args *a, bool nonblock)
{
    if (a->flags & MSG_OOB)
        return -EOPNOTSUPP;
    nonblock = nonblock || (a->flags & MSG_DONTWAIT);
    if (u->type == SOCK_STREAM)
        return stream_recv(u, a, nonblock);
    return dgram_recv(u, a, nonblock);
}

/* ---- readiness ---- */

static bool writable(struct unix_sock *u)
{
    return u->state != US_LISTENING && (u64)u->wmem * 4 <= u->sndbuf;
}

u32 unix_poll(struct unix_sock *u)
{
    u32 mask = 0;
    if (u->err)
        mask |= POLLERR;
    if (u->shut == (SHUT_RCV | SHUT_SEND))
        mask |= POLLHUP;
    if (u->shut & SHUT_RCV)
        mask |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (u->head || u->conns)
        mask |= POLLIN | POLLRDNORM;
    if (u->type != SOCK_DGRAM && u->state == US_UNCONNECTED)
        mask |= POLLHUP;
    bool w = writable(u);
    if (w && u->type != SOCK_STREAM && u->peer && recvq_full(u, u->peer))
        w = false;
    if (w)
        mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return mask;
}

u32 unix_inq(struct unix_sock *u)
{
    if (u->type == SOCK_DGRAM)
        return u->head ? u->head->len : 0;
    u32 n = 0;
    for (struct unix_msg *m = u->head; m; m = m->next)
        n += m->len - m->off;
    return n;
}
