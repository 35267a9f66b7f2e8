/*
 * /proc/PID and /proc/PID/task/TID: what a process, or one of its threads, shows of
 * itself (exe, cwd, fd/, maps, mounts, stat, status, cmdline, comm; task/ in a
 * process's directory), for any process process_by_pid finds, read from THAT process's
 * state (its mm, descriptor table, cwd, threads), never the caller's.
 *
 * Each directory's inodes form a set, made at its first lookup and keyed by (pid, tid).
 * A set names its process by pid, never by pointer: every lookup, open and readlink
 * finds the process again, so a set that outlives its process answers ENOENT, as Linux's
 * /proc/PID of a process that is gone does. The sets of processes and threads that are
 * gone are freed at the next set's making, once none of their inodes is open, anyone's
 * working directory, or the parent of another set: inodes have no reference count, and
 * those are the only places that keep one past a system call. A pid used again finds its
 * old set, if still kept, and shows the new process.
 */
#include "fs/fs_proc_pid.h"
#include "fs/file.h"
#include "fs/fs_image.h"
#include "kernel/clock.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "lib/lib.h"
#include "mm/iov.h"
#include "mm/kmalloc.h"
#include "mm/mm.h"
#include "uapi/errno.h"

enum pid_node_kind {
    PN_DIR, /* the directory itself */
    PN_EXE,
    PN_CWD,
    PN_FD,
    PN_MAPS,
    PN_MOUNTS,
    PN_STAT,
    PN_STATUS,
    PN_CMDLINE,
    PN_COMM,
    PN_TASK, /* a process's directory only */
    PN_COUNT
};

static const char *const node_names[PN_COUNT] = {
    [PN_EXE] = "exe",       [PN_CWD] = "cwd",   [PN_FD] = "fd",         [PN_MAPS] = "maps",
    [PN_MOUNTS] = "mounts", [PN_STAT] = "stat", [PN_STATUS] = "status", [PN_CMDLINE] = "cmdline",
    [PN_COMM] = "comm",     [PN_TASK] = "task",
};

struct pid_set;

struct pid_node {
    struct inode inode;
    struct pid_set *set;
    enum pid_node_kind kind;
};

/* fd/N: made at the first lookup of N, kept with the set */
struct fd_node {
    struct inode inode;
    struct pid_set *set;
    int fd;
    struct fd_node *next;
};

struct pid_set {
    s32 pid, tid;          /* tid 0: the process's own directory */
    struct pid_set *owner; /* a thread's set: its process's, whose task/ is its parent */
    struct pid_node nodes[PN_COUNT];
    struct fd_node *fds;
    struct pid_set *next;
};

static struct pid_set *sets;
static struct inode *proc_root;

static struct task *task_of(struct process *p, s32 tid)
{
    for (struct task *t = p->tasks; t; t = t->all_next)
        if (t->tid == tid)
            return t;
    return NULL;
}

/* The process a set shows and the thread that speaks for it (a thread's set: that
 * thread; a process's: its first thread, or any while that one has exited; NULL when
 * none is left). False when the process or the thread is gone. */
static bool target(const struct pid_set *s, struct process **p, struct task **t)
{
    *p = process_by_pid(s->pid);
    if (!*p)
        return false;
    *t = task_of(*p, s->tid ? s->tid : s->pid);
    if (!*t && s->tid)
        return false;
    if (!*t)
        *t = (*p)->tasks;
    return true;
}

static bool set_alive(const struct pid_set *s)
{
    struct process *p;
    struct task *t;
    return target(s, &p, &t);
}

static s64 copy_out(const char *s, size_t n, char *buf, size_t size)
{
    n = MIN(n, size);
    memcpy(buf, s, n);
    return (s64)n;
}

/* ---- generated files ---- */

static void comm_of(struct process *p, struct task *t, char comm[16])
{
    if (t) {
        task_comm(t, comm);
        return;
    }
    const char *s = strrchr(p->exe_path, '/');
    memzero(comm, 16);
    strlcpy(comm, s ? s + 1 : p->exe_path, 16);
}

static u64 vsize_of(const struct mm *mm)
{
    u64 vsize = 0;
    const struct vma *v;
    for (unsigned i = 0; mm && (v = mm_area_of(mm, i)) != NULL; i++)
        vsize += v->end - v->start;
    return vsize;
}

