/*
 * eventfd and eventfd2, as Linux's: a 64-bit counter. A write of 8 bytes adds to it
 * (waiting while the sum would reach 0xffffffffffffffff); a read of 8 bytes takes all
 * of it, or 1 with EFD_SEMAPHORE (waiting while it is 0). Readiness: readable while
 * the counter is not 0, writable while 1 more fits. Waits are on the file's queue
 * (kernel/wait.h), woken at every change.
 */
#include "fs/anon.h"
#include "fs/file.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "kernel/wait.h"
#include "lib/lib.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define EFD_SEMAPHORE 1
#define EFD_MAX       0xfffffffffffffffeull /* the largest the counter holds */

struct eventfd {
    u64 count;
    bool semaphore;
    struct wait_queue wq;
};

static struct eventfd *efd_of(struct file *f)
{
    return (struct eventfd *)f->priv;
}

/* Waits until ok(e) or a signal: 0, -EAGAIN (non-blocking), -ERESTARTSYS. */
static s64 efd_wait(struct file *f, bool (*ok)(struct eventfd *, u64), u64 arg)
{
    struct eventfd *e = efd_of(f);
    if (ok(e, arg))
        return 0;
    if (f->flags & O_NONBLOCK)
        return -EAGAIN;
    struct wait_entry w;
    wait_prepare(&w, &e->wq);
    s64 r = 0;
    while (!ok(e, arg)) {
        if (task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, true) < 0) {
            r = -ERESTARTSYS; /* an eventfd read or write restarts under SA_RESTART */
            break;
        }
        wait_rearm();
    }
    wait_finish(&w);
    return r;
}

static bool has_count(struct eventfd *e, u64 unused)
{
    (void)unused;
    return e->count != 0;
}

static bool has_room(struct eventfd *e, u64 add)
{
    return EFD_MAX - e->count >= add;
}

static s64 efd_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct eventfd *e = efd_of(f);
    if (off >= 0)
        return -ESPIPE;
    if (iov_total(iov, cnt) < sizeof(u64))
        return -EINVAL;
    s64 r = efd_wait(f, has_count, 0);
    if (r)
        return r;
    u64 v = e->semaphore ? 1 : e->count;
    if (iov_copy_in(iov, cnt, 0, &v, sizeof(v)))
        return -EFAULT;
    e->count -= v;
    wake_up(&e->wq);
    return sizeof(v);
}

static s64 efd_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct eventfd *e = efd_of(f);
    if (off >= 0)
        return -ESPIPE;
    if (iov_total(iov, cnt) < sizeof(u64))
        return -EINVAL;
    u64 v;
    if (iov_copy_out(&v, iov, cnt, 0, sizeof(v)))
        return -EFAULT;
    if (v == ~0ull)
        return -EINVAL;
    s64 r = efd_wait(f, has_room, v);
    if (r)
        return r;
    e->count += v;
    wake_up(&e->wq);
    return sizeof(v);
}

static u32 efd_poll(struct file *f)
{
    struct eventfd *e = efd_of(f);
    u32 ready = 0;
    if (e->count)
        ready |= POLLIN | POLLRDNORM;
    if (e->count < EFD_MAX)
        ready |= POLLOUT | POLLWRNORM;
    return ready;
}

static struct wait_queue *efd_wait_queue(struct file *f)
{
    return &efd_of(f)->wq;
}

static void efd_release(struct file *f)
{
    kfree(efd_of(f));
}

static s64 efd_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    return anon_stat(st);
}

static size_t efd_link_name(struct file *f, char *buf, size_t size)
{
    (void)f;
    return anon_link_name("eventfd", buf, size);
}

static const struct file_ops eventfd_ops = {
    .read = efd_read,
    .write = efd_write,
    .stat = efd_stat,
    .release = efd_release,
    .link_name = efd_link_name,
    .poll = efd_poll,
    .wait_queue = efd_wait_queue,
};

static s64 do_eventfd(u64 initval, u64 flags)
{
    if (flags & ~(u64)(EFD_SEMAPHORE | O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    struct eventfd *e = kmalloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->count = (u32)initval; /* an unsigned int, as the call takes it */
    e->semaphore = flags & EFD_SEMAPHORE;
    s64 fd =
        anon_file_install(&eventfd_ops, O_RDWR | (u32)(flags & O_NONBLOCK), e, flags & O_CLOEXEC);
    if (fd == -ENFILE)
        kfree(e);
    return fd;
}

SYSCALL1(eventfd, initval)
{
    return do_eventfd(initval, 0);
}

SYSCALL2(eventfd2, initval, flags)
{
    return do_eventfd(initval, flags);
}
