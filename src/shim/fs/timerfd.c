/*
 * timerfd_create, timerfd_settime and timerfd_gettime, as Linux's, on a kernel timer
 * (kernel/timer.h). The file counts expirations since the last read; a read of 8
 * bytes or more takes the count, waiting while it is 0.
 *
 * Expirations are counted from the clock whenever anyone looks (a read, poll, gettime)
 * as well as by the timer's callback, so the count is right even when no wait ran the
 * callback yet. CLOCK_BOOTTIME is CLOCK_MONOTONIC here (the VM does not suspend); a
 * CLOCK_REALTIME timer is armed at the monotonic time its deadline stands for when it
 * is set. TFD_TIMER_CANCEL_ON_SET is accepted: the workload cannot set the clock
 * (settimeofday and clock_settime are refused), so such a timer is never cancelled.
 */
#include "fs/anon.h"
#include "fs/file.h"
#include "kernel/clock.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "kernel/timer.h"
#include "kernel/wait.h"
#include "lib/lib.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define TFD_TIMER_ABSTIME       1
#define TFD_TIMER_CANCEL_ON_SET 2
#define CLOCK_REALTIME_ALARM    8
#define CLOCK_BOOTTIME_ALARM    9

struct linux_itimerspec {
    struct linux_timespec it_interval, it_value;
};

struct timerfd {
    u64 clock;
    s64 expiry;   /* the next expiration on clock, 0 when disarmed */
    s64 interval; /* ns, 0 for a single shot */
    u64 ticks;    /* expirations not yet read */
    struct ktimer timer;
    struct wait_queue wq;
};

static struct timerfd *tfd_of(struct file *f)
{
    return (struct timerfd *)f->priv;
}

/* The CLOCK_MONOTONIC time at which `clock` reads t. */
static s64 to_monotonic(u64 clock, s64 t)
{
    if (clock != CLOCK_REALTIME)
        return t;
    s64 offset = clock_realtime_ns() - clock_monotonic_ns();
    return t - offset;
}

/* Counts the expirations that have passed and arms the timer for the next; whether
 * any passed. */
static bool tfd_update(struct timerfd *t)
{
    if (!t->expiry)
        return false;
    s64 now = clock_now(t->clock);
    if (now < t->expiry)
        return false;
    if (t->interval) {
        u64 n = 1 + (u64)(now - t->expiry) / (u64)t->interval;
        t->ticks += n;
        t->expiry += (s64)n * t->interval;
        timer_arm(&t->timer, to_monotonic(t->clock, t->expiry));
    } else {
        t->ticks++;
        t->expiry = 0;
        timer_cancel(&t->timer);
    }
    return true;
}

static void tfd_fire(struct ktimer *kt)
{
    struct timerfd *t = kt->priv;
    if (tfd_update(t))
        wake_up(&t->wq);
    else if (t->expiry) /* early by the clocks' difference: again at the deadline */
        timer_arm(&t->timer, to_monotonic(t->clock, t->expiry));
}

static s64 tfd_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct timerfd *t = tfd_of(f);
    if (off >= 0)
        return -ESPIPE;
    if (iov_total(iov, cnt) < sizeof(u64))
        return -EINVAL;
    tfd_update(t);
    if (!t->ticks) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        struct wait_entry w;
        wait_prepare(&w, &t->wq);
        s64 r = 0;
        while (!(tfd_update(t), t->ticks)) {
            if (task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, true) < 0) {
                r = -ERESTARTSYS;
                break;
            }
            wait_rearm();
        }
        wait_finish(&w);
        if (r)
            return r;
    }
    u64 v = t->ticks;
    if (iov_copy_in(iov, cnt, 0, &v, sizeof(v)))
        return -EFAULT;
    t->ticks = 0;
    return sizeof(v);
}

static u32 tfd_poll(struct file *f)
{
    struct timerfd *t = tfd_of(f);
    tfd_update(t);
    return t->ticks ? POLLIN | POLLRDNORM : 0;
}

static struct wait_queue *tfd_wait_queue(struct file *f)
{
    return &tfd_of(f)->wq;
}

