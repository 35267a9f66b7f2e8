/*
 * pipe and pipe2: a buffer inside the shim with a read end and a write end, as
 * Linux's (64 KiB, writes of up to PIPE_BUF bytes atomic, EOF once every write end is
 * closed, EPIPE and SIGPIPE once every read end is). Programs make them to wake
 * themselves from a signal handler (xz) or to talk to themselves.
 *
 * A read of an empty pipe whose write end is open waits on the pipe's read queue, a
 * write to a full one on its write queue (kernel/wait.h), unless the end is O_NONBLOCK
 * (EAGAIN). As Linux's, the two queues are apart: the read end's pollers and epoll
 * hear data coming in and the last writer leaving, the write end's hear room made and
 * the last reader leaving. A single-threaded program waiting on a pipe it alone holds
 * sleeps for good in CL_HC_WAIT, as it would on Linux.
 */
#include "uapi/errno.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "uapi/linux_abi.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "kernel/wait.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

#define PIPE_SIZE  65536u
#define O_DIRECT   040000
#define FIONREAD   0x541b
#define PIPEFS_DEV 0xd /* what Linux's pipefs reports as st_dev */

struct pipe {
    u8 *buf;
    u32 head, len; /* the oldest byte, the bytes held */
    u32 readers, writers;
    u64 ino;
    struct wait_queue rd_wait, wr_wait; /* woken for the read end, for the write end */
};

static u64 next_ino = 1000;

static struct pipe *pipe_of(struct file *f)
{
    return (struct pipe *)f->priv;
}

/* Sleeps on q until woken: 0, or -ERESTARTSYS for a signal (a pipe read or write is
 * restarted under SA_RESTART). The caller has prepared its entry and checks again. */
static s64 pipe_sleep(void)
{
    s64 r = task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, true);
    wait_rearm();
    return r < 0 ? -ERESTARTSYS : 0;
}

static s64 pipe_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct pipe *p = pipe_of(f);
    if (off >= 0)
        return -ESPIPE;
    u64 want = iov_total(iov, cnt);
    if (want == 0)
        return 0;
    if (p->len == 0) {
        if (!p->writers)
            return 0;
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        struct wait_entry e;
        wait_prepare(&e, &p->rd_wait);
        s64 err = 0;
        while (p->len == 0 && p->writers && !err)
            err = pipe_sleep();
        wait_finish(&e);
        if (err)
            return err;
        if (p->len == 0)
            return 0; /* the last writer left while we slept */
    }
    u64 n = MIN(want, (u64)p->len), done = 0;
    while (done < n) {
        u64 chunk = MIN(n - done, (u64)(PIPE_SIZE - p->head));
        if (iov_copy_in(iov, cnt, done, p->buf + p->head, chunk))
            return done ? (s64)done : -EFAULT;
        p->head = (u32)((p->head + chunk) % PIPE_SIZE);
        p->len -= (u32)chunk;
        done += chunk;
    }
    if (done)
        wake_up(&p->wr_wait);
    return (s64)done;
}

/* Copies n bytes of iov from done on into the pipe; 0 or -EFAULT. */
static s64 pipe_put(struct pipe *p, const struct linux_iovec *iov, unsigned cnt, u64 done, u64 n)
{
    for (u64 end = done + n; done < end;) {
        u32 tail = (p->head + p->len) % PIPE_SIZE;
        u64 chunk = MIN(end - done, (u64)(PIPE_SIZE - tail));
        if (iov_copy_out(p->buf + tail, iov, cnt, done, chunk))
            return -EFAULT;
        p->len += (u32)chunk;
        done += chunk;
    }
    return 0;
}

static s64 pipe_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct pipe *p = pipe_of(f);
    if (off >= 0)
        return -ESPIPE;
    u64 total = iov_total(iov, cnt);
    if (!p->readers) {
        signal_broken_pipe();
        return -EPIPE;
    }
    if (total == 0)
        return 0;
    /* up to PIPE_BUF bytes go in at once or not at all; more may go in parts, and a
     * blocking write waits until all of it is in */
    u64 need = total <= PIPE_BUF ? total : 1, done = 0;
    s64 err = 0;
    struct wait_entry e;
    wait_prepare(&e, &p->wr_wait);
    while (done < total) {
        if (!p->readers) {
            if (!done)
                signal_broken_pipe();
            err = -EPIPE;
            break;
        }
        u64 room = PIPE_SIZE - p->len;
        if (room >= need) {
            u64 n = MIN(total - done, room);
            err = pipe_put(p, iov, cnt, done, n);
            if (err)
                break;
            done += n;
            wake_up(&p->rd_wait);
            continue;
        }
        if (f->flags & O_NONBLOCK) {
            err = -EAGAIN;
            break;
        }
        err = pipe_sleep();
        if (err)
            break;
    }
    wait_finish(&e);
    return done ? (s64)done : err;
}

