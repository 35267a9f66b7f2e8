/*
 * AF_UNIX sockets: both ends always live in this VM, so the shim is the whole
 * protocol and the monitor never hears of them (docs/network.md).
 *
 * A socket is an open file kind of its own (unix.c). What a sender writes goes
 * straight onto the receiver's queue as one struct unix_msg per send (per chunk for
 * a large stream write), carrying its ancillary data (scm.c) and, for datagrams, the
 * sender's address. Stream reads run across messages; datagram and seqpacket reads
 * take one message each. The queue's bytes are charged against the sender's
 * SO_SNDBUF, as Linux charges a sender's memory: a full queue makes the sender wait.
 *
 * Sockets are counted references: the file holds one, a connected peer one, a
 * datagram socket whose default peer it is one, a listener's queue one for each
 * connection not yet accepted. Names (unix_path.c) point at live sockets only: a
 * socket leaves the name space when its file goes.
 *
 * Every socket has one wait queue, woken whenever its poll answer may have changed:
 * data arriving, room made at its peer, a connection queued, a peer leaving.
 */
#ifndef SHIM_NET_UNIX_H
#define SHIM_NET_UNIX_H

#include "lib/types.h"
#include "kernel/wait.h"
#include "mm/iov.h"

#define SOCK_SEQPACKET 5
#define SOCK_RAW       3

#define UNIX_PATH_MAX 108
#define UNIX_ADDR_MAX 110 /* sizeof(struct sockaddr_un) */
#define UNIX_ADDR_MIN 2   /* offsetof(struct sockaddr_un, sun_path): unnamed */

#define SHUT_RCV  1 /* Linux's RCV_SHUTDOWN */
#define SHUT_SEND 2 /* SEND_SHUTDOWN */

#define MSG_CTRUNC       0x8
#define MSG_EOR          0x80
#define MSG_CMSG_CLOEXEC 0x40000000

enum unix_state { US_UNCONNECTED, US_LISTENING, US_CONNECTED };

struct scm; /* scm.c: descriptors and credentials in flight */

/* One send as the receiver's queue holds it. */
struct unix_msg {
    struct unix_msg *next;
    u32 len, off;             /* bytes in data; bytes of it already read (stream) */
    u32 charge;               /* what it costs its sender's SO_SNDBUF */
    struct unix_sock *sender; /* holds a reference while the message is queued */
    struct scm *scm;          /* descriptors in flight or NULL */
    s32 pid;                  /* the credentials sent (SCM_CREDENTIALS) */
    u32 uid, gid;
    u32 from_len; /* the sender's address (datagrams), 0 if none */
    u8 from[UNIX_ADDR_MAX + 1];
    u8 data[];
};

struct unix_sock {
    u32 refs;
    u16 type;  /* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
    u8 state;  /* enum unix_state */
    u8 shut;   /* SHUT_RCV | SHUT_SEND */
    bool dead; /* its file is gone */
    bool passcred;
    s32 err; /* SO_ERROR, cleared when read */
    u64 ino;
    /* the name bound (unix_path.c): addr[0..addr_len) as getsockname reports it */
    u32 addr_len; /* 0: unnamed */
    u8 addr[UNIX_ADDR_MAX + 1];
    u64 path_dev, path_ino; /* a path's inode, so that connect finds the socket */
    struct unix_sock *bound_next;
    struct unix_sock *peer;
    /* the receive queue (for a listener: connections not yet accepted, in conns) */
    struct unix_msg *head, *tail;
    u32 qlen; /* messages queued */
    u32 wmem; /* bytes this socket's sends hold in queues */
    struct unix_sock *conns, *conns_tail, *conn_next;
    u32 nconns, backlog;
    u32 sndbuf, rcvbuf;
    s64 rcvtimeo_ns, sndtimeo_ns; /* 0: none */
    s32 cred_pid;                 /* SO_PEERCRED of whoever connects to it */
    s32 peer_pid, peer_uid, peer_gid;
    bool has_peercred;
    struct wait_queue wq;
};

struct file;

/* unix.c: the socket kind */
struct unix_sock *unix_of_file(struct file *f);
s64 unix_create(u32 type, struct unix_sock **out);
s64 unix_install(struct unix_sock *u, u32 flags); /* a descriptor, or -errno (u dropped) */
void unix_discard(struct unix_sock *u);           /* drops a socket no file holds yet */
s64 unix_pair(u32 type, struct unix_sock **a, struct unix_sock **b);
void unix_hold(struct unix_sock *u);
void unix_put(struct unix_sock *u);
s64 unix_listen(struct unix_sock *u, u32 backlog);
s64 unix_accept(struct unix_sock *u, bool nonblock, struct unix_sock **out);
s64 unix_connect(struct unix_sock *u, const u8 *addr, u32 len, bool nonblock);
s64 unix_shutdown(struct unix_sock *u, u64 how);
s64 unix_name(struct unix_sock *u, bool peer, u8 *addr, u32 *len);
/* Sleeps on u's queue until woken, the timeout passes (-EAGAIN) or a signal comes
 * (-ERESTARTSYS, or -EINTR with a timeout set, as Linux's sock_intr_errno). The caller
 * has prepared its wait entry. */
s64 unix_sleep(s64 deadline);
s64 unix_deadline(s64 timeout_ns);

/* unix_opt.c: SOL_SOCKET options */
s64 unix_setsockopt(struct unix_sock *u, u64 level, u64 name, const u8 *val, u32 len);
s64 unix_getsockopt(struct unix_sock *u, u64 level, u64 name, u8 *val, u32 *len);

/* unix_io.c: data */
struct unix_send_args {
    const struct linux_iovec *iov;
    unsigned cnt;
    u32 flags;
    const u8 *addr; /* destination, or NULL */
    u32 alen;
    u64 control, controllen; /* user memory */
};
struct unix_recv_args {
    const struct linux_iovec *iov;
    unsigned cnt;
    u32 flags;
    u8 *from; /* room for UNIX_ADDR_MAX + 1 bytes, or NULL */
    u32 from_len;
    u64 control, controllen; /* in: user memory; out: controllen used */
    u32 msg_flags;           /* out: MSG_TRUNC, MSG_CTRUNC */
};
s64 unix_send(struct unix_sock *u, struct unix_send_args *a, bool nonblock);
s64 unix_recv(struct unix_sock *u, struct unix_recv_args *a, bool nonblock);
u32 unix_poll(struct unix_sock *u);
u32 unix_inq(struct unix_sock *u); /* FIONREAD */
void unix_msg_free(struct unix_msg *m);

/* unix_path.c: the name space */
/* Checks and normalises a sockaddr_un of len bytes into buf (UNIX_ADDR_MAX + 1 bytes):
 * the length to keep, or -EINVAL. */
s64 unix_addr_parse(const u8 *addr, u32 len, u8 *buf);
s64 unix_bind(struct unix_sock *u, const u8 *addr, u32 len);
s64 unix_autobind(struct unix_sock *u);
/* The live socket a parsed name leads to, held, or -ENOENT/-ECONNREFUSED...; type
 * must match (-EPROTOTYPE). */
s64 unix_lookup(const u8 *addr, u32 len, u16 type, struct unix_sock **out);
void unix_unbind(struct unix_sock *u);

#endif
