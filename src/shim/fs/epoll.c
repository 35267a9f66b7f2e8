/*
 * epoll, as Linux's: an instance is an open file (it can be polled, and watched by
 * another epoll), holding an interest list of (descriptor, open file) pairs and a
 * ready list.
 *
 * Each registration (struct epitem) puts a callback entry on the watched file's queue
 * (wait_prepare_fn, kernel/wait.h): a wake-up there puts the item on the ready list
 * and wakes the instance's own queue, where epoll_wait sleeps and outer epolls listen.
 * epoll_wait asks each ready item's file for its readiness again (file_poll) before
 * reporting it, since a wake-up only says the answer may have changed. A
 * level-triggered item goes back on the ready list after it is reported, so the next
 * call asks again; an edge-triggered one waits for the next wake-up; a one-shot one
 * is disabled until EPOLL_CTL_MOD.
 *
 * A registration lives with the open file description, not the descriptor: dup'ed
 * descriptors keep it, and it goes when the file's last reference does (file_put
 * calls epoll_file_gone), as on Linux.
 *
 * EPOLLEXCLUSIVE is accepted where Linux accepts it; every waiter is woken, which is
 * what it means while the workload has one task.
 */
#include "fs/anon.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "kernel/clock.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLIN        0x001u
#define EPOLLOUT       0x004u
#define EPOLLERR       0x008u
#define EPOLLHUP       0x010u
#define EPOLLRDNORM    0x040u
#define EPOLLWRNORM    0x100u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)

/* the bits that say how to report, not what */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS                                                                     \
    (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM | EPOLLERR | EPOLLHUP | EPOLLWAKEUP |          \
     EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_NESTS  4 /* how deep epolls may nest inside each other, as Linux's */
#define EP_MAX_EVENTS (0x7fffffff / 12)

struct linux_epoll_event {
    u32 events;
    u64 data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "x86-64's struct epoll_event");

struct eventpoll;

struct epitem {
    struct eventpoll *ep;
    struct file *file;
    s32 fd;
    u32 events; /* asked for, with EPOLLERR | EPOLLHUP; no event bits: a spent one-shot */
    u64 data;
    struct wait_entry we;     /* on the file's queue */
    struct epitem *ep_next;   /* the instance's interest list */
    struct epitem *file_next; /* the file's registrations (file->epolls) */
    struct epitem *rd_next;   /* the ready list */
    bool ready;               /* on the ready list */
};

struct eventpoll {
    struct epitem *items;
    struct epitem *rd_first, *rd_last;
    struct wait_queue wq; /* epoll_wait's sleepers and whoever polls this instance */
};

static const struct file_ops epoll_ops;

static bool is_epoll(struct file *f)
{
    return f->ops == &epoll_ops;
}

static struct eventpoll *ep_of(struct file *f)
{
    return (struct eventpoll *)f->priv;
}

static void rd_add(struct epitem *it)
{
    struct eventpoll *ep = it->ep;
    if (it->ready)
        return;
    it->ready = true;
    it->rd_next = NULL;
    if (ep->rd_last)
        ep->rd_last->rd_next = it;
    else
        ep->rd_first = it;
    ep->rd_last = it;
}

static void rd_remove(struct epitem *it)
{
    struct eventpoll *ep = it->ep;
    if (!it->ready)
        return;
    struct epitem *prev = NULL;
    for (struct epitem *i = ep->rd_first; i; prev = i, i = i->rd_next) {
        if (i == it) {
            if (prev)
                prev->rd_next = it->rd_next;
            else
                ep->rd_first = it->rd_next;
            if (ep->rd_last == it)
                ep->rd_last = prev;
            break;
        }
    }
    it->ready = false;
}

/* The watched file's queue was woken: its readiness may have changed. */
static void item_woken(struct wait_entry *e)
{
    struct epitem *it = e->priv;
    if (!(it->events & ~EP_PRIVATE_BITS))
        return; /* a one-shot already reported, until EPOLL_CTL_MOD */
    rd_add(it);
    wake_up(&it->ep->wq);
}

static u32 item_poll(struct epitem *it)
{
    return file_poll(it->file) & it->events & ~EP_PRIVATE_BITS;
}

static void item_remove(struct epitem *it)
{
    wait_finish(&it->we);
    rd_remove(it);
    for (struct epitem **p = &it->ep->items; *p; p = &(*p)->ep_next) {
        if (*p == it) {
            *p = it->ep_next;
            break;
        }
    }
    for (struct epitem **p = &it->file->epolls; *p; p = &(*p)->file_next) {
        if (*p == it) {
            *p = it->file_next;
            break;
        }
    }
    kfree(it);
}

void epoll_file_gone(struct file *f)
{
    while (f->epolls)
        item_remove(f->epolls);
}

static struct epitem *item_find(struct eventpoll *ep, struct file *f, s32 fd)
{
    for (struct epitem *it = ep->items; it; it = it->ep_next)
        if (it->file == f && it->fd == fd)
            return it;
    return NULL;
}

/* Whether an item of this instance is ready now; items the ready list holds that are
 * not are dropped from it, as Linux's poll of an epoll does. */
static u32 epoll_poll(struct file *f)
{
    struct eventpoll *ep = ep_of(f);
    struct epitem *it = ep->rd_first;
    while (it) {
        struct epitem *next = it->rd_next;
        if (item_poll(it))
            return POLLIN | POLLRDNORM;
        rd_remove(it);
        it = next;
    }
    return 0;
}

static struct wait_queue *epoll_wait_queue(struct file *f)
{
    return &ep_of(f)->wq;
}

static void epoll_release(struct file *f)
{
    struct eventpoll *ep = ep_of(f);
    while (ep->items)
        item_remove(ep->items);
    kfree(ep);
}

static s64 epoll_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    return anon_stat(st);
}

