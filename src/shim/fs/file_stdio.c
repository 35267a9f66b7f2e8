/*
 * The workload's stdin, stdout and stderr: the monitor's own fds 0-2, reached by
 * hypercalls through the bounce buffer. Every answer of the host is checked against
 * what the ABI allows before any of it is believed (kernel/host_checks.h): a count
 * larger than asked, an error Linux has no number for, a stat no file has, is a lying
 * host, and the run ends in one line (docs/iago.md). A short count is an honest one.
 *
 * A host fd the monitor watches on its event loop (a pipe, terminal or socket:
 * CL_STDIO_EVENTS) is never waited on inside a hypercall: its read answers -EAGAIN
 * when nothing is there, and the reader then sleeps on the fd's host_watch
 * (kernel/host_events.h) until the host reports input, in CL_HC_WAIT beside the
 * workload's timers and other files. poll asks the host whether a read would wait
 * with a read of 0 bytes, which the monitor answers that way; the watch's bits say
 * which of input, hang-up and error it was. Writes still wait in the host.
 */
#include "uapi/errno.h"
#include "fs/file.h"
#include "arch/x86/hcall.h"
#include "mm/iov.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "uapi/linux_abi.h"
#include "arch/x86/paging.h"
#include "kernel/host_checks.h"
#include "kernel/host_events.h"
#include "kernel/sleep.h"
#include "kernel/wait.h"
#include "kernel/panic.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "mm/uaccess.h"

#define TCGETS     0x5401
#define TIOCGWINSZ 0x5413

/* The host's answer to a `what` of `asked` bytes: 0..asked, or -errno. */
static s64 checked_count(s64 r, u64 asked, const char *what)
{
    if (!hc_count_ok(r, asked))
        panic("host answered a %s of %lu bytes with %ld", what, asked, r);
    return r;
}

/* The host's answer to a call that returns 0 or -errno. */
static s64 checked_status(s64 r, const char *what)
{
    if (!hc_status_ok(r))
        panic("host answered a %s with %ld", what, r);
    return r;
}

static s64 stdio_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    u8 *bounce = hcall_buffer();
    u64 total = iov_total(iov, cnt), done = 0;
    while (done < total) {
        u64 chunk = MIN(total - done, CL_HC_DATA_SIZE);
        if (iov_copy_out(bounce, iov, cnt, done, chunk))
            return done ? (s64)done : -EFAULT;
        s64 r = checked_count(
            hcall(CL_HC_FD_WRITE, f->priv, chunk, off < 0 ? (u64)-1 : (u64)off + done, 0, 0, 0),
            chunk, "stdio write");
        if (r == -EPIPE)
            signal_broken_pipe();
        if (r < 0)
            return done ? (s64)done : r;
        done += (u64)r;
        if ((u64)r < chunk)
            break;
    }
    return (s64)done;
}

/* The host fds the monitor watches (CL_STDIO_EVENTS): one watch each. */
static struct host_watch stdio_watch[NR_STDIO_FDS];

#define EV_INPUT (CL_EV_IN | CL_EV_HUP | CL_EV_ERR | CL_EV_RDHUP)

static struct host_watch *watch_of(struct file *f)
{
    return current_process()->stdio_flags[f->priv] & CL_STDIO_EVENTS ? &stdio_watch[f->priv] : NULL;
}

static s64 host_read(struct file *f, u64 want, s64 off)
{
    return checked_count(hcall(CL_HC_FD_READ, f->priv, want, off < 0 ? (u64)-1 : (u64)off, 0, 0, 0),
                         want, "stdio read");
}

/* A read of a watched fd at its position: the host answers at once, -EAGAIN when there
 * is nothing; then, unless the file is O_NONBLOCK, the read sleeps until the host says
 * something came and asks again. Prepared before asking, so a report that comes
 * between the answer and the sleep wakes it. */
static s64 watched_read(struct file *f, struct host_watch *w, u64 want)
{
    struct wait_entry e;
    wait_prepare(&e, &w->wq);
    s64 r;
    for (;;) {
        r = host_read(f, want, -1);
        if (r != -EAGAIN) {
            if (r == 0)
                w->ready &= ~CL_EV_IN; /* end of file: what stays is the hang-up */
            break;
        }
        w->ready &= ~EV_INPUT;
        if (f->flags & O_NONBLOCK)
            break;
        if (task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, true) < 0) {
            r = -ERESTARTSYS; /* a read restarts under SA_RESTART */
            break;
        }
        wait_rearm();
    }
    wait_finish(&e);
    return r;
}

