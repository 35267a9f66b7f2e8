/*
 * The socket system calls: argument checks and user memory here, the protocol in
 * inet.c. AF_UNIX (socketpair, paths, SCM_RIGHTS) is not implemented yet: socketpair
 * is ENOSYS and socket(AF_UNIX) EAFNOSUPPORT, as a kernel built without it answers.
 */
#include "net/socket.h"
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

/* The socket behind fd: *s, or -EBADF / -ENOTSOCK. */
static s64 sock_fd(u64 fd, struct sock **s, struct file **f)
{
    *f = fd_get((s64)fd);
    if (!*f)
        return -EBADF;
    *s = sock_of_file(*f);
    return *s ? 0 : -ENOTSOCK;
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

SYSCALL3(socket, domain, type, protocol)
{
    u32 kind = (u32)type & SOCK_TYPE_MASK;
    if (type & ~(u64)(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
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
    return domain == AF_UNIX ? -ENOSYS : -EOPNOTSUPP;
}

SYSCALL3(bind, fd, uaddr, len)
{
    struct sock *s;
    struct file *f;
    u8 addr[SOCKADDR_MAX];
    s64 err = sock_fd(fd, &s, &f);
    if (!err)
        err = addr_in(uaddr, len, addr);
    return err ? err : inet_bind(s, addr, (u32)len);
}

SYSCALL2(listen, fd, backlog)
{
    struct sock *s;
    struct file *f;
    s64 err = sock_fd(fd, &s, &f);
    return err ? err : inet_listen(s, (s32)backlog < 0 ? 0 : (u32)backlog);
}

SYSCALL4(accept4, fd, uaddr, ulen, flags)
{
    struct sock *s, *n;
    struct file *f;
    if (flags & ~(u64)(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    s64 err = sock_fd(fd, &s, &f);
    if (err)
        return err;
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
    struct file *f;
    u8 addr[SOCKADDR_MAX];
    s64 err = sock_fd(fd, &s, &f);
    if (!err)
        err = addr_in(uaddr, len, addr);
    return err ? err : inet_connect(s, addr, (u32)len, f->flags & O_NONBLOCK);
}

static s64 name_of(u64 fd, u64 uaddr, u64 ulen, bool peer)
{
    struct sock *s;
    struct file *f;
    u8 addr[SOCKADDR_MAX];
    u32 len = 0;
    s64 err = sock_fd(fd, &s, &f);
    if (!err)
        err = inet_name(s, peer, addr, &len);
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

/* One message out: the iovec list and the destination from user memory. */
static s64 send_one(struct sock *s, struct file *f, const struct linux_msghdr *m, u32 flags)
{
    if (m->iovlen > UIO_MAXIOV)
        return -EMSGSIZE;
    u8 addr[SOCKADDR_MAX];
    if (m->name && m->namelen) {
        s64 err = addr_in(m->name, m->namelen, addr);
        if (err)
            return err;
    }
    struct linux_iovec *iov = kmalloc((m->iovlen ? m->iovlen : 1) * sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    s64 r = copy_from_user(iov, m->iov, m->iovlen * sizeof(*iov)) ? -EFAULT : 0;
    if (!r)
        r = inet_send(s, iov, (unsigned)m->iovlen, flags, m->name && m->namelen ? addr : NULL,
                      m->namelen, (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT));
    kfree(iov);
    return r;
}

static s64 recv_one(struct sock *s, struct file *f, struct linux_msghdr *m, u32 flags)
{
    if (m->iovlen > UIO_MAXIOV)
        return -EMSGSIZE;
    struct linux_iovec *iov = kmalloc((m->iovlen ? m->iovlen : 1) * sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    u8 from[SOCKADDR_MAX];
    u32 flen = 0;
    s64 r = copy_from_user(iov, m->iov, m->iovlen * sizeof(*iov)) ? -EFAULT : 0;
    if (!r)
        r = inet_recv(s, iov, (unsigned)m->iovlen, flags, from, &flen,
                      (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT));
    kfree(iov);
    if (r < 0)
        return r;
    if (m->name) {
        if (copy_to_user(m->name, from, MIN(m->namelen, flen)))
            return -EFAULT;
        m->namelen = flen;
    }
    m->controllen = 0; /* no ancillary data over inet sockets yet */
    m->flags = 0;
    return r;
}

SYSCALL6(sendto, fd, buf, len, flags, uaddr, alen)
{
    struct sock *s;
    struct file *f;
    s64 err = sock_fd(fd, &s, &f);
    if (err)
        return err;
    struct linux_iovec iov = {buf, len};
    if ((s64)alen < 0 || alen > SOCKADDR_MAX)
        return -EINVAL;
    u8 addr[SOCKADDR_MAX];
    if (uaddr && alen && (err = addr_in(uaddr, alen, addr)))
        return err;
    return inet_send(s, &iov, 1, (u32)flags, uaddr && alen ? addr : NULL, (u32)alen,
                     (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT));
}

SYSCALL6(recvfrom, fd, buf, len, flags, uaddr, ulen)
{
    struct sock *s;
    struct file *f;
    s64 err = sock_fd(fd, &s, &f);
    if (err)
        return err;
    struct linux_iovec iov = {buf, len};
    u8 from[SOCKADDR_MAX];
    u32 flen = 0;
    s64 r = inet_recv(s, &iov, 1, (u32)flags, from, &flen,
                      (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT));
    if (r >= 0 && uaddr && (err = addr_out(uaddr, ulen, from, flen)))
        return err;
    return r;
}

SYSCALL3(sendmsg, fd, umsg, flags)
{
    struct sock *s;
    struct file *f;
    struct linux_msghdr m;
    s64 err = sock_fd(fd, &s, &f);
    if (err)
        return err;
    if (copy_from_user(&m, umsg, sizeof(m)))
        return -EFAULT;
    return send_one(s, f, &m, (u32)flags);
}

SYSCALL3(recvmsg, fd, umsg, flags)
{
    struct sock *s;
    struct file *f;
    struct linux_msghdr m;
    s64 err = sock_fd(fd, &s, &f);
    if (err)
        return err;
    if (copy_from_user(&m, umsg, sizeof(m)))
        return -EFAULT;
    s64 r = recv_one(s, f, &m, (u32)flags);
    if (r >= 0 && copy_to_user(umsg, &m, sizeof(m)))
        return -EFAULT;
    return r;
}

/* sendmmsg and recvmmsg: message by message; after the first, only what is there
 * already (recvmmsg waits for the first only, as with MSG_WAITFORONE). */
static s64 mmsg(u64 fd, u64 uvec, u64 vlen, u64 flags, bool sending)
{
    struct sock *s;
    struct file *f;
    s64 err = sock_fd(fd, &s, &f);
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
        s64 r =
            sending ? send_one(s, f, &mm.hdr, fl) : recv_one(s, f, &mm.hdr, fl & ~MSG_WAITFORONE);
        if (r < 0)
            return done ? (s64)done : r;
        mm.len = (u32)r;
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
    struct sock *s;
    struct file *f;
    s64 err = sock_fd(fd, &s, &f);
    return err ? err : inet_shutdown(s, how);
}

SYSCALL5(setsockopt, fd, level, name, uval, len)
{
    struct sock *s;
    struct file *f;
    u8 val[16];
    s64 err = sock_fd(fd, &s, &f);
    if (err)
        return err;
    if ((s32)len < 0)
        return -EINVAL;
    u32 n = MIN((u32)len, (u32)sizeof(val));
    if (copy_from_user(val, uval, n))
        return -EFAULT;
    return inet_setsockopt(s, level, name, val, n);
}

SYSCALL5(getsockopt, fd, level, name, uval, ulen)
{
    struct sock *s;
    struct file *f;
    u8 val[16];
    s32 len;
    s64 err = sock_fd(fd, &s, &f);
    if (err)
        return err;
    if (copy_from_user(&len, ulen, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    u32 n = MIN((u32)len, (u32)sizeof(val));
    err = inet_getsockopt(s, level, name, val, &n);
    if (err)
        return err;
    if (copy_to_user(uval, val, n) || copy_to_user(ulen, &n, sizeof(n)))
        return -EFAULT;
    return 0;
}