static void gen_maps(struct text *t, struct process *p, struct task *task)
{
    const struct vma *v;
    for (unsigned i = 0; p->mm && (v = mm_area_of(p->mm, i)) != NULL; i++) {
        const char *name = "";
        size_t len = 0;
        if (v->kind == VMA_HEAP)
            name = "[heap]", len = 6;
        else if (v->kind == VMA_STACK)
            name = "[stack]", len = 7;
        else if (v->kind == VMA_VVAR)
            name = "[vvar]", len = 6;
        else if (v->kind == VMA_VDSO)
            name = "[vdso]", len = 6;
        else if (v->kind == VMA_ELF && v->name)
            name = v->name, len = strlen(v->name);
        else if (v->file && v->file->inode) {
            const char *path = image_fs_path(v->file->inode, &len);
            if (path)
                name = path;
            else
                len = 0;
        }
        u64 ino = v->file && v->file->inode ? v->file->inode->ino : 0;
        u32 dev = v->file && v->file->inode ? v->file->inode->dev : 0;
        text_printf(t, "%lx-%lx %c%c%c%c %08lx %02x:%02x %lu", v->start, v->end,
                    (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
                    (v->prot & PROT_EXEC) ? 'x' : '-', v->shared ? 's' : 'p',
                    (v->file || v->name) ? v->file_off : 0, dev >> 8, dev & 0xff, ino);
        text_printf(t, "%s%.*s\n", len ? "                          " : "", (int)len, name);
    }
}

static void gen_mounts(struct text *t, struct process *p, struct task *task)
{
    proc_gen_mounts(t);
}

/* A thread's id in its own directory, the process's in the process's: Linux's stat and
 * status name the thread they were read through. */
static s32 shown_id(const struct pid_set *s)
{
    return s->tid ? s->tid : s->pid;
}

/* Linux's state letter: Z a zombie, T stopped, R running or runnable, S asleep. */
static char state_of(const struct process *p, const struct task *task)
{
    if (p->zombie)
        return 'Z';
    if (p->stopped)
        return 'T';
    for (const struct task *u = p->tasks; u; u = u->all_next)
        if ((!task || u == task) && u->state != TASK_BLOCKED)
            return 'R';
    return 'S';
}

static const char *state_name(char c)
{
    return c == 'Z'   ? "Z (zombie)"
           : c == 'T' ? "T (stopped)"
           : c == 'S' ? "S (sleeping)"
                      : "R (running)";
}

static s32 ppid_of(const struct process *p)
{
    return p->parent ? p->parent->pid : 0;
}

static void gen_stat(struct text *t, const struct pid_set *s, struct process *p, struct task *task)
{
    char comm[16];
    comm_of(p, task, comm);
    s32 nice = task ? task->nice : 0;
    s64 tick = 10000000; /* USER_HZ 100 */
    s64 cpu = p->exited_ns;
    for (const struct task *u = p->tasks; u; u = u->all_next)
        if (!task || u == task)
            cpu += sched_task_cpu_ns(u);
    s64 start = (p->start_ns - process_by_pid(PROC_PID)->start_ns) / tick;
    text_printf(t,
                "%d (%.15s) %c %d %d %d 0 -1 4194560 0 0 0 0 %ld 0 %ld 0 %d %d %u 0 %ld %lu %lu ",
                shown_id(s), comm, state_of(p, task), ppid_of(p), p->pgid, p->sid, cpu / tick,
                p->children_ns / tick, 20 + nice, nice, p->nr_tasks, start, vsize_of(p->mm),
                p->mm ? mm_resident_pages_of(p->mm) : 0);
    text_printf(t, "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 "
                   "0 0\n");
}

/* 0755 as the decimal 755, for %04u: the shim's printf has no %o */
static u32 octal_digits(u32 v)
{
    return (v >> 6 & 7) * 100 + (v >> 3 & 7) * 10 + (v & 7);
}

static void gen_status(struct text *t, const struct pid_set *s, struct process *p,
                       struct task *task)
{
    char comm[16];
    comm_of(p, task, comm);
    text_printf(t,
                "Name:\t%.15s\nUmask:\t%04u\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
                "PPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%u\n"
                "Groups:\t\nVmSize:\t%lu kB\nVmRSS:\t%lu kB\nThreads:\t%u\n"
                "Cpus_allowed_list:\t",
                comm, octal_digits(p->umask & 0777), state_name(state_of(p, task)), p->pid,
                shown_id(s), ppid_of(p), MAX_FDS, vsize_of(p->mm) / 1024,
                (p->mm ? mm_resident_pages_of(p->mm) : 0) * 4, p->nr_tasks);
    proc_cpu_list(t);
    text_printf(t, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

static void gen_cmdline(struct text *t, struct process *p)
{
    /* each argument with its NUL, as Linux lays them out */
    const char *s = p->cmdline;
    for (u32 i = 0; s && i < p->argc && t->len < t->cap - 1; i++) {
        size_t n = strlen(s) + 1;
        n = MIN(n, t->cap - 1 - t->len);
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        s += strlen(s) + 1;
    }
}

static void gen_comm(struct text *t, struct process *p, struct task *task)
{
    char comm[16];
    comm_of(p, task, comm);
    text_printf(t, "%.15s\n", comm);
}

/* Runs the generator of a file node against its process, found again now. */
static void fill_node(struct text *t, void *ctx)
{
    struct pid_node *n = ctx;
    struct process *p;
    struct task *task;
    if (!target(n->set, &p, &task))
        return; /* gone between the open's check and now: cannot happen under the lock */
    switch (n->kind) {
    case PN_MAPS:
        gen_maps(t, p, task);
        break;
    case PN_MOUNTS:
        gen_mounts(t, p, task);
        break;
    case PN_STAT:
        gen_stat(t, n->set, p, task);
        break;
    case PN_STATUS:
        gen_status(t, n->set, p, task);
        break;
    case PN_CMDLINE:
        gen_cmdline(t, p);
        break;
    default:
        break;
    }
}

static s64 file_open(struct inode *node, u32 flags, struct file **out)
{
    struct pid_node *n = node->priv;
    if (!set_alive(n->set))
        return -ENOENT;
    return synth_text_open(node, flags, fill_node, n, out);
}

static const struct inode_ops file_ops_ = {.open = file_open};

/* ---- comm: read and written at the time, as Linux's ---- */

static s64 comm_read(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct pid_node *n = f->inode->priv;
    struct process *p;
    struct task *t;
    if (!target(n->set, &p, &t))
        return -ESRCH;
    char text[32] = "";
    struct text tx = {text, 0, sizeof(text)};
    gen_comm(&tx, p, t);
    u64 pos = off < 0 ? (u64)f->offset : (u64)off;
    if (pos >= tx.len)
        return 0;
    u64 len = MIN(iov_total(iov, cnt), tx.len - pos);
    if (iov_copy_in(iov, cnt, 0, text + pos, len))
        return -EFAULT;
    if (off < 0)
        f->offset += (s64)len;
    return (s64)len;
}

/* Renames the thread (a process's file: its first), as PR_SET_NAME would: glibc's and
 * musl's pthread_setname_np for another thread write here. Only the writer's own
 * process may, as Linux; the first 15 bytes count, the whole write is taken. */
static s64 comm_write(struct file *f, const struct linux_iovec *iov, unsigned cnt, s64 off)
{
    struct pid_node *n = f->inode->priv;
    struct process *p;
    struct task *t;
    char name[16] = "";
    u64 total = iov_total(iov, cnt);
    if (iov_copy_out(name, iov, cnt, 0, MIN(total, sizeof(name) - 1)))
        return -EFAULT;
    if (!target(n->set, &p, &t) || !t)
        return -ESRCH;
    if (p != current_process())
        return -EINVAL;
    memcpy(t->comm, name, sizeof(name));
    t->comm_set = true;
    return (s64)total;
}

static s64 comm_stat(struct file *f, struct linux_stat *st)
{
    vfs_stat(f->inode, st);
    st->st_size = 0;
    return 0;
}

static const struct file_ops comm_file_ops = {
    .read = comm_read,
    .write = comm_write,
    .stat = comm_stat,
    .seekable = true,
    .poll = file_always_ready,
};

static s64 comm_open(struct inode *node, u32 flags, struct file **out)
{
    struct pid_node *n = node->priv;
    if (flags & O_DIRECTORY)
        return -ENOTDIR;
    if (!set_alive(n->set))
        return -ENOENT;
    struct file *f = vfs_file_new(&comm_file_ops, node, flags);
    if (!f)
        return -ENFILE;
    *out = f;
    return 0;
}

static const struct inode_ops comm_ops = {.open = comm_open};

/* ---- exe, cwd ---- */

static s64 link_readlink(struct inode *node, char *buf, size_t size)
{
    struct pid_node *n = node->priv;
    struct process *p;
    struct task *t;
    if (!target(n->set, &p, &t))
        return -ENOENT;
    if (n->kind == PN_EXE)
        return copy_out(p->exe_path, strlen(p->exe_path), buf, size);
    if (!p->cwd)
        return -ENOENT;
    char path[PATH_MAX];
    s64 len = vfs_path_of(p->cwd, path, sizeof(path));
    return len < 0 ? len : copy_out(path, (size_t)len, buf, size);
}

static const struct inode_ops link_ops = {.readlink = link_readlink};

/* ---- fd/: one symlink per open descriptor of the process ---- */

/* Descriptor fd of the set's process, NULL if it is not open or the process is gone. */
static struct file *fd_file(const struct pid_set *s, u64 fd)
{
    struct process *p;
    struct task *t;
    if (fd >= MAX_FDS || !target(s, &p, &t) || !p->files)
        return NULL;
    return p->files->fd[fd];
}

static s64 fd_readlink(struct inode *node, char *buf, size_t size)
{
    struct fd_node *l = node->priv;
    struct file *f = fd_file(l->set, (u64)l->fd);
    if (!f)
        return -ENOENT;
    char path[PATH_MAX];
    s64 n;
    size_t len;
    const char *p;
    if (f->inode && (p = image_fs_path(f->inode, &len)) != NULL)
        return copy_out(p, len, buf, size);
    if (f->inode && (f->inode->mode & S_IFMT) == S_IFDIR &&
        (n = vfs_path_of(f->inode, path, sizeof(path))) >= 0)
        return copy_out(path, (size_t)n, buf, size);
    if (!f->inode && f->ops->link_name)
        n = (s64)f->ops->link_name(f, path, sizeof(path));
    else if (!f->inode)
        n = snprintf(path, sizeof(path), "/dev/host-stdio/%lu", f->priv);
    else
        n = snprintf(path, sizeof(path), "anon_inode:[%lu]", f->inode->ino);
    return copy_out(path, (size_t)n, buf, size);
}

/* Opening /proc/PID/fd/N shares that process's descriptor N's open file. */
static s64 fd_link_open(struct inode *node, u32 flags, struct file **out)
{
    struct fd_node *l = node->priv;
    struct file *f = fd_file(l->set, (u64)l->fd);
    if (!f)
        return -ENOENT;
    f->refs++;
    *out = f;
    return 0;
}

static const struct inode_ops fd_link_ops = {.readlink = fd_readlink, .open = fd_link_open};

static s64 fd_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    struct pid_set *s = ((struct pid_node *)dir->priv)->set;
    u64 fd = 0;
    if (len == 0 || len > 4)
        return -ENOENT;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -ENOENT;
        fd = fd * 10 + (u64)(name[i] - '0');
    }
    if (!fd_file(s, fd))
        return -ENOENT;
    struct fd_node *l = s->fds;
    while (l && l->fd != (int)fd)
        l = l->next;
    if (!l) {
        l = kmalloc(sizeof(*l));
        if (!l)
            return -ENOMEM;
        l->set = s;
        l->fd = (int)fd;
        l->inode.ops = &fd_link_ops;
        l->inode.priv = l;
        l->inode.mode = S_IFLNK | 0700;
        l->inode.nlink = 1;
        l->inode.dev = PROC_DEV;
        l->inode.ino = 0x10000 + fd;
        l->next = s->fds;
        s->fds = l;
    }
    *out = &l->inode;
    return 0;
}

static s64 fd_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    struct pid_set *s = ((struct pid_node *)dir->priv)->set;
    for (; *pos < MAX_FDS; (*pos)++) {
        if (!fd_file(s, *pos))
            continue;
        char name[8];
        int n = snprintf(name, sizeof(name), "%lu", *pos);
        if (!emit(ctx, name, (size_t)n, 0x10000 + *pos, DT_LNK))
            break;
    }
    return 0;
}