static s64 stdio_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    u64 want = MIN(iov_total(iov, cnt), CL_HC_DATA_SIZE);
    if (want == 0)
        return 0;
    struct host_watch *w = watch_of(f);
    s64 r = w && off < 0 ? watched_read(f, w, want) : host_read(f, want, off);
    if (r <= 0)
        return r;
    return iov_copy_in(iov, cnt, 0, hcall_buffer(), (u64)r) ? -EFAULT : r;
}

static s64 stdio_ioctl(struct file *f, u64 req, u64 arg)
{
    u64 size;
    if (req == TCGETS)
        size = CL_TERMIOS_SIZE;
    else if (req == TIOCGWINSZ)
        size = CL_WINSIZE_SIZE;
    else
        return -ENOTTY;
    if (!(current_process()->stdio_flags[f->priv] & CL_STDIO_TTY))
        return -ENOTTY;
    s64 r = checked_status(hcall(CL_HC_FD_IOCTL, f->priv, req, 0, 0, 0, 0), "terminal ioctl");
    if (r != 0)
        return r;
    u8 reply[CL_TERMIOS_SIZE];
    memcpy(reply, hcall_buffer(), size);
    return copy_to_user(arg, reply, size) ? -EFAULT : 0;
}

static s64 stdio_stat(struct file *f, struct linux_stat *st)
{
    s64 r = checked_status(hcall(CL_HC_FD_STAT, f->priv, 0, 0, 0, 0, 0), "stdio stat");
    if (r != 0)
        return r;
    struct cl_host_stat hs;
    memcpy(&hs, hcall_buffer(), sizeof(hs));
    const char *why = hc_stat_check(&hs);
    if (why)
        panic("host's stat of fd %lu has %s", f->priv, why);
    u32 type = hs.mode & S_IFMT;
    if (type != S_IFCHR && type != S_IFIFO && type != S_IFREG && type != S_IFSOCK)
        type = S_IFCHR;
    memzero(st, sizeof(*st));
    st->st_mode = type | (hs.mode & 0777);
    st->st_dev = 0x16; /* the host's device numbers are not the workload's business */
    st->st_ino = f->priv + 1;
    st->st_nlink = 1;
    st->st_rdev = type == S_IFCHR ? hs.rdev : 0;
    st->st_size = type == S_IFREG && hs.size > 0 ? hs.size : 0;
    st->st_blksize = hs.blksize > 0 && hs.blksize <= (1 << 20) ? hs.blksize : 4096;
    st->st_blocks = hc_blocks_512(st->st_size);
    return 0;
}

/* The host's position: a file on stdin is read with the host's read(), which moves it,
 * and the shell that opened the file shares it, so the shim keeps no copy. */
static s64 stdio_seek(struct file *f, s64 off, u32 whence)
{
    s64 r = hcall(CL_HC_FD_SEEK, f->priv, (u64)off, whence, 0, 0, 0);
    if (!hc_seek_ok(r, off, whence))
        panic("host answered a seek to %ld (whence %u) with %ld", off, whence, r);
    return r;
}

/*
 * mmap of a regular file on stdio (a program mapping its input rather than reading
 * it): each page is read from the host once, on its first touch, and kept for the
 * whole run, since a mapping outlives the descriptor it was made from. The bytes are
 * those of that moment, as with a private mapping.
 */
struct page_cache {
    u64 *gpa; /* per page index, 0 until read */
    u64 count;
};

static struct page_cache stdio_pages[3];

