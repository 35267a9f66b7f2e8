/*
 * signalfd and signalfd4: a descriptor that reads the caller's pending signals of a
 * mask as struct signalfd_siginfo records, instead of running their handlers. It is
 * readable (poll, epoll) while one of them is pending; a read takes as many as fit.
 * The signals must be blocked to stay pending for it, as on Linux.
 */
#include "uapi/errno.h"
#include "uapi/linux_abi.h"
#include "fs/file.h"
#include "mm/iov.h"
#include "lib/lib.h"
#include "kernel/signal.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"
#include "kernel/sleep.h"
#include "kernel/clock.h"
#include "mm/uaccess.h"

struct signalfd_siginfo {
    u32 ssi_signo;
    s32 ssi_errno;
    s32 ssi_code;
    u32 ssi_pid;
    u32 ssi_uid;
    s32 ssi_fd;
    u32 ssi_tid;
    u32 ssi_band;
    u32 ssi_overrun;
    u32 ssi_trapno;
    s32 ssi_status;
    s32 ssi_int;
    u64 ssi_ptr;
    u64 ssi_utime;
    u64 ssi_stime;
    u64 ssi_addr;
    u16 ssi_addr_lsb;
    u8 pad[46];
};
_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo");

/* the mask is the file's priv */
static u64 mask_of(struct file *f)
{
    return f->priv;
}

static void to_record(const struct linux_siginfo *in, struct signalfd_siginfo *out)
{
    memzero(out, sizeof(*out));
    out->ssi_signo = (u32)in->si_signo;
    out->ssi_errno = in->si_errno;
    out->ssi_code = in->si_code;
    int sig = in->si_signo;
    bool fault =
        in->si_code > 0 && in->si_code != SI_KERNEL &&
        (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP);
    if (fault) {
        out->ssi_addr = in->u.fault.addr;
    } else if (in->si_code == SI_TIMER) {
        out->ssi_tid = (u32)in->u.timer.tid;
        out->ssi_overrun = (u32)in->u.timer.overrun;
        out->ssi_ptr = in->u.timer.value;
        out->ssi_int = (s32)in->u.timer.value;
    } else {
        out->ssi_pid = (u32)in->u.kill.pid;
        out->ssi_uid = in->u.kill.uid;
        if (in->si_code == SI_QUEUE || in->si_code < 0) {
            out->ssi_ptr = in->u.kill.value;
            out->ssi_int = (s32)in->u.kill.value;
        }
    }
}

static s64 signalfd_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    u64 room = iov_total(iov, cnt);
    if (room < sizeof(struct signalfd_siginfo))
        return -EINVAL;
    u64 done = 0;
    struct linux_siginfo info;
    while (room - done >= sizeof(struct signalfd_siginfo)) {
        int sig = signal_dequeue(mask_of(f), &info);
        if (!sig) {
            if (done)
                break;
            if (f->flags & O_NONBLOCK)
                return -EAGAIN;
            struct wait_entry e;
            wait_prepare(&e, signal_wait_queue());
            s64 r = (signal_pending_set() & mask_of(f))
                        ? 0
                        : task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, true);
            wait_finish(&e);
            if (r == -EINTR)
                return -ERESTARTSYS;
            continue;
        }
        struct signalfd_siginfo rec;
        to_record(&info, &rec);
        if (iov_copy_in(iov, cnt, done, &rec, sizeof(rec)))
            return done ? (s64)done : -EFAULT;
        done += sizeof(rec);
    }
    return (s64)done;
}

static u32 signalfd_poll(struct file *f)
{
    return (signal_pending_set() & mask_of(f)) ? POLLIN | POLLRDNORM : 0;
}

static struct wait_queue *signalfd_wait_queue(struct file *f)
{
    return signal_wait_queue();
}

static size_t signalfd_link_name(struct file *f, char *buf, size_t size)
{
    int n = snprintf(buf, size, "anon_inode:[signalfd]");
    return n < 0 ? 0 : MIN((size_t)n, size - 1);
}

static const struct file_ops signalfd_ops = {
    .read = signalfd_read,
    .poll = signalfd_poll,
    .wait_queue = signalfd_wait_queue,
    .link_name = signalfd_link_name,
};

SYSCALL4(signalfd4, fd, umask, sizemask, flags)
{
    if (flags & ~(u64)(O_NONBLOCK | O_CLOEXEC))
        return -EINVAL;
    if (sizemask != 8)
        return -EINVAL;
    u64 mask;
    if (copy_from_user(&mask, umask, sizeof(mask)))
        return -EFAULT;
    mask &= ~SIG_UNBLOCKABLE;
    if ((s32)fd != -1) {
        struct file *f = fd_get((s64)(s32)fd);
        if (!f)
            return -EBADF;
        if (f->ops != &signalfd_ops)
            return -EINVAL;
        f->priv = mask;
        wake_up(signal_wait_queue()); /* readiness may have changed */
        return (s64)(s32)fd;
    }
    struct file *f = file_new(&signalfd_ops, O_RDWR | (u32)(flags & O_NONBLOCK), mask);
    if (!f)
        return -ENFILE;
    s64 nfd = fd_install(f, 0, flags & O_CLOEXEC);
    file_put(f);
    return nfd;
}

SYSCALL3(signalfd, fd, umask, sizemask)
{
    return sys_signalfd4(fd, umask, sizemask, 0, 0, 0);
}
