/*
 * Sockets: an open file kind (fs/file.h) whose operations are forwarded to the
 * monitor, which holds one host socket per guest socket (docs/network.md). The shim
 * checks every address against the manifest's declarations before the monitor does
 * it again; it waits for readiness on the socket's host_watch (kernel/host_events.h),
 * never inside the monitor.
 */
#ifndef SHIM_NET_SOCKET_H
#define SHIM_NET_SOCKET_H

#include "lib/types.h"
#include "kernel/host_events.h"
#include "mm/iov.h"

#define AF_UNIX  1
#define AF_INET  2
#define AF_INET6 10

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK  04000
#define SOCK_CLOEXEC   02000000

#define MSG_OOB        0x1
#define MSG_PEEK       0x2
#define MSG_TRUNC      0x20
#define MSG_DONTWAIT   0x40
#define MSG_WAITALL    0x100
#define MSG_NOSIGNAL   0x4000
#define MSG_WAITFORONE 0x10000

#define SOCKADDR_MAX 128u /* struct sockaddr_storage */

enum sock_state { SK_FRESH, SK_CONNECTING, SK_CONNECTED, SK_LISTENING };

struct sock {
    struct host_watch w; /* the monitor's handle is w.handle */
    u16 family, type;
    u8 proto; /* CWI_NET_TCP or CWI_NET_UDP */
    u8 state;
    bool bound;
    bool v6only, reuseport; /* as set (IPV6_V6ONLY, SO_REUSEPORT): for bind's clashes */
    u16 guest_port;         /* accepted: the listener's port, which getsockname reports */
    u8 bound_addr[28];
    u32 bound_len;
    s64 rcvtimeo_ns, sndtimeo_ns; /* 0: none */
    u64 ino;
    /* UDP: the last sources heard, which the socket may answer (inet.c) */
    u32 nheard;
    u8 heard[16][20];
};

struct file;

/* The socket behind a file, or NULL if it is no socket. */
struct sock *sock_of_file(struct file *f);
/* A new socket file for (family, type); the file or NULL with *err. */
struct file *sock_file_new(struct sock *s, u32 flags);

/* What both families share (socket.c): fstat and /proc/self/fd of a socket inode,
 * SO_RCVTIMEO/SO_SNDTIMEO as a struct timeval, and an int option's value truncated
 * to the caller's length, as Linux's getsockopt does. */
struct linux_stat;
s64 sock_stat_ino(u64 ino, struct linux_stat *st);
size_t sock_link_name_ino(u64 ino, char *buf, size_t size);
s64 sock_set_timeout(s64 *ns, const u8 *val, u32 len);
s64 sock_put_timeout(u8 *val, u32 *len, s64 ns);
s64 sock_put_int(u8 *val, u32 *len, s64 v);

/* inet.c: the operations over hypercalls, with the declarations checked. Each
 * returns a value or -errno; nonblock says whether to answer EAGAIN instead of
 * waiting. */
s64 inet_create(u32 family, u32 type, struct sock **out);
s64 inet_bind(struct sock *s, const u8 *addr, u32 len);
s64 inet_listen(struct sock *s, u64 backlog);
s64 inet_accept(struct sock *s, bool nonblock, struct sock **out, u8 *peer, u32 *peer_len);
s64 inet_connect(struct sock *s, const u8 *addr, u32 len, bool nonblock);
s64 inet_send(struct sock *s, const struct linux_iovec *iov, unsigned cnt, u32 flags,
              const u8 *addr, u32 alen, bool nonblock);
s64 inet_recv(struct sock *s, const struct linux_iovec *iov, unsigned cnt, u32 flags, u8 *from,
              u32 *from_len, bool nonblock);
s64 inet_shutdown(struct sock *s, u64 how);
s64 inet_name(struct sock *s, bool peer, u8 *addr, u32 *len);
s64 inet_setsockopt(struct sock *s, u64 level, u64 name, const u8 *val, u32 len);
s64 inet_getsockopt(struct sock *s, u64 level, u64 name, u8 *val, u32 *len);
u32 inet_poll(struct sock *s);
void inet_close(struct sock *s);

#endif