static s64 dir_open(struct inode *node, u32 flags, struct file **out)
{
    struct pid_node *n = node->priv;
    if (!set_alive(n->set))
        return -ENOENT;
    return vfs_dir_open(node, flags, out);
}

static const struct inode_ops fd_dir_ops = {
    .lookup = fd_lookup,
    .readdir = fd_readdir,
    .open = dir_open,
};

/* ---- task/: one directory per thread ---- */

static struct pid_set *set_get(s32 pid, s32 tid);

/* A number in a /proc name: digits only, no leading zero, below 2^31; else -1. */
static s32 parse_id(const char *name, size_t len)
{
    if (len == 0 || len > 10 || (name[0] == '0' && len > 1))
        return -1;
    s64 v = 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    return v > 0x7fffffff ? -1 : (s32)v;
}

static s64 task_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    struct pid_set *s = ((struct pid_node *)dir->priv)->set;
    s32 tid = parse_id(name, len);
    struct process *p;
    struct task *t;
    if (tid <= 0 || !target(s, &p, &t) || !task_of(p, tid))
        return -ENOENT;
    struct pid_set *ts = set_get(s->pid, tid);
    if (!ts)
        return -ENOMEM;
    *out = &ts->nodes[PN_DIR].inode;
    return 0;
}

/* Threads in tid order: *pos is one above the last tid emitted. */
static s64 task_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    struct pid_set *s = ((struct pid_node *)dir->priv)->set;
    struct process *p;
    struct task *t;
    if (!target(s, &p, &t))
        return 0;
    for (;;) {
        struct task *next = NULL;
        for (struct task *u = p->tasks; u; u = u->all_next)
            if ((u64)u->tid >= *pos && (!next || u->tid < next->tid))
                next = u;
        if (!next)
            return 0;
        char name[12];
        int n = snprintf(name, sizeof(name), "%d", next->tid);
        if (!emit(ctx, name, (size_t)n, PROC_TASK_INO(next->tid), DT_DIR))
            return 0;
        *pos = (u64)next->tid + 1;
    }
}

