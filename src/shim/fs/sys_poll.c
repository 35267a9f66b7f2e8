/*
 * poll, ppoll, select and pselect6 over any open file: each file says its readiness
 * (file_poll) and the queue woken when that may change (file_wait_queue). The call
 * puts one entry on each queue, checks every file, and sleeps until a wake-up, the
 * deadline or a signal, then checks again: a wake-up between the check and the sleep
 * is not lost (kernel/wait.h). Interrupted, they return EINTR: Linux never restarts
 * them after a handler.
 *
 * The time left goes back into ppoll's and pselect6's timespec and select's timeval,
 * as Linux's system calls (not their C library wrappers) do.
 */
#include "fs/poll.h"
#include "fs/file.h"
#include "kernel/clock.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define RLIMIT_NOFILE 7
#define UNBLOCKABLE   ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))
#define FD_SET_BITS   1024 /* FD_SETSIZE: the descriptor table holds no more */

s64 wait_sigmask_set(u64 usigmask, u64 sigsetsize, struct saved_sigmask *saved)
{
    saved->set = false;
    if (!usigmask)
        return 0;
    if (sigsetsize != sizeof(u64))
        return -EINVAL;
    u64 mask;
    if (copy_from_user(&mask, usigmask, sizeof(mask)))
        return -EFAULT;
    struct task *t = current_task();
    saved->mask = t->sigmask;
    saved->set = true;
    t->sigmask = mask & ~UNBLOCKABLE;
    return 0;
}

void wait_sigmask_restore(const struct saved_sigmask *saved)
{
    /* when signals are delivered, a handler for a signal the wait let through runs
     * under the wait's mask; that is signal delivery's to decide (kernel/signal.c) */
    if (saved->set)
        current_task()->sigmask = saved->mask;
}

s64 deadline_after_ms(s64 ms)
{
    if (ms < 0)
        return NSEC_FOREVER;
    return deadline_after(CLOCK_MONOTONIC, ms * 1000000);
}

s64 deadline_from_timespec(u64 uts, s64 *deadline, s64 *rel)
{
    *deadline = NSEC_FOREVER;
    *rel = -1;
    if (!uts)
        return 0;
    s64 err = timespec_from_user(uts, rel);
    if (err)
        return err;
    *deadline = deadline_after(CLOCK_MONOTONIC, *rel);
    return 0;
}

/* One descriptor polled: what is asked, what is found, the entry on its queue. */
struct polled {
    s32 fd;
    u32 events, revents;
    struct wait_entry e;
};

/*
 * Waits until one of items is ready or deadline (CLOCK_MONOTONIC) passes: how many
 * are ready (each item's revents says what), or -EINTR. `select_bits`: revents is
 * what events asks and nothing else (select's sets); otherwise POLLERR and POLLHUP
 * are always reported and a descriptor not open is POLLNVAL (poll's rules).
 */
static s64 poll_items(struct polled *items, u64 n, s64 deadline, bool select_bits)
{
    bool timed_out = deadline <= clock_monotonic_ns();
    s64 count;
    /* on every queue before the first look: a wake-up after it is not lost (preparing
     * clears the task's mark, so none is prepared between two looks) */
    for (u64 i = 0; i < n && !timed_out; i++) {
        struct file *f = items[i].fd >= 0 ? fd_get(items[i].fd) : NULL;
        struct wait_queue *q = f ? file_wait_queue(f) : NULL;
        if (q)
            wait_prepare(&items[i].e, q);
    }
    for (;;) {
        count = 0;
        for (u64 i = 0; i < n; i++) {
            struct polled *it = &items[i];
            it->revents = 0;
            if (it->fd < 0)
                continue;
            /* looked up again at each pass, as Linux's poll: a descriptor closed
             * meanwhile is POLLNVAL (the file itself stays held by the call) */
            struct file *f = fd_peek(it->fd);
            if (!f) {
                it->revents = select_bits ? 0 : POLLNVAL;
            } else {
                u32 want = select_bits ? it->events : it->events | POLLERR | POLLHUP;
                it->revents = file_poll(f) & want;
            }
            if (it->revents)
                count++;
        }
        if (count || timed_out)
            break;
        s64 r = task_wait(CLOCK_MONOTONIC, deadline, true);
        if (r == -EINTR) {
            count = -EINTR;
            break;
        }
        if (r == -ETIMEDOUT)
            timed_out = true; /* one last look, as Linux takes */
        wait_rearm();
    }
    for (u64 i = 0; i < n; i++)
        wait_finish(&items[i].e);
    return count;
}