static size_t epoll_link_name(struct file *f, char *buf, size_t size)
{
    (void)f;
    return anon_link_name("eventpoll", buf, size);
}

static const struct file_ops epoll_ops = {
    .stat = epoll_stat,
    .release = epoll_release,
    .link_name = epoll_link_name,
    .poll = epoll_poll,
    .wait_queue = epoll_wait_queue,
};

static s64 epoll_new(u32 flags)
{
    struct eventpoll *ep = kmalloc(sizeof(*ep));
    if (!ep)
        return -ENOMEM;
    s64 fd = anon_file_install(&epoll_ops, O_RDWR, ep, flags & O_CLOEXEC);
    if (fd == -ENFILE)
        kfree(ep);
    return fd;
}

SYSCALL1(epoll_create, size)
{
    return (s32)size <= 0 ? -EINVAL : epoll_new(0);
}

SYSCALL1(epoll_create1, flags)
{
    return flags & ~(u64)O_CLOEXEC ? -EINVAL : epoll_new((u32)flags);
}

/* Whether watching `target` (an epoll) from ep would make a loop or nest epolls
 * deeper than Linux allows: a walk down from target that must not meet ep. */
static bool loops(struct eventpoll *ep, struct eventpoll *target, int depth)
{
    if (target == ep || depth > EP_MAX_NESTS)
        return true;
    for (struct epitem *it = target->items; it; it = it->ep_next)
        if (is_epoll(it->file) && loops(ep, ep_of(it->file), depth + 1))
            return true;
    return false;
}

static s64 item_add(struct eventpoll *ep, struct file *tf, s32 fd, u32 events, u64 data)
{
    struct epitem *it = kmalloc(sizeof(*it));
    if (!it)
        return -ENOMEM;
    it->ep = ep;
    it->file = tf;
    it->fd = fd;
    it->events = events;
    it->data = data;
    it->ep_next = ep->items;
    ep->items = it;
    it->file_next = tf->epolls;
    tf->epolls = it;
    struct wait_queue *q = file_wait_queue(tf);
    if (q)
        wait_prepare_fn(&it->we, q, item_woken, it);
    if (item_poll(it)) {
        rd_add(it);
        wake_up(&ep->wq);
    }
    return 0;
}

SYSCALL4(epoll_ctl, epfd, op, fd, event)
{
    struct linux_epoll_event ev = {0};
    if (op != EPOLL_CTL_DEL && copy_from_user(&ev, event, sizeof(ev)))
        return -EFAULT;
    struct file *f = fd_get((s32)epfd), *tf = fd_get((s32)fd);
    if (!f || !tf)
        return -EBADF;
    if (!file_can_poll(tf))
        return -EPERM;
    if (f == tf || !is_epoll(f))
        return -EINVAL;
    if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
        if (op == EPOLL_CTL_MOD)
            return -EINVAL;
        if (op == EPOLL_CTL_ADD && (is_epoll(tf) || (ev.events & ~EPOLLEXCLUSIVE_OK_BITS)))
            return -EINVAL;
    }
    struct eventpoll *ep = ep_of(f);
    struct epitem *it = item_find(ep, tf, (s32)fd);
    switch (op) {
    case EPOLL_CTL_ADD:
        if (it)
            return -EEXIST;
        if (is_epoll(tf) && loops(ep, ep_of(tf), 0))
            return -ELOOP;
        return item_add(ep, tf, (s32)fd, ev.events | EPOLLERR | EPOLLHUP, ev.data);
    case EPOLL_CTL_DEL:
        if (!it)
            return -ENOENT;
        item_remove(it);
        return 0;
    case EPOLL_CTL_MOD:
        if (!it)
            return -ENOENT;
        if (it->events & EPOLLEXCLUSIVE)
            return -EINVAL;
        it->events = ev.events | EPOLLERR | EPOLLHUP;
        it->data = ev.data;
        if (item_poll(it)) {
            rd_add(it);
            wake_up(&ep->wq);
        }
        return 0;
    default:
        return -EINVAL;
    }
}

