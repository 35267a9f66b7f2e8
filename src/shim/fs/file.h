/*
 * Open files and the descriptor table.
 *
 * A struct file is an open file description (shared by dup'ed descriptors, as in
 * Linux: one offset, one set of status flags); its ops say what kind it is: the host's
 * stdio, pipes, image and tmpfs files, directories, devices, /proc and configfs-tsm
 * files, each plugging in the same way. Operations a kind lacks are NULL and get
 * Linux's answer for such a file.
 */
#ifndef SHIM_FILE_H
#define SHIM_FILE_H

#include "lib/types.h"

#define MAX_FDS 1024 /* RLIMIT_NOFILE's default soft limit */

#define O_ACCMODE   03
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_ASYNC     020000
#define O_NONBLOCK  04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000
#define O_LARGEFILE 0100000
#define O_PATH      010000000

struct linux_stat;
struct linux_iovec;
struct file;

/* read and write move data between the file and a user iovec list, at offset off, or
 * at and advancing f->offset when off is -1. They return a count or -errno. */
struct file_ops {
    s64 (*read)(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off);
    s64 (*write)(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off);
    s64 (*ioctl)(struct file *f, u64 req, u64 arg);
    s64 (*stat)(struct file *f, struct linux_stat *st);
    void (*release)(struct file *f);
    /* maps file page `index` for mmap: the GPA of a page holding its bytes, or -errno */
    s64 (*page)(struct file *f, u64 index);
    /* whether this open file can be mapped at all (mmap says ENODEV if not); NULL: it can
     * when it has a page operation */
    bool (*mappable)(struct file *f);
    /* what /proc/self/fd/N links to for a file without an inode ("pipe:[INO]"); its
     * length, written to buf (size bytes) */
    size_t (*link_name)(struct file *f, char *buf, size_t size);
    /* lseek for a kind whose position lives elsewhere (the host's stdio); the others
     * keep f->offset and say whether they are seekable */
    s64 (*seek)(struct file *f, s64 off, u32 whence);
    /* readiness now, without waiting: a mask of POLLIN, POLLOUT, POLLERR, POLLHUP
     * (uapi/linux_abi.h); callers go through file_poll */
    u32 (*poll)(struct file *f);
    /* the queue woken whenever poll's answer may have changed (kernel/wait.h): poll,
     * epoll and every blocking read or write wait on it. NULL: readiness never changes
     * (regular files), or the kind has not learned to wait yet. */
    struct wait_queue *(*wait_queue)(struct file *f);
    /* whether epoll may watch this open file, for a kind whose answer depends on what
     * it is (the host's stdio: a regular file on stdin may not); NULL: it may when it
     * has a poll operation other than file_always_ready */
    bool (*can_poll)(struct file *f);
    bool seekable;
};

struct inode;
struct epitem;
struct file_async;

struct file {
    const struct file_ops *ops;
    u32 refs;
    u32 flags;           /* O_ACCMODE | O_APPEND | O_NONBLOCK ... */
    s64 offset;          /* the position; for directories, the getdents cursor */
    u64 priv;            /* the kind's own: the host fd for stdio */
    struct inode *inode; /* the file-system node, NULL for stdio */
    /* the epoll registrations of this open file description (fs/epoll.c): they live
     * with it, and go when its last reference does */
    struct epitem *epolls;
    /* its owner for SIGIO (F_SETOWN, fs/fasync.c), NULL until one is asked for */
    struct file_async *async;
};

struct file *file_new(const struct file_ops *ops, u32 flags, u64 priv);
void file_put(struct file *f);
/* f's readiness (file_ops.poll); a kind without a poll operation is always ready for
 * reading and writing, as Linux answers for a file without one. */
u32 file_poll(struct file *f);
/* The poll operation of kinds whose reads and writes never wait: regular files,
 * directories, memory devices. */
u32 file_always_ready(struct file *f);
/* f's readiness queue, or NULL (file_ops.wait_queue). */
struct wait_queue *file_wait_queue(struct file *f);
/* Whether f can be watched by epoll: Linux refuses (EPERM) a file without a poll
 * operation, as regular files, directories and memory devices are. */
bool file_can_poll(struct file *f);

/* Takes every epoll registration of f away (fs/epoll.c), as its last reference goes. */
void epoll_file_gone(struct file *f);

/*
 * A descriptor table: the open files a process's descriptors name, and their
 * close-on-exec bits. The fd_* functions below act on the current process's. 9 KiB, in
 * three pages of kmalloc's.
 */
struct fdtable {
    struct file *fd[MAX_FDS];
    bool cloexec[MAX_FDS];
};

/* An empty table; NULL without memory. */
struct fdtable *fdtable_create(void);
/* A copy of t whose descriptors name the same open files, as fork's child gets (each
 * file gains a reference); NULL without memory. */
struct fdtable *fdtable_clone(const struct fdtable *t);
/* Closes every descriptor of t and frees it. */
void fdtable_free(struct fdtable *t);
/* Closes the descriptors of t marked close-on-exec (execve). */
void fdtable_close_on_exec(struct fdtable *t);

/* The file behind fd, or NULL (then the caller returns -EBADF). It stays valid until
 * the system call returns, even if another thread closes fd meanwhile (a read that
 * sleeps, a poll): the call holds a reference, dropped by file_calls_done, as Linux's
 * fdget/fdput. */
struct file *fd_get(s64 fd);
/* The same, held by nobody: for a second look at a file the call holds already. */
struct file *fd_peek(s64 fd);
/* The system call of the current task returns: its files' references go. */
void file_calls_done(void);
/* Installs f at the lowest free descriptor >= min; the descriptor or -EMFILE. Takes a
 * reference. */
s64 fd_install(struct file *f, s64 min, bool cloexec);
/* Installs f at exactly fd, closing what was there. */
s64 fd_install_at(struct file *f, s64 fd, bool cloexec);
s64 fd_close(s64 fd);
bool fd_cloexec(s64 fd);
void fd_set_cloexec(s64 fd, bool on);

/* The host's stdio as files 0-2 (file_stdio.c). */
void stdio_files_init(void);

#endif