/* Writes the time left until deadline back to a timespec (or a timeval) at uts, as
 * Linux does for a timeout that was not zero; a fault there changes nothing. */
static void timeout_write_back(u64 uts, s64 deadline, bool timeval, bool zero_timeout)
{
    if (!uts || zero_timeout || deadline == NSEC_FOREVER)
        return;
    s64 left = deadline - clock_monotonic_ns();
    if (left < 0)
        left = 0;
    if (timeval) {
        struct linux_timeval tv = {left / NSEC_PER_SEC, (left % NSEC_PER_SEC) / 1000};
        copy_to_user(uts, &tv, sizeof(tv));
    } else {
        struct linux_timespec ts = {left / NSEC_PER_SEC, left % NSEC_PER_SEC};
        copy_to_user(uts, &ts, sizeof(ts));
    }
}

struct linux_pollfd {
    s32 fd;
    s16 events, revents;
};

static s64 do_poll(u64 ufds, u64 nfds, s64 deadline)
{
    if (nfds > current_process()->rlimits[RLIMIT_NOFILE][0] || nfds > MAX_FDS * 4)
        return -EINVAL;
    struct polled *items = kmalloc(nfds ? nfds * sizeof(*items) : 1);
    struct linux_pollfd *pfds = kmalloc(nfds ? nfds * sizeof(*pfds) : 1);
    s64 r = -ENOMEM;
    if (!items || !pfds)
        goto out;
    r = -EFAULT;
    if (nfds && copy_from_user(pfds, ufds, nfds * sizeof(*pfds)))
        goto out;
    for (u64 i = 0; i < nfds; i++) {
        items[i].fd = pfds[i].fd;
        items[i].events = (u16)pfds[i].events;
    }
    r = poll_items(items, nfds, deadline, false);
    if (r < 0)
        goto out;
    for (u64 i = 0; i < nfds; i++)
        pfds[i].revents = (s16)items[i].revents;
    /* only revents is written, as Linux writes it: the rest may change meanwhile */
    for (u64 i = 0; i < nfds; i++) {
        if (copy_to_user(ufds + i * sizeof(*pfds) + 6, &pfds[i].revents, 2)) {
            r = -EFAULT;
            break;
        }
    }
out:
    kfree(items);
    kfree(pfds);
    return r;
}

SYSCALL3(poll, fds, nfds, timeout)
{
    return do_poll(fds, nfds, deadline_after_ms((s32)timeout));
}

SYSCALL5(ppoll, fds, nfds, tmo_p, sigmask, sigsetsize)
{
    s64 deadline, rel;
    s64 err = deadline_from_timespec(tmo_p, &deadline, &rel);
    if (err)
        return err;
    struct saved_sigmask saved;
    err = wait_sigmask_set(sigmask, sigsetsize, &saved);
    if (err)
        return err;
    s64 r = do_poll(fds, nfds, deadline);
    wait_sigmask_restore(&saved);
    timeout_write_back(tmo_p, deadline, false, rel == 0);
    return r;
}

/* select's three sets, n bits each. */
struct fd_sets {
    u64 in[FD_SET_BITS / 64], out[FD_SET_BITS / 64], ex[FD_SET_BITS / 64];
};

static bool bit(const u64 *set, u64 fd)
{
    return set[fd / 64] >> (fd % 64) & 1;
}

static s64 read_set(u64 *set, u64 uset, u64 n)
{
    memzero(set, FD_SET_BITS / 8);
    u64 bytes = (n + 63) / 64 * 8;
    return uset && copy_from_user(set, uset, bytes) ? -EFAULT : 0;
}

