/* The descriptor table and the pool of open file descriptions. */
#include "fs/fasync.h"
#include "fs/file.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "fs/vfs.h"
#include "kernel/process.h"
#include "mm/kmalloc.h"
#include "uapi/linux_abi.h"

#define MAX_FILES 1024

static struct file pool[MAX_FILES];

struct file *file_new(const struct file_ops *ops, u32 flags, u64 priv)
{
    for (unsigned i = 0; i < MAX_FILES; i++) {
        if (pool[i].refs == 0) {
            pool[i] = (struct file){ops, 1, flags, 0, priv, NULL, NULL, NULL};
            return &pool[i];
        }
    }
    return NULL;
}

void file_put(struct file *f)
{
    if (--f->refs)
        return;
    if (f->epolls)
        epoll_file_gone(f);
    fasync_file_gone(f);
    if (f->ops->release)
        f->ops->release(f);
    if (f->inode)
        vfs_file_closed(f->inode);
}

u32 file_always_ready(struct file *f)
{
    return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

u32 file_poll(struct file *f)
{
    return f->ops->poll ? f->ops->poll(f) : file_always_ready(f);
}

struct wait_queue *file_wait_queue(struct file *f)
{
    return f->ops->wait_queue ? f->ops->wait_queue(f) : NULL;
}

bool file_can_poll(struct file *f)
{
    u32 (*poll)(struct file *) = f->ops->poll;
    if (!poll || poll == file_always_ready)
        return false;
    return !f->ops->can_poll || f->ops->can_poll(f);
}

struct fdtable *fdtable_create(void)
{
    return kmalloc(sizeof(struct fdtable));
}

struct fdtable *fdtable_clone(const struct fdtable *t)
{
    struct fdtable *copy = fdtable_create();
    if (!copy)
        return NULL;
    memcpy(copy, t, sizeof(*copy));
    for (unsigned fd = 0; fd < MAX_FDS; fd++)
        if (copy->fd[fd])
            copy->fd[fd]->refs++;
    return copy;
}

void fdtable_free(struct fdtable *t)
{
    for (unsigned fd = 0; fd < MAX_FDS; fd++)
        if (t->fd[fd])
            file_put(t->fd[fd]);
    kfree(t);
}

void fdtable_close_on_exec(struct fdtable *t)
{
    for (unsigned fd = 0; fd < MAX_FDS; fd++)
        if (t->fd[fd] && t->cloexec[fd]) {
            file_put(t->fd[fd]);
            t->fd[fd] = NULL;
            t->cloexec[fd] = false;
        }
}

static struct fdtable *files(void)
{
    return current_process()->files;
}

struct file *fd_peek(s64 fd)
{
    if (fd < 0 || fd >= MAX_FDS)
        return NULL;
    return files()->fd[fd];
}

/* Records f as held by the current call; false when no memory is left for the record. */
static bool hold_for_call(struct task *t, struct file *f)
{
    u32 inline_cap = sizeof(t->held) / sizeof(t->held[0]);
    for (u32 i = 0; i < t->nheld && i < inline_cap; i++)
        if (t->held[i] == f)
            return true; /* once is enough: the same file looked up again */
    if (t->nheld < inline_cap) {
        t->held[t->nheld++] = f;
    } else {
        u32 k = t->nheld - inline_cap;
        if (k == t->held_cap) {
            u32 cap = t->held_cap ? 2 * t->held_cap : 32;
            struct file **more = krealloc(t->held_more, cap * sizeof(*more));
            if (!more)
                return false;
            t->held_more = more;
            t->held_cap = cap;
        }
        t->held_more[k] = f;
        t->nheld++;
    }
    f->refs++;
    return true;
}

struct file *fd_get(s64 fd)
{
    struct file *f = fd_peek(fd);
    /* no memory for the record: the call goes on without the guarantee, as before */
    if (f)
        hold_for_call(current_task(), f);
    return f;
}

void file_calls_done(void)
{
    struct task *t = current_task();
    u32 inline_cap = sizeof(t->held) / sizeof(t->held[0]);
    while (t->nheld) {
        u32 i = --t->nheld;
        file_put(i < inline_cap ? t->held[i] : t->held_more[i - inline_cap]);
    }
}

s64 fd_install(struct file *f, s64 min, bool close_on_exec)
{
    struct fdtable *t = files();
    for (s64 fd = min < 0 ? 0 : min; fd < MAX_FDS; fd++) {
        if (!t->fd[fd]) {
            t->fd[fd] = f;
            t->cloexec[fd] = close_on_exec;
            f->refs++;
            return fd;
        }
    }
    return -EMFILE;
}

s64 fd_install_at(struct file *f, s64 fd, bool close_on_exec)
{
    if (fd < 0 || fd >= MAX_FDS)
        return -EBADF;
    struct fdtable *t = files();
    f->refs++; /* first, in case f is what fd holds now */
    if (t->fd[fd])
        file_put(t->fd[fd]);
    t->fd[fd] = f;
    t->cloexec[fd] = close_on_exec;
    return fd;
}

s64 fd_close(s64 fd)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    files()->fd[fd] = NULL;
    files()->cloexec[fd] = false;
    file_put(f);
    return 0;
}

bool fd_cloexec(s64 fd)
{
    return fd >= 0 && fd < MAX_FDS && files()->cloexec[fd];
}

void fd_set_cloexec(s64 fd, bool on)
{
    if (fd >= 0 && fd < MAX_FDS)
        files()->cloexec[fd] = on;
}