static void tfd_release(struct file *f)
{
    struct timerfd *t = tfd_of(f);
    timer_cancel(&t->timer);
    kfree(t);
}

static s64 tfd_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    return anon_stat(st);
}

static size_t tfd_link_name(struct file *f, char *buf, size_t size)
{
    (void)f;
    return anon_link_name("timerfd", buf, size);
}

static const struct file_ops timerfd_ops = {
    .read = tfd_read,
    .stat = tfd_stat,
    .release = tfd_release,
    .link_name = tfd_link_name,
    .poll = tfd_poll,
    .wait_queue = tfd_wait_queue,
};

SYSCALL2(timerfd_create, clockid, flags)
{
    if (clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM)
        return -EPERM; /* CAP_WAKE_ALARM: nothing in the VM can wake a suspended host */
    if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC && clockid != CLOCK_BOOTTIME)
        return -EINVAL;
    if (flags & ~(u64)(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    struct timerfd *t = kmalloc(sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->clock = clockid;
    t->timer.fn = tfd_fire;
    t->timer.priv = t;
    s64 fd =
        anon_file_install(&timerfd_ops, O_RDWR | (u32)(flags & O_NONBLOCK), t, flags & O_CLOEXEC);
    if (fd == -ENFILE)
        kfree(t);
    return fd;
}

static struct linux_timespec ns_to_timespec(s64 ns)
{
    return (struct linux_timespec){ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
}

static bool timespec_ok(const struct linux_timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

static s64 timespec_ns(const struct linux_timespec *ts)
{
    if (ts->tv_sec > (NSEC_FOREVER - ts->tv_nsec) / NSEC_PER_SEC)
        return NSEC_FOREVER;
    return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* What timerfd_gettime says of t: the time to the next expiration and the interval. */
static struct linux_itimerspec tfd_current(struct timerfd *t)
{
    tfd_update(t);
    s64 left = t->expiry ? t->expiry - clock_now(t->clock) : 0;
    if (t->expiry && left <= 0)
        left = 1; /* due this very moment: Linux says 1 ns rather than "disarmed" */
    return (struct linux_itimerspec){ns_to_timespec(t->interval), ns_to_timespec(left)};
}

/* The timerfd behind fd: -EBADF, -EINVAL (another kind of file), or 0 with *out. */
static s64 tfd_get(u64 fd, struct timerfd **out)
{
    struct file *f = fd_get((s32)fd);
    if (!f)
        return -EBADF;
    if (f->ops != &timerfd_ops)
        return -EINVAL;
    *out = tfd_of(f);
    return 0;
}

SYSCALL4(timerfd_settime, fd, flags, new_value, old_value)
{
    struct linux_itimerspec nv;
    if (copy_from_user(&nv, new_value, sizeof(nv)))
        return -EFAULT;
    if (flags & ~(u64)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
        return -EINVAL;
    if (!timespec_ok(&nv.it_value) || !timespec_ok(&nv.it_interval))
        return -EINVAL;
    struct timerfd *t;
    s64 err = tfd_get(fd, &t);
    if (err)
        return err;
    struct linux_itimerspec old = tfd_current(t);
    timer_cancel(&t->timer);
    t->ticks = 0;
    t->expiry = 0;
    t->interval = timespec_ns(&nv.it_interval);
    s64 value = timespec_ns(&nv.it_value);
    if (value) {
        if (flags & TFD_TIMER_ABSTIME)
            t->expiry = value;
        else
            t->expiry = deadline_after(t->clock, value);
        if (t->expiry <= 0)
            t->expiry = 1; /* an absolute time at or before the epoch: due now */
        timer_arm(&t->timer, to_monotonic(t->clock, t->expiry));
    }
    if (old_value && copy_to_user(old_value, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL2(timerfd_gettime, fd, curr_value)
{
    struct timerfd *t;
    s64 err = tfd_get(fd, &t);
    if (err)
        return err;
    struct linux_itimerspec cur = tfd_current(t);
    return copy_to_user(curr_value, &cur, sizeof(cur)) ? -EFAULT : 0;
}
