/*
 * The socket system calls: argument checks and user memory here, the protocols in
 * inet.c (AF_INET, AF_INET6, over the monitor) and unix.c (AF_UNIX, inside the shim),
 * chosen by the socket's family.
 */
#include "net/socket.h"
#include "net/unix.h"
#include "fs/file.h"
#include "kernel/syscall.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"

#define UIO_MAXIOV 1024
#define MMSG_MAX   1024

/* struct msghdr and struct mmsghdr, as x86-64 Linux lays them out */
struct linux_msghdr {
    u64 name;
    u32 namelen, pad0;
    u64 iov, iovlen, control, controllen;
    u32 flags, pad1;
};
struct linux_mmsghdr {
    struct linux_msghdr hdr;
    u32 len, pad;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "msghdr");
_Static_assert(sizeof(struct linux_mmsghdr) == 64, "mmsghdr");

/* The socket behind fd: an inet one in *s, or an AF_UNIX one in *u (then *s is NULL);
 * -EBADF or -ENOTSOCK. A caller that may sleep holds *u meanwhile, since another
 * thread may close fd. */
static s64 sock_fd(u64 fd, struct sock **s, struct unix_sock **u, struct file **f)
{
    *f = fd_get((s64)fd);
    if (!*f)
        return -EBADF;
    *s = sock_of_file(*f);
    *u = *s ? NULL : unix_of_file(*f);
    return *s || *u ? 0 : -ENOTSOCK;
}

static s64 addr_in(u64 uaddr, u64 len, u8 *buf)
{
    if ((s64)len < 0 || len > SOCKADDR_MAX)
        return -EINVAL;
    return copy_from_user(buf, uaddr, len) ? -EFAULT : 0;
}