static const struct inode_ops task_dir_ops = {
    .lookup = task_lookup,
    .readdir = task_readdir,
    .open = dir_open,
};

/* ---- a process's or a thread's directory ---- */

static s64 pid_dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    struct pid_set *s = ((struct pid_node *)dir->priv)->set;
    if (!set_alive(s))
        return -ENOENT;
    for (int k = PN_DIR + 1; k < PN_COUNT; k++) {
        if (k == PN_TASK && s->tid)
            continue; /* a thread's directory has no task/ */
        if (strlen(node_names[k]) == len && !memcmp(node_names[k], name, len)) {
            *out = &s->nodes[k].inode;
            return 0;
        }
    }
    return -ENOENT;
}

static s64 pid_dir_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    struct pid_set *s = ((struct pid_node *)dir->priv)->set;
    if (!set_alive(s))
        return 0;
    u64 end = s->tid ? PN_TASK : PN_COUNT;
    if (*pos < PN_DIR + 1)
        *pos = PN_DIR + 1;
    for (; *pos < end; (*pos)++) {
        struct inode *n = &s->nodes[*pos].inode;
        const char *name = node_names[*pos];
        if (!emit(ctx, name, strlen(name), n->ino, vfs_dtype(n->mode)))
            break;
    }
    return 0;
}