/* Reports up to max ready items to uevents: how many, or -EFAULT if none could be. */
static s64 send_events(struct eventpoll *ep, u64 uevents, s32 max)
{
    struct epitem *list = ep->rd_first;
    ep->rd_first = ep->rd_last = NULL;
    s64 n = 0;
    while (list && n < max) {
        struct epitem *it = list;
        list = it->rd_next;
        it->ready = false;
        u32 revents = item_poll(it);
        if (!revents)
            continue; /* woken, but not ready for what it asks: dropped */
        struct linux_epoll_event ev = {revents, it->data};
        if (copy_to_user(uevents + (u64)n * sizeof(ev), &ev, sizeof(ev))) {
            rd_add(it);
            if (!n)
                n = -EFAULT;
            break;
        }
        n++;
        if (it->events & EPOLLONESHOT)
            it->events &= EP_PRIVATE_BITS;
        else if (!(it->events & EPOLLET))
            rd_add(it); /* level-triggered: asked again next time */
    }
    /* the items not looked at stay ready, ahead of those put back */
    if (list) {
        struct epitem *last = list;
        while (last->rd_next)
            last = last->rd_next;
        last->rd_next = ep->rd_first;
        if (!ep->rd_first)
            ep->rd_last = last;
        ep->rd_first = list;
    }
    return n;
}

static s64 do_epoll_wait(u64 epfd, u64 uevents, u64 maxevents, s64 deadline)
{
    if ((s32)maxevents <= 0 || (s32)maxevents > EP_MAX_EVENTS)
        return -EINVAL;
    struct file *f = fd_get((s32)epfd);
    if (!f)
        return -EBADF;
    if (!is_epoll(f))
        return -EINVAL;
    struct eventpoll *ep = ep_of(f);
    struct wait_entry e = {0};
    bool prepared = false, timed_out = deadline <= clock_monotonic_ns();
    s64 n;
    for (;;) {
        n = ep->rd_first ? send_events(ep, uevents, (s32)maxevents) : 0;
        if (n || timed_out)
            break;
        if (!prepared) {
            wait_prepare(&e, &ep->wq); /* then look once more before sleeping */
            prepared = true;
            continue;
        }
        s64 r = task_wait(CLOCK_MONOTONIC, deadline, true);
        if (r == -EINTR) {
            n = -EINTR; /* never restarted after a handler, as on Linux */
            break;
        }
        if (r == -ETIMEDOUT)
            timed_out = true;
        wait_rearm();
    }
    wait_finish(&e);
    return n;
}

SYSCALL4(epoll_wait, epfd, events, maxevents, timeout)
{
    return do_epoll_wait(epfd, events, maxevents, deadline_after_ms((s32)timeout));
}

SYSCALL6(epoll_pwait, epfd, events, maxevents, timeout, sigmask, sigsetsize)
{
    struct saved_sigmask saved;
    s64 err = wait_sigmask_set(sigmask, sigsetsize, &saved);
    if (err)
        return err;
    s64 r = do_epoll_wait(epfd, events, maxevents, deadline_after_ms((s32)timeout));
    wait_sigmask_restore(&saved);
    return r;
}

SYSCALL6(epoll_pwait2, epfd, events, maxevents, timeout, sigmask, sigsetsize)
{
    s64 deadline, rel;
    s64 err = deadline_from_timespec(timeout, &deadline, &rel);
    if (err)
        return err;
    struct saved_sigmask saved;
    err = wait_sigmask_set(sigmask, sigsetsize, &saved);
    if (err)
        return err;
    s64 r = do_epoll_wait(epfd, events, maxevents, deadline);
    wait_sigmask_restore(&saved);
    return r;
}