static s64 do_select(u64 n, u64 uin, u64 uout, u64 uex, s64 deadline)
{
    if ((s32)n < 0)
        return -EINVAL;
    n = (u32)n;
    if (n > FD_SET_BITS)
        n = FD_SET_BITS; /* Linux stops at the table's size too */
    struct fd_sets *s = kmalloc(sizeof(*s));
    struct polled *items = kmalloc(n ? n * sizeof(*items) : 1);
    s64 r = -ENOMEM;
    if (!s || !items)
        goto out;
    if ((r = read_set(s->in, uin, n)) || (r = read_set(s->out, uout, n)) ||
        (r = read_set(s->ex, uex, n)))
        goto out;
    u64 count = 0;
    for (u64 fd = 0; fd < n; fd++) {
        u32 events = (bit(s->in, fd) ? POLLIN_SET : 0) | (bit(s->out, fd) ? POLLOUT_SET : 0) |
                     (bit(s->ex, fd) ? POLLEX_SET : 0);
        if (!events)
            continue;
        if (!fd_get((s64)fd)) {
            r = -EBADF;
            goto out;
        }
        items[count++] = (struct polled){.fd = (s32)fd, .events = events};
    }
    r = poll_items(items, count, deadline, true);
    if (r < 0)
        goto out;
    u64 bytes = (n + 63) / 64 * 8;
    memzero(s, sizeof(*s));
    r = 0;
    for (u64 i = 0; i < count; i++) {
        u64 fd = (u64)items[i].fd, m = 1ull << (fd % 64);
        u32 rev = items[i].revents;
        if ((rev & POLLIN_SET) && (items[i].events & POLLIN)) {
            s->in[fd / 64] |= m;
            r++;
        }
        if ((rev & POLLOUT_SET) && (items[i].events & POLLOUT)) {
            s->out[fd / 64] |= m;
            r++;
        }
        if ((rev & POLLEX_SET) && (items[i].events & POLLPRI)) {
            s->ex[fd / 64] |= m;
            r++;
        }
    }
    if ((uin && copy_to_user(uin, s->in, bytes)) || (uout && copy_to_user(uout, s->out, bytes)) ||
        (uex && copy_to_user(uex, s->ex, bytes)))
        r = -EFAULT;
out:
    kfree(s);
    kfree(items);
    return r;
}

SYSCALL5(select, nfds, readfds, writefds, exceptfds, timeout)
{
    s64 deadline = NSEC_FOREVER;
    bool zero = false;
    if (timeout) {
        struct linux_timeval tv;
        if (copy_from_user(&tv, timeout, sizeof(tv)))
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0)
            return -EINVAL;
        /* Linux carries whole seconds out of tv_usec rather than refusing them */
        s64 sec = tv.tv_sec + tv.tv_usec / 1000000, ns = tv.tv_usec % 1000000 * 1000;
        s64 rel = sec > (NSEC_FOREVER - ns) / NSEC_PER_SEC ? NSEC_FOREVER : sec * NSEC_PER_SEC + ns;
        zero = rel == 0;
        deadline = deadline_after(CLOCK_MONOTONIC, rel);
    }
    s64 r = do_select(nfds, readfds, writefds, exceptfds, deadline);
    timeout_write_back(timeout, deadline, true, zero);
    return r;
}

SYSCALL6(pselect6, nfds, readfds, writefds, exceptfds, timeout, sigmask)
{
    s64 deadline, rel;
    s64 err = deadline_from_timespec(timeout, &deadline, &rel);
    if (err)
        return err;
    struct saved_sigmask saved = {0};
    if (sigmask) {
        u64 pack[2]; /* { const sigset_t *ss; size_t ss_len } */
        if (copy_from_user(pack, sigmask, sizeof(pack)))
            return -EFAULT;
        err = wait_sigmask_set(pack[0], pack[1], &saved);
        if (err)
            return err;
    }
    s64 r = do_select(nfds, readfds, writefds, exceptfds, deadline);
    wait_sigmask_restore(&saved);
    timeout_write_back(timeout, deadline, false, rel == 0);
    return r;
}