static const struct inode_ops pid_dir_ops = {
    .lookup = pid_dir_lookup,
    .readdir = pid_dir_readdir,
    .open = dir_open,
};

/* ---- the sets ---- */

/* Whether anything outside a system call may still hold one of s's inodes. */
static bool set_in_use(const struct pid_set *s)
{
    for (int k = 0; k < PN_COUNT; k++)
        if (s->nodes[k].inode.opens)
            return true;
    for (const struct fd_node *l = s->fds; l; l = l->next)
        if (l->inode.opens)
            return true;
    for (const struct pid_set *o = sets; o; o = o->next)
        if (o->owner == s)
            return true;
    for (struct process *p = process_after(0); p; p = process_after(p->pid))
        for (int k = 0; k < PN_COUNT; k++)
            if (p->cwd == &s->nodes[k].inode)
                return true;
    return false;
}

static void set_free(struct pid_set *s)
{
    while (s->fds) {
        struct fd_node *l = s->fds;
        s->fds = l->next;
        kfree(l);
    }
    kfree(s);
}

/* Frees the sets of processes and threads that are gone and that nothing holds. */
static void sets_sweep(void)
{
    struct pid_set **link = &sets;
    while (*link) {
        struct pid_set *s = *link;
        if (!set_alive(s) && !set_in_use(s)) {
            *link = s->next;
            set_free(s);
            /* a freed thread's set may have kept its process's: look again from the top */
            link = &sets;
        } else {
            link = &s->next;
        }
    }
}