/* Writes an address back as Linux does: truncated to *ulen, the full length in *ulen. */
static s64 addr_out(u64 uaddr, u64 ulen, const u8 *addr, u32 len)
{
    if (!uaddr)
        return 0;
    s32 room;
    if (copy_from_user(&room, ulen, sizeof(room)))
        return -EFAULT;
    if (room < 0)
        return -EINVAL;
    if (copy_to_user(uaddr, addr, MIN((u32)room, len)) || copy_to_user(ulen, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}

static s64 install(struct sock *s, u32 flags)
{
    struct file *f = sock_file_new(s, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
    if (!f) {
        inet_close(s);
        return -ENOMEM;
    }
    s64 fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
    file_put(f);
    return fd;
}

/* AF_UNIX's types and protocol, checked in Linux's order (unix_create) */
static s64 unix_kind(u32 kind, u64 protocol)
{
    if (protocol != 0 && protocol != AF_UNIX)
        return -EPROTONOSUPPORT;
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET && kind != SOCK_RAW)
        return -ESOCKTNOSUPPORT;
    return 0;
}

SYSCALL3(socket, domain, type, protocol)
{
    u32 kind = (u32)type & SOCK_TYPE_MASK;
    if (type & ~(u64)(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (domain == AF_UNIX) {
        struct unix_sock *u;
        s64 err = unix_kind(kind, protocol);
        if (!err)
            err = unix_create(kind, &u);
        return err ? err : unix_install(u, (u32)type);
    }
    if (domain != AF_INET && domain != AF_INET6)
        return -EAFNOSUPPORT;
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (protocol != 0 && protocol != (kind == SOCK_STREAM ? 6u : 17u))
        return -EPROTONOSUPPORT;
    struct sock *s;
    s64 err = inet_create((u32)domain, kind, &s);
    return err ? err : install(s, (u32)type);
}

SYSCALL4(socketpair, domain, type, protocol, sv)
{
    u32 kind = (u32)type & SOCK_TYPE_MASK;
    if (type & ~(u64)(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (domain != AF_UNIX)
        return domain == AF_INET || domain == AF_INET6 ? -EOPNOTSUPP : -EAFNOSUPPORT;
    struct unix_sock *a, *b;
    s64 err = unix_kind(kind, protocol);
    if (!err)
        err = unix_pair(kind == SOCK_RAW ? SOCK_DGRAM : kind, &a, &b);
    if (err)
        return err;
    s64 fa = unix_install(a, (u32)type);
    if (fa < 0) {
        unix_discard(b);
        return fa;
    }
    s64 fb = unix_install(b, (u32)type);
    if (fb < 0) {
        fd_close(fa);
        return fb;
    }
    s32 fds[2] = {(s32)fa, (s32)fb};
    if (copy_to_user(sv, fds, sizeof(fds))) {
        fd_close(fa);
        fd_close(fb);
        return -EFAULT;
    }
    return 0;
}

SYSCALL3(bind, fd, uaddr, len)
{
    struct sock *s;
    struct unix_sock *u;
    struct file *f;
    u8 addr[SOCKADDR_MAX] = {0};
    s64 err = sock_fd(fd, &s, &u, &f);
    if (!err)
        err = addr_in(uaddr, len, addr);
    if (err)
        return err;
    return u ? unix_bind(u, addr, (u32)len) : inet_bind(s, addr, (u32)len);
}

SYSCALL2(listen, fd, backlog)
{
    struct sock *s;
    struct unix_sock *u;
    struct file *f;
    s64 err = sock_fd(fd, &s, &u, &f);
    if (err)
        return err;
    u32 n = (s32)backlog < 0 ? 0 : (u32)backlog;
    return u ? unix_listen(u, n) : inet_listen(s, n);
}

static s64 accept_unix(struct unix_sock *u, struct file *f, u64 uaddr, u64 ulen, u64 flags)
{
    struct unix_sock *n;
    s64 err = unix_accept(u, f->flags & O_NONBLOCK, &n);
    if (err)
        return err;
    u8 peer[UNIX_ADDR_MAX + 1];
    u32 plen = 0;
    unix_name(n, true, peer, &plen);
    s64 nfd = unix_install(n, (u32)flags);
    if (nfd >= 0 && addr_out(uaddr, ulen, peer, plen)) {
        fd_close(nfd);
        return -EFAULT;
    }
    return nfd;
}

SYSCALL4(accept4, fd, uaddr, ulen, flags)
{
    struct sock *s, *n;
    struct unix_sock *u;
    struct file *f;
    if (flags & ~(u64)(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    s64 err = sock_fd(fd, &s, &u, &f);
    if (err)
        return err;
    if (u)
        return accept_unix(u, f, uaddr, ulen, flags);
    u8 peer[SOCKADDR_MAX];
    u32 plen = 0;
    err = inet_accept(s, f->flags & O_NONBLOCK, &n, peer, &plen);
    if (err)
        return err;
    s64 nfd = install(n, (u32)flags);
    if (nfd >= 0 && addr_out(uaddr, ulen, peer, plen)) {
        fd_close(nfd);
        return -EFAULT;
    }
    return nfd;
}

SYSCALL3(accept, fd, uaddr, ulen)
{
    return sys_accept4(fd, uaddr, ulen, 0, 0, 0);
}

SYSCALL3(connect, fd, uaddr, len)
{
    struct sock *s;
    struct unix_sock *u;
    struct file *f;
    u8 addr[SOCKADDR_MAX] = {0};
    s64 err = sock_fd(fd, &s, &u, &f);
    if (!err)
        err = addr_in(uaddr, len, addr);
    if (err)
        return err;
    if (!u)
        return inet_connect(s, addr, (u32)len, f->flags & O_NONBLOCK);
    return unix_connect(u, addr, (u32)len, f->flags & O_NONBLOCK);
}

static s64 name_of(u64 fd, u64 uaddr, u64 ulen, bool peer)
{
    struct sock *s;
    struct unix_sock *u;
    struct file *f;
    u8 addr[SOCKADDR_MAX];
    u32 len = 0;
    s64 err = sock_fd(fd, &s, &u, &f);
    if (!err)
        err = u ? unix_name(u, peer, addr, &len) : inet_name(s, peer, addr, &len);
    return err ? err : addr_out(uaddr, ulen, addr, len);
}

SYSCALL3(getsockname, fd, uaddr, ulen)
{
    return name_of(fd, uaddr, ulen, false);
}

SYSCALL3(getpeername, fd, uaddr, ulen)
{
    return name_of(fd, uaddr, ulen, true);
}

/* The socket a call works on, of either family. */
struct sock_ref {
    struct sock *s;
    struct unix_sock *u;
    struct file *f;
};

static bool nonblocking(const struct sock_ref *r, u32 flags)
{
    return (r->f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

static s64 send_iov(const struct sock_ref *r, const struct linux_iovec *iov, unsigned cnt,
                    u32 flags, const u8 *addr, u32 alen, u64 control, u64 controllen)
{
    if (!r->u)
        return inet_send(r->s, iov, cnt, flags, addr, alen, nonblocking(r, flags));
    struct unix_send_args a = {iov, cnt, flags, addr, alen, control, controllen};
    return unix_send(r->u, &a, nonblocking(r, flags));
}

/* One message out: the iovec list and the destination from user memory. */
static s64 send_one(const struct sock_ref *r, const struct linux_msghdr *m, u32 flags)
{
    if (m->iovlen > UIO_MAXIOV)
        return -EMSGSIZE;
    u8 addr[SOCKADDR_MAX] = {0};
    if (m->name && m->namelen) {
        s64 err = addr_in(m->name, m->namelen, addr);
        if (err)
            return err;
    }
    if (r->u && m->controllen > 0x7fffffff)
        return -ENOBUFS;
    struct linux_iovec *iov = kmalloc((m->iovlen ? m->iovlen : 1) * sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    s64 n = copy_from_user(iov, m->iov, m->iovlen * sizeof(*iov)) ? -EFAULT : 0;
    if (!n)
        n = send_iov(r, iov, (unsigned)m->iovlen, flags, m->name && m->namelen ? addr : NULL,
                     m->namelen, m->control, m->controllen);
    kfree(iov);
    return n;
}

static s64 recv_iov(const struct sock_ref *r, const struct linux_iovec *iov, unsigned cnt,
                    u32 flags, u8 *from, u32 *flen, struct linux_msghdr *m)
{
    if (!r->u) {
        if (m) {
            m->controllen = 0; /* no ancillary data over inet sockets yet */
            m->flags = 0;
        }
        return inet_recv(r->s, iov, cnt, flags, from, flen, nonblocking(r, flags));
    }
    struct unix_recv_args a = {iov, cnt, flags, from, 0, 0, 0, flags & MSG_CMSG_CLOEXEC};
    if (m) {
        a.control = m->control;
        a.controllen = m->controllen;
    }
    s64 n = unix_recv(r->u, &a, nonblocking(r, flags));
    *flen = a.from_len;
    if (m && n >= 0) {
        m->controllen = a.controllen;
        m->flags = a.msg_flags;
    }
    return n;
}

static s64 recv_one(const struct sock_ref *r, struct linux_msghdr *m, u32 flags)
{
    if (m->iovlen > UIO_MAXIOV)
        return -EMSGSIZE;
    struct linux_iovec *iov = kmalloc((m->iovlen ? m->iovlen : 1) * sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    u8 from[SOCKADDR_MAX];
    u32 flen = 0;
    s64 n = copy_from_user(iov, m->iov, m->iovlen * sizeof(*iov)) ? -EFAULT : 0;
    if (!n)
        n = recv_iov(r, iov, (unsigned)m->iovlen, flags, from, &flen, m);
    kfree(iov);
    if (n < 0)
        return n;
    if (m->name) {
        if (copy_to_user(m->name, from, MIN(m->namelen, flen)))
            return -EFAULT;
        m->namelen = flen;
    }
    return n;
}

static s64 ref_fd(u64 fd, struct sock_ref *r)
{
    return sock_fd(fd, &r->s, &r->u, &r->f);
}

SYSCALL6(sendto, fd, buf, len, flags, uaddr, alen)
{
    struct sock_ref r;
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    struct linux_iovec iov = {buf, len};
    if ((s64)alen < 0 || alen > SOCKADDR_MAX)
        return -EINVAL;
    u8 addr[SOCKADDR_MAX] = {0};
    if (uaddr && alen && (err = addr_in(uaddr, alen, addr)))
        return err;
    return send_iov(&r, &iov, 1, (u32)flags, uaddr && alen ? addr : NULL, (u32)alen, 0, 0);
}

SYSCALL6(recvfrom, fd, buf, len, flags, uaddr, ulen)
{
    struct sock_ref r;
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    struct linux_iovec iov = {buf, len};
    u8 from[SOCKADDR_MAX];
    u32 flen = 0;
    s64 n = recv_iov(&r, &iov, 1, (u32)flags, from, &flen, NULL);
    if (n >= 0 && uaddr && (err = addr_out(uaddr, ulen, from, flen)))
        return err;
    return n;
}

SYSCALL3(sendmsg, fd, umsg, flags)
{
    struct sock_ref r;
    struct linux_msghdr m;
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    if (copy_from_user(&m, umsg, sizeof(m)))
        return -EFAULT;
    return send_one(&r, &m, (u32)flags);
}

SYSCALL3(recvmsg, fd, umsg, flags)
{
    struct sock_ref r;
    struct linux_msghdr m;
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    if (copy_from_user(&m, umsg, sizeof(m)))
        return -EFAULT;
    s64 n = recv_one(&r, &m, (u32)flags);
    if (n >= 0 && copy_to_user(umsg, &m, sizeof(m)))
        return -EFAULT;
    return n;
}

/* sendmmsg and recvmmsg: message by message; after the first, only what is there
 * already (recvmmsg waits for the first only, as with MSG_WAITFORONE). */
static s64 mmsg(u64 fd, u64 uvec, u64 vlen, u64 flags, bool sending)
{
    struct sock_ref r;
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    vlen = MIN(vlen, (u64)MMSG_MAX);
    u64 done = 0;
    for (; done < vlen; done++) {
        struct linux_mmsghdr mm;
        u64 at = uvec + done * sizeof(mm);
        if (copy_from_user(&mm, at, sizeof(mm)))
            return done ? (s64)done : -EFAULT;
        u32 fl = (u32)flags | (done ? MSG_DONTWAIT : 0);
        s64 n = sending ? send_one(&r, &mm.hdr, fl) : recv_one(&r, &mm.hdr, fl & ~MSG_WAITFORONE);
        if (n < 0)
            return done ? (s64)done : n;
        mm.len = (u32)n;
        if (copy_to_user(at, &mm, sizeof(mm)))
            return done ? (s64)done : -EFAULT;
    }
    return (s64)done;
}

SYSCALL4(sendmmsg, fd, uvec, vlen, flags)
{
    return mmsg(fd, uvec, vlen, flags, true);
}

SYSCALL5(recvmmsg, fd, uvec, vlen, flags, timeout)
{
    return mmsg(fd, uvec, vlen, flags, false);
}

SYSCALL2(shutdown, fd, how)
{
    struct sock_ref r;
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    return r.u ? unix_shutdown(r.u, how) : inet_shutdown(r.s, how);
}

SYSCALL5(setsockopt, fd, level, name, uval, len)
{
    struct sock_ref r;
    u8 val[16];
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    if ((s32)len < 0)
        return -EINVAL;
    u32 n = MIN((u32)len, (u32)sizeof(val));
    if (copy_from_user(val, uval, n))
        return -EFAULT;
    return r.u ? unix_setsockopt(r.u, level, name, val, n)
               : inet_setsockopt(r.s, level, name, val, n);
}

SYSCALL5(getsockopt, fd, level, name, uval, ulen)
{
    struct sock_ref r;
    u8 val[16];
    s32 len;
    s64 err = ref_fd(fd, &r);
    if (err)
        return err;
    if (copy_from_user(&len, ulen, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    u32 n = MIN((u32)len, (u32)sizeof(val));
    err = r.u ? unix_getsockopt(r.u, level, name, val, &n)
              : inet_getsockopt(r.s, level, name, val, &n);
    if (err)
        return err;
    if (copy_to_user(uval, val, n) || copy_to_user(ulen, &n, sizeof(n)))
        return -EFAULT;
    return 0;
}
