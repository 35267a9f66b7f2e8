/* Sockets as open files (socket.h): read, write, poll and the readiness queue, so
 * that descriptors, readv/writev, poll and epoll work on them as on any file. */
#include "net/socket.h"
#include "fs/file.h"
#include "lib/lib.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define SOCKFS_DEV 0x8 /* what Linux's sockfs reports as st_dev */

static struct sock *sk(struct file *f)
{
    return (struct sock *)f->priv;
}

static s64 sock_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    if (off >= 0)
        return -ESPIPE;
    return inet_recv(sk(f), iov, cnt, 0, NULL, NULL, f->flags & O_NONBLOCK);
}

static s64 sock_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    if (off >= 0)
        return -ESPIPE;
    return inet_send(sk(f), iov, cnt, 0, NULL, 0, f->flags & O_NONBLOCK);
}

s64 sock_stat_ino(u64 ino, struct linux_stat *st)
{
    memzero(st, sizeof(*st));
    st->st_mode = S_IFSOCK | 0777;
    st->st_dev = SOCKFS_DEV;
    st->st_ino = ino;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

size_t sock_link_name_ino(u64 ino, char *buf, size_t size)
{
    int n = snprintf(buf, size, "socket:[%lu]", ino);
    return n < 0 ? 0 : MIN((size_t)n, size - 1);
}

static s64 sock_stat(struct file *f, struct linux_stat *st)
{
    return sock_stat_ino(sk(f)->ino, st);
}

static size_t sock_link_name(struct file *f, char *buf, size_t size)
{
    return sock_link_name_ino(sk(f)->ino, buf, size);
}

s64 sock_set_timeout(s64 *ns, const u8 *val, u32 len)
{
    s64 tv[2];
    if (len < sizeof(tv))
        return -EINVAL;
    memcpy(tv, val, sizeof(tv));
    if (tv[1] < 0 || tv[1] >= 1000000)
        return -EDOM;
    /* a negative time is no timeout, as on Linux; a huge one is forever */
    *ns = tv[0] < 0 || tv[0] > (1ll << 32) ? 0 : tv[0] * 1000000000 + tv[1] * 1000;
    return 0;
}

s64 sock_put_timeout(u8 *val, u32 *len, s64 ns)
{
    s64 tv[2] = {ns / 1000000000, ns % 1000000000 / 1000};
    u32 n = MIN(*len, (u32)sizeof(tv));
    memcpy(val, tv, n);
    *len = n;
    return 0;
}

s64 sock_put_int(u8 *val, u32 *len, s64 v)
{
    s32 i = (s32)v;
    u32 n = MIN(*len, (u32)sizeof(i));
    memcpy(val, &i, n);
    *len = n;
    return 0;
}

static u32 sock_poll(struct file *f)
{
    return inet_poll(sk(f));
}

static struct wait_queue *sock_wait_queue(struct file *f)
{
    return &sk(f)->w.wq;
}

static void sock_release(struct file *f)
{
    inet_close(sk(f));
}

static const struct file_ops sock_ops = {
    .read = sock_read,
    .write = sock_write,
    .stat = sock_stat,
    .link_name = sock_link_name,
    .poll = sock_poll,
    .wait_queue = sock_wait_queue,
    .release = sock_release,
};

struct sock *sock_of_file(struct file *f)
{
    return f && f->ops == &sock_ops ? sk(f) : NULL;
}

struct file *sock_file_new(struct sock *s, u32 flags)
{
    return file_new(&sock_ops, O_RDWR | (flags & O_NONBLOCK), (u64)s);
}
