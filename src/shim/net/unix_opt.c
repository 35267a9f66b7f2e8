/*
 * AF_UNIX socket options (unix.h): the SOL_SOCKET ones Linux's AF_UNIX sockets answer.
 * AF_UNIX has no level of its own: any other level is EOPNOTSUPP.
 */
#include "net/unix.h"
#include "net/socket.h"
#include "lib/lib.h"
#include "uapi/errno.h"

#define BUF_MAX         212992 /* net.core.wmem_max and rmem_max */
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304

#define SOL_SOCKET    1
#define SO_REUSEADDR  2
#define SO_TYPE       3
#define SO_ERROR      4
#define SO_BROADCAST  6
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_KEEPALIVE  9
#define SO_PASSCRED   16
#define SO_PEERCRED   17
#define SO_RCVTIMEO   20
#define SO_SNDTIMEO   21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39

/* SO_SNDBUF and SO_RCVBUF: doubled for the kernel's bookkeeping and clamped, as Linux */
static u32 buf_size(s32 v, u32 min)
{
    u32 n = v < 0 ? 0 : MIN((u32)v, (u32)BUF_MAX);
    return MAX(n * 2, min);
}

s64 unix_setsockopt(struct unix_sock *u, u64 level, u64 name, const u8 *val, u32 len)
{
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    if (name == SO_RCVTIMEO || name == SO_SNDTIMEO)
        return sock_set_timeout(name == SO_RCVTIMEO ? &u->rcvtimeo_ns : &u->sndtimeo_ns, val, len);
    s32 v;
    if (len < sizeof(v))
        return -EINVAL;
    memcpy(&v, val, sizeof(v));
    switch (name) {
    case SO_SNDBUF:
        u->sndbuf = buf_size(v, SOCK_MIN_SNDBUF);
        wake_up(&u->wq);
        return 0;
    case SO_RCVBUF:
        u->rcvbuf = buf_size(v, SOCK_MIN_RCVBUF);
        return 0;
    case SO_PASSCRED:
        u->passcred = v != 0;
        return 0;
    case SO_REUSEADDR:
    case SO_KEEPALIVE:
    case SO_BROADCAST:
        /* accepted and meaningless for AF_UNIX, as on Linux */
        return 0;
    }
    return -ENOPROTOOPT;
}

s64 unix_getsockopt(struct unix_sock *u, u64 level, u64 name, u8 *val, u32 *len)
{
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    switch (name) {
    case SO_TYPE:
        return sock_put_int(val, len, u->type);
    case SO_DOMAIN:
        return sock_put_int(val, len, AF_UNIX);
    case SO_PROTOCOL:
        return sock_put_int(val, len, 0);
    case SO_ACCEPTCONN:
        return sock_put_int(val, len, u->state == US_LISTENING);
    case SO_ERROR: {
        s32 e = u->err;
        u->err = 0;
        return sock_put_int(val, len, e);
    }
    case SO_SNDBUF:
        return sock_put_int(val, len, u->sndbuf);
    case SO_RCVBUF:
        return sock_put_int(val, len, u->rcvbuf);
    case SO_PASSCRED:
        return sock_put_int(val, len, u->passcred);
    case SO_REUSEADDR:
    case SO_KEEPALIVE:
    case SO_BROADCAST:
        return sock_put_int(val, len, 0);
    case SO_PEERCRED: {
        s32 c[3] = {0, -1, -1}; /* no peer: pid 0, uid and gid -1 */
        if (u->has_peercred) {
            c[0] = u->peer_pid;
            c[1] = u->peer_uid;
            c[2] = u->peer_gid;
        }
        u32 n = MIN(*len, (u32)sizeof(c));
        memcpy(val, c, n);
        *len = n;
        return 0;
    }
    case SO_RCVTIMEO:
    case SO_SNDTIMEO:
        return sock_put_timeout(val, len, name == SO_RCVTIMEO ? u->rcvtimeo_ns : u->sndtimeo_ns);
    }
    return -ENOPROTOOPT;
}