static bool stdio_mappable(struct file *f)
{
    struct linux_stat st;
    return stdio_stat(f, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG;
}

/* Reads page index of the host file into a new page: its GPA, or -errno. A host may
 * answer in short pieces (an honest one may, too): the page is read until it is full
 * or the file ends, so that no byte of it is a zero the file does not hold. */
static s64 read_page(struct file *f, u64 index)
{
    u64 page = page_alloc(); /* zeroed: a last partial page ends in zeros */
    if (!page)
        return -ENOMEM;
    u64 off = index * PAGE_SIZE, got = 0;
    while (got < PAGE_SIZE) {
        u64 want = PAGE_SIZE - got;
        s64 r = checked_count(hcall(CL_HC_FD_READ, f->priv, want, off + got, 0, 0, 0), want,
                              "stdio read");
        if (r <= 0) {
            if (r == 0 && got)
                break;
            page_free(page);
            return r < 0 ? r : -EFAULT; /* past the end: SIGBUS territory, as on Linux */
        }
        memcpy((u8 *)phys_to_virt(page) + got, hcall_buffer(), (u64)r);
        got += (u64)r;
    }
    return (s64)page;
}

static s64 stdio_page(struct file *f, u64 index)
{
    struct linux_stat st;
    s64 err = stdio_stat(f, &st);
    if (err)
        return err;
    if ((st.st_mode & S_IFMT) != S_IFREG || index * PAGE_SIZE >= (u64)st.st_size)
        return -EFAULT;
    struct page_cache *c = &stdio_pages[f->priv];
    if (index >= c->count) {
        u64 n = MAX(index + 1, c->count * 2);
        u64 *grown = krealloc(c->gpa, n * sizeof(*grown)); /* the new entries are zero */
        if (!grown)
            return -ENOMEM;
        c->gpa = grown;
        c->count = n;
    }
    if (!c->gpa[index]) {
        s64 gpa = read_page(f, index);
        if (gpa < 0)
            return gpa;
        c->gpa[index] = (u64)gpa;
    }
    return (s64)c->gpa[index];
}

/* A watched fd's input readiness: the host is asked with a read of 0 bytes, which it
 * answers -EAGAIN when a read would wait; the watch says what else it heard. */
static u32 watched_input(struct file *f, struct host_watch *w)
{
    if (host_read(f, 0, -1) == -EAGAIN) {
        w->ready &= ~EV_INPUT;
        return 0;
    }
    if (!(w->ready & EV_INPUT))
        host_events_wait(0); /* ready before its report came: take the report */
    u32 ready = w->ready & EV_INPUT;
    if (!ready)
        ready = CL_EV_IN;
    /* CL_EV_* are POLL* bits (abi.h) */
    return (ready & CL_EV_IN ? POLLIN | POLLRDNORM : 0) |
           (ready & (CL_EV_HUP | CL_EV_ERR | CL_EV_RDHUP));
}

/* A watched fd's readiness for reading is the host's (watched_input); writes wait in
 * the host, so a writable fd is always ready for them, and reports the hang-up or
 * error the host heard. An unwatched fd (a regular file, /dev/null) never waits: ready
 * both ways whatever its access mode, as Linux answers for a file without a poll. */
static u32 stdio_poll(struct file *f)
{
    u32 mode = f->flags & O_ACCMODE, ready = 0;
    struct host_watch *w = watch_of(f);
    if (!w)
        return file_always_ready(f);
    if (mode == O_RDONLY || mode == O_RDWR)
        ready |= watched_input(f, w);
    if (mode == O_WRONLY || mode == O_RDWR)
        ready |= POLLOUT | POLLWRNORM | (w->ready & (CL_EV_ERR | CL_EV_HUP));
    return ready;
}

static struct wait_queue *stdio_wait_queue(struct file *f)
{
    struct host_watch *w = watch_of(f);
    return w ? &w->wq : NULL;
}

/* epoll takes what the host's epoll takes: not a regular file, not /dev/null */
static bool stdio_can_poll(struct file *f)
{
    return watch_of(f) != NULL;
}

static const struct file_ops stdio_ops = {
    .read = stdio_read,
    .write = stdio_write,
    .ioctl = stdio_ioctl,
    .stat = stdio_stat,
    .seek = stdio_seek,
    .page = stdio_page,
    .mappable = stdio_mappable,
    .poll = stdio_poll,
    .wait_queue = stdio_wait_queue,
    .can_poll = stdio_can_poll,
};

void stdio_files_init(void)
{
    for (u64 fd = 0; fd < 3; fd++) {
        if (current_process()->stdio_flags[fd] & CL_STDIO_EVENTS)
            host_watch_add(&stdio_watch[fd], CL_EV_KIND_STDIO, (u32)fd, 0);
        struct file *f =
            file_new(&stdio_ops, current_process()->stdio_flags[fd] & CL_STDIO_FL_MASK, fd);
        fd_install_at(f, (s64)fd, false);
        file_put(f); /* the table holds the one reference */
    }
}
