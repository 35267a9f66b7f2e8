/*
 * Signal-driven I/O (O_ASYNC, F_SETOWN), as Linux's fasync for the files that can wait.
 *
 * An owned file keeps a callback entry on its readiness queue (file_wait_queue, as
 * epoll's items do); each wake-up asks the file for its readiness and, when O_ASYNC is
 * set and the file is readable, has hung up or failed, sends SIGIO (si_code SI_KERNEL,
 * as Linux's default without F_SETSIG) to the owner. A wake-up only says readiness may
 * have changed, so a file that stays readable may signal again: SIGIO is a standard
 * signal, and pending ones merge, as a handler written for Linux expects. Write space
 * (Linux's POLL_OUT after a writer found none) is not signalled. The owner is looked up
 * at each signal by its number: a process gone by then is sent nothing.
 */
#include "fs/fasync.h"
#include "fs/file.h"
#include "kernel/process.h"
#include "kernel/signal.h"
#include "kernel/wait.h"
#include "mm/kmalloc.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define SIGIO 29

struct file_async {
    struct wait_entry we;
    struct file *f;
    s32 owner;   /* > 0 a pid, < 0 a process group, 0 nobody */
    bool thread; /* owner names one thread (F_OWNER_TID) */
    bool inside; /* sending: a wake-up the signal itself causes is not a new event */
};

static void send_sigio(s32 owner, bool thread)
{
    if (thread) {
        struct task *t = task_by_tid(owner);
        if (t)
            signal_send_task(t, SIGIO, NULL);
        return;
    }
    if (owner > 0) {
        struct process *p = process_by_pid(owner);
        if (p)
            signal_send_to(p, SIGIO, NULL);
        return;
    }
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == -owner)
            signal_send_to(p, SIGIO, NULL);
}

static void file_woken(struct wait_entry *e)
{
    struct file_async *a = e->priv;
    if (a->inside || !a->owner || !(a->f->flags & O_ASYNC))
        return;
    if (!(file_poll(a->f) & (POLLIN | POLLHUP | POLLERR)))
        return;
    a->inside = true;
    send_sigio(a->owner, a->thread);
    a->inside = false;
}

/* f's state, made on first use; NULL without memory. */
static struct file_async *async_of(struct file *f)
{
    if (f->async)
        return f->async;
    struct file_async *a = kmalloc(sizeof(*a));
    if (!a)
        return NULL;
    a->f = f;
    struct wait_queue *q = file_wait_queue(f);
    if (q)
        wait_prepare_fn(&a->we, q, file_woken, a);
    f->async = a;
    return a;
}

static bool owner_exists(s64 who)
{
    if (who > 0)
        return process_by_pid((s32)who) || task_by_tid((s32)who);
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == -who)
            return true;
    return false;
}

static s64 set_owner(struct file *f, s32 who, bool thread)
{
    if (who && !(thread ? task_by_tid(who) != NULL : owner_exists(who)))
        return -ESRCH;
    if (!who && !f->async)
        return 0;
    struct file_async *a = async_of(f);
    if (!a)
        return -ENOMEM;
    a->owner = who;
    a->thread = thread;
    return 0;
}

s64 fasync_set_owner(struct file *f, s64 who)
{
    who = (s32)who; /* Linux takes the argument as an int */
    if (who == -2147483647 - 1)
        return -EINVAL;
    return set_owner(f, (s32)who, false);
}

s64 fasync_owner(struct file *f)
{
    return f->async ? f->async->owner : 0;
}

#define F_OWNER_TID  0
#define F_OWNER_PID  1
#define F_OWNER_PGRP 2

struct f_owner_ex {
    s32 type, pid;
};

s64 fasync_set_owner_ex(struct file *f, u64 uarg)
{
    struct f_owner_ex o;
    if (copy_from_user(&o, uarg, sizeof(o)))
        return -EFAULT;
    if (o.type != F_OWNER_TID && o.type != F_OWNER_PID && o.type != F_OWNER_PGRP)
        return -EINVAL;
    if (o.pid < 0)
        return -EINVAL;
    return set_owner(f, o.type == F_OWNER_PGRP ? -o.pid : o.pid, o.type == F_OWNER_TID);
}

s64 fasync_owner_ex(struct file *f, u64 uarg)
{
    s32 owner = fasync_owner(f);
    struct f_owner_ex o = {F_OWNER_PID, owner};
    if (f->async && f->async->thread)
        o.type = F_OWNER_TID;
    else if (owner < 0)
        o = (struct f_owner_ex){F_OWNER_PGRP, -owner};
    return copy_to_user(uarg, &o, sizeof(o)) ? -EFAULT : 0;
}

void fasync_flags_changed(struct file *f)
{
    /* the entry is on the queue from the first F_SETOWN or FIOASYNC; O_ASYNC set with
     * no owner yet signals nobody, as Linux */
    if ((f->flags & O_ASYNC) && !f->async)
        async_of(f);
}

s64 fasync_ioctl(struct file *f, u64 arg)
{
    s32 on;
    if (copy_from_user(&on, arg, sizeof(on)))
        return -EFAULT;
    f->flags = on ? f->flags | O_ASYNC : f->flags & ~(u32)O_ASYNC;
    fasync_flags_changed(f);
    return 0;
}

void fasync_file_gone(struct file *f)
{
    if (!f->async)
        return;
    wait_finish(&f->async->we);
    kfree(f->async);
    f->async = NULL;
}