static s64 pipe_ioctl(struct file *f, u64 req, u64 arg)
{
    if (req != FIONREAD)
        return -ENOTTY;
    s32 n = (s32)pipe_of(f)->len;
    return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static s64 pipe_stat(struct file *f, struct linux_stat *st)
{
    memzero(st, sizeof(*st));
    st->st_mode = S_IFIFO | 0600;
    st->st_dev = PIPEFS_DEV;
    st->st_ino = pipe_of(f)->ino;
    st->st_nlink = 1;
    st->st_blksize = PIPE_BUF;
    return 0;
}

static size_t pipe_link_name(struct file *f, char *buf, size_t size)
{
    int n = snprintf(buf, size, "pipe:[%lu]", pipe_of(f)->ino);
    return n < 0 ? 0 : MIN((size_t)n, size - 1);
}

static void pipe_release(struct file *f)
{
    struct pipe *p = pipe_of(f);
    if ((f->flags & O_ACCMODE) == O_RDONLY) {
        if (!--p->readers)
            wake_up(&p->wr_wait); /* writers now fail with EPIPE; pollers see POLLERR */
    } else {
        if (!--p->writers)
            wake_up(&p->rd_wait); /* readers now see EOF; pollers see POLLHUP */
    }
    if (!p->readers && !p->writers) {
        kfree(p->buf);
        kfree(p);
    }
}

/* As Linux's: the read end is readable while bytes are held and hangs up once every
 * write end is closed; the write end is writable while PIPE_BUF bytes fit (a write
 * that size then goes in at once) and errs once every read end is closed. */
static u32 pipe_poll(struct file *f)
{
    struct pipe *p = pipe_of(f);
    u32 ready = 0;
    if ((f->flags & O_ACCMODE) == O_RDONLY) {
        if (p->len)
            ready |= POLLIN | POLLRDNORM;
        if (!p->writers)
            ready |= POLLHUP;
    } else {
        if (PIPE_SIZE - p->len >= PIPE_BUF)
            ready |= POLLOUT | POLLWRNORM;
        if (!p->readers)
            ready |= POLLERR;
    }
    return ready;
}

static struct wait_queue *pipe_wait_queue(struct file *f)
{
    struct pipe *p = pipe_of(f);
    return (f->flags & O_ACCMODE) == O_RDONLY ? &p->rd_wait : &p->wr_wait;
}

static const struct file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .release = pipe_release,
    .link_name = pipe_link_name,
    .poll = pipe_poll,
    .wait_queue = pipe_wait_queue,
};

s64 pipe_room(struct file *f)
{
    return f->ops == &pipe_ops ? (s64)(PIPE_SIZE - pipe_of(f)->len) : -1;
}

static s64 do_pipe(u64 ufds, u64 flags)
{
    if (flags & ~(u64)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return -EINVAL;
    if (flags & O_DIRECT) /* packet mode is not implemented (Linux before 3.4 said so too) */
        return -EINVAL;
    struct pipe *p = kmalloc(sizeof(*p));
    u8 *buf = p ? kmalloc(PIPE_SIZE) : NULL;
    if (!buf) {
        kfree(p);
        return -ENOMEM;
    }
    p->buf = buf;
    p->ino = next_ino++;
    u32 fl = (u32)(flags & O_NONBLOCK);
    p->readers = 1;
    struct file *r = file_new(&pipe_ops, O_RDONLY | fl, (u64)p);
    if (!r) {
        kfree(buf);
        kfree(p);
        return -ENFILE;
    }
    struct file *w = file_new(&pipe_ops, O_WRONLY | fl, (u64)p);
    if (!w) {
        file_put(r); /* the last end: frees the pipe */
        return -ENFILE;
    }
    p->writers = 1;
    bool cloexec = flags & O_CLOEXEC;
    s64 fds[2] = {fd_install(r, 0, cloexec), -1};
    if (fds[0] >= 0)
        fds[1] = fd_install(w, 0, cloexec);
    file_put(r); /* the table holds the references now */
    file_put(w);
    if (fds[1] < 0) {
        if (fds[0] >= 0)
            fd_close(fds[0]);
        return -EMFILE;
    }
    s32 out[2] = {(s32)fds[0], (s32)fds[1]};
    if (copy_to_user(ufds, out, sizeof(out))) {
        fd_close(fds[0]);
        fd_close(fds[1]);
        return -EFAULT;
    }
    return 0;
}

SYSCALL1(pipe, pipefd)
{
    return do_pipe(pipefd, 0);
}

SYSCALL2(pipe2, pipefd, flags)
{
    return do_pipe(pipefd, flags);
}