static void node_init(struct pid_set *s, enum pid_node_kind k)
{
    static const struct {
        const struct inode_ops *ops;
        u32 mode;
    } kinds[PN_COUNT] = {
        [PN_DIR] = {&pid_dir_ops, S_IFDIR | 0555},   [PN_EXE] = {&link_ops, S_IFLNK | 0777},
        [PN_CWD] = {&link_ops, S_IFLNK | 0777},      [PN_FD] = {&fd_dir_ops, S_IFDIR | 0500},
        [PN_MAPS] = {&file_ops_, S_IFREG | 0444},    [PN_MOUNTS] = {&file_ops_, S_IFREG | 0444},
        [PN_STAT] = {&file_ops_, S_IFREG | 0444},    [PN_STATUS] = {&file_ops_, S_IFREG | 0444},
        [PN_CMDLINE] = {&file_ops_, S_IFREG | 0444}, [PN_COMM] = {&comm_ops, S_IFREG | 0644},
        [PN_TASK] = {&task_dir_ops, S_IFDIR | 0555},
    };
    struct pid_node *n = &s->nodes[k];
    n->set = s;
    n->kind = k;
    n->inode.ops = kinds[k].ops;
    n->inode.priv = n;
    n->inode.mode = kinds[k].mode;
    n->inode.nlink = (kinds[k].mode & S_IFMT) == S_IFDIR ? 2 : 1;
    n->inode.dev = PROC_DEV;
    n->inode.ino = vfs_next_ino();
    n->inode.parent = &s->nodes[PN_DIR].inode; /* directories: ".." */
}

/* The set of (pid, tid), made if there is none; NULL without memory. */
static struct pid_set *set_get(s32 pid, s32 tid)
{
    for (struct pid_set *s = sets; s; s = s->next)
        if (s->pid == pid && s->tid == tid)
            return s;
    struct pid_set *owner = NULL;
    if (tid && !(owner = set_get(pid, 0)))
        return NULL;
    sets_sweep(); /* (owner is alive: its thread is, so the sweep keeps it) */
    struct pid_set *s = kmalloc(sizeof(*s));
    if (!s)
        return NULL;
    s->pid = pid;
    s->tid = tid;
    s->owner = owner;
    for (int k = 0; k < PN_COUNT; k++)
        node_init(s, k);
    s->nodes[PN_DIR].inode.ino = tid ? PROC_TASK_INO(tid) : PROC_PID_INO(pid);
    s->nodes[PN_DIR].inode.nlink = tid ? 3 : 4; /* its name, ".", fd/'s "..", task/'s */
    s->nodes[PN_DIR].inode.parent = owner ? &owner->nodes[PN_TASK].inode : proc_root;
    s->next = sets;
    sets = s;
    return s;
}

/* ---- what fs_proc.c's root asks ---- */

s64 proc_pid_lookup(struct inode *root, const char *name, size_t len, struct inode **out)
{
    s32 pid = parse_id(name, len);
    if (pid <= 0 || !process_by_pid(pid))
        return -ENOENT;
    proc_root = root;
    struct pid_set *s = set_get(pid, 0);
    if (!s)
        return -ENOMEM;
    *out = &s->nodes[PN_DIR].inode;
    return 0;
}

bool proc_pid_next(s32 *pid)
{
    struct process *p = process_after(*pid);
    if (!p)
        return false;
    *pid = p->pid;
    return true;
}
