/*
 * execve and execveat: a process replaces its program (docs/processes.md, "Exec:
 * measured files only").
 *
 * Only a file of the image runs: the inode must be the image file system's (a property
 * of the inode, not of the path, so symlinks, `..`, /proc/self/fd/N cannot get around
 * it). Anything else (a file written to /tmp at run time) is refused with EACCES, as
 * Linux refuses a noexec mount, and --trace says why. A `#!` script runs if it and its
 * interpreter are in the image.
 *
 * Once the file is found and may run, the other threads end; the new program is
 * loaded into a fresh address space while the old one still exists, so a program that
 * fails to load leaves the caller in its old program with an error. Past that point
 * the exec cannot fail: the old address space goes, close-on-exec descriptors close,
 * handled signals return to SIG_DFL.
 */
#include "kernel/exec.h"
#include "arch/x86/fpu.h"
#include "arch/x86/paging.h"
#include "fs/file.h"
#include "fs/fs_image.h"
#include "fs/vfs.h"
#include "kernel/fork.h"
#include "kernel/itimer.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/sleep.h"
#include "kernel/syscall.h"
#include "lib/lib.h"
#include "mm/kmalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"

#define ARG_MAX_BYTES  (2u << 20) /* Linux: a quarter of the 8 MiB stack limit */
#define ARG_MAX_STRLEN (32 * PAGE_SIZE)
#define MAX_ARGS       0x7fffffff
#define SCRIPT_DEPTH   4   /* Linux's BINPRM_MAX_RECURSION */
#define SHEBANG_MAX    256 /* Linux's BINPRM_BUF_SIZE */

/* The argument and environment strings of the new program, NUL-separated. */
struct arg_buf {
    char *s;
    u64 size, cap;
    u32 argc, envc;
};

static s64 buf_add(struct arg_buf *b, const char *str, u64 len)
{
    if (b->size + len + 1 > ARG_MAX_BYTES)
        return -E2BIG;
    if (b->size + len + 1 > b->cap) {
        u64 cap = MAX(b->cap * 2, b->size + len + 1 + 4096);
        char *grown = krealloc(b->s, cap);
        if (!grown)
            return -ENOMEM;
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->size, str, len);
    b->s[b->size + len] = 0;
    b->size += len + 1;
    return 0;
}

/* Appends the strings of a user array (argv or envp; NULL is an empty one). */
static s64 copy_strings(struct arg_buf *b, u64 uarray, u32 *count)
{
    static char one[ARG_MAX_STRLEN];
    for (u64 i = 0; uarray; i++) {
        u64 p;
        if (copy_from_user(&p, uarray + i * 8, 8))
            return -EFAULT;
        if (!p)
            break;
        if (i >= MAX_ARGS)
            return -E2BIG;
        long len = strncpy_from_user(one, p, sizeof(one));
        if (len < 0)
            return len == -ENAMETOOLONG ? -E2BIG : len;
        s64 err = buf_add(b, one, (u64)len);
        if (err)
            return err;
        (*count)++;
    }
    return 0;
}

/* A file that may run: an image file with an execute bit; its image path. */
static s64 check_runnable(struct inode *node, const char **path)
{
    if ((node->mode & S_IFMT) == S_IFDIR)
        return -EACCES;
    if (!mm_inode_may_run(node))
        return mm_refuse_unmeasured();
    size_t len;
    const char *p = image_fs_path(node, &len);
    if ((node->mode & S_IFMT) != S_IFREG || !(node->mode & 0111))
        return -EACCES;
    *path = exec_intern_path(p, len);
    return *path ? 0 : -ENOMEM;
}

/* Parses a "#!interp [arg]" line: the interpreter and its one optional argument (the
 * rest of the line, trimmed, as Linux). */
static s64 parse_shebang(char *line, u64 n, char **interp, char **arg)
{
    line[n] = 0;
    u64 eol = 0;
    while (eol < n && line[eol] != '\n')
        eol++;
    if (eol < n)
        line[eol] = 0;
    else if (n == SHEBANG_MAX)
        return -ENOEXEC; /* Linux: a line longer than its buffer is refused */
    char *s = line + 2;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return -ENOEXEC;
    *interp = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    *arg = NULL;
    if (*s) {
        *s++ = 0;
        while (*s == ' ' || *s == '\t')
            s++;
        char *end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = 0;
        if (*s)
            *arg = s;
    }
    return 0;
}

/* The strings after the first argv[0]... are kept: a script's argv becomes interp,
 * [arg], the script's path, then argv[1...]. */
static s64 script_argv(struct arg_buf *b, const char *interp, const char *arg, const char *script)
{
    char *old = b->s;
    u64 old_size = b->size;
    u32 argc = b->argc;
    /* drop argv[0] (if any): the script's path replaces it */
    u64 skip = argc ? strlen(old) + 1 : 0;
    struct arg_buf n = {0};
    s64 err = buf_add(&n, interp, strlen(interp));
    if (!err && arg)
        err = buf_add(&n, arg, strlen(arg));
    if (!err)
        err = buf_add(&n, script, strlen(script));
    if (!err && old_size > skip) {
        if (n.size + old_size - skip > ARG_MAX_BYTES) {
            err = -E2BIG;
        } else if (n.size + old_size - skip > n.cap) {
            char *grown = krealloc(n.s, n.size + old_size - skip);
            if (!grown)
                err = -ENOMEM;
            else
                n.s = grown, n.cap = n.size + old_size - skip;
        }
        if (!err) {
            memcpy(n.s + n.size, old + skip, old_size - skip);
            n.size += old_size - skip;
        }
    }
    if (err) {
        kfree(n.s);
        return err;
    }
    kfree(old);
    b->s = n.s;
    b->size = n.size;
    b->cap = n.cap;
    b->argc = (argc ? argc - 1 : 0) + 2 + (arg ? 1 : 0);
    return 0;
}

/* Ends the other threads of the process (Linux's de_thread) and waits until they are
 * gone: the new program starts with one. */
static void end_other_threads(struct process *p)
{
    struct task *me = current_task();
    if (p->nr_tasks == 1)
        return;
    struct wait_entry e;
    wait_prepare(&e, &p->threads_gone);
    while (p->nr_tasks > 1) {
        /* marked at each pass: a thread may have made another before it saw its mark */
        for (struct task *t = p->tasks; t; t = t->all_next)
            if (t != me && !t->must_exit) {
                t->must_exit = true;
                task_wake(t);
                sched_notify_task(t);
            }
        task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, false);
        wait_rearm();
    }
    wait_finish(&e);
    me->tid = p->pid; /* Linux: the exec'ing thread takes the leader's id */
}

/* What a new program starts without: handlers, POSIX timers, the alternate stack, the
 * thread's addresses, its FS/GS bases and FPU state; close-on-exec descriptors. */
static void reset_process_state(struct process *p, struct task *t)
{
    signal_reset_handlers(p);
    process_timers_exec(p);
    t->altstack_sp = t->altstack_size = 0;
    t->altstack_flags = 0;
    t->clear_child_tid = t->robust_list = t->set_child_tid = 0;
    arch_set_user_fs(0);
    arch_set_user_gs(0);
    fpu_init_state(t->fpu);
    fpu_restore(t->fpu);
    fdtable_close_on_exec(p->files);
}

static s64 do_execve(s64 dirfd, u64 upath, u64 uargv, u64 uenvp, u64 flags)
{
    if (flags & ~(u64)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
        return -EINVAL;
    struct process *p = current_process();
    struct arg_buf b = {0};
    s64 err = copy_strings(&b, uargv, &b.argc);
    if (!err)
        err = copy_strings(&b, uenvp, &b.envc);
    char shebang[SHEBANG_MAX + 1];
    static char path_buf[PATH_MAX];
    struct nameidata nd;
    struct inode *node = NULL;
    const char *path = NULL;
    if (!err) {
        long len = strncpy_from_user(path_buf, upath, sizeof(path_buf));
        if (len < 0)
            err = len;
        else if (len == 0 && (flags & AT_EMPTY_PATH)) {
            struct file *f = fd_get(dirfd);
            err = !f ? -EBADF : !f->inode ? -EACCES : 0;
            node = f ? f->inode : NULL;
        } else if (len == 0) {
            err = -ENOENT;
        } else {
            unsigned follow = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW;
            err = vfs_walk(dirfd, path_buf, follow, &nd);
            node = nd.node;
            if (!err && (node->mode & S_IFMT) == S_IFLNK)
                err = -ELOOP;
        }
    }
    for (int depth = 0; !err; depth++) {
        err = check_runnable(node, &path);
        s64 n = err ? 0 : image_read_kernel(node, 0, shebang, SHEBANG_MAX);
        if (n < 0)
            err = n;
        if (err || n < 2 || shebang[0] != '#' || shebang[1] != '!')
            break;
        char *interp, *arg;
        if (depth == SCRIPT_DEPTH)
            err = -ELOOP;
        if (!err)
            err = parse_shebang(shebang, (u64)n, &interp, &arg);
        if (!err)
            err = script_argv(&b, interp, arg, depth == 0 && path_buf[0] ? path_buf : path);
        if (!err)
            err = vfs_walk(AT_FDCWD, interp, VFS_FOLLOW, &nd);
        node = nd.node;
    }
    struct file *f = NULL;
    if (!err)
        err = node->ops->open(node, O_RDONLY, &f);
    /* the other threads go first, while the old address space is still theirs (their
     * robust lists and join words are in it); a program that then fails to load leaves
     * the caller alone in its old program, with the error */
    if (!err)
        end_other_threads(p);
    /* the new address space, loaded while the old one stays the caller's */
    struct mm *old = p->mm, *mm = NULL;
    u64 root = err ? 0 : paging_new_root();
    if (!err && !(mm = root ? mm_create(root) : NULL)) {
        if (root)
            page_free(root);
        err = -ENOMEM;
    }
    struct trap_frame tf;
    if (!err) {
        p->mm = mm;
        sched_load_mm(mm);
        memzero(&tf, sizeof(tf));
        const char *why = "";
        struct exec_args a = {f, node->size, path, b.s, b.size, b.argc, b.envc};
        err = exec_prepare(&a, &tf, &why);
        if (err) {
            syscall_trace_note(why);
            p->mm = old;
            sched_load_mm(old);
            mm_release(mm);
        }
    }
    if (f)
        file_put(f);
    if (err) {
        kfree(b.s);
        return err;
    }
    /* no way back from here */
    struct task *t = current_task();
    mm_release(old);
    fork_release_vfork_parent(p);
    reset_process_state(p, t);
    strlcpy(p->exe_path, path, sizeof(p->exe_path));
    p->execed = true;
    p->nondumpable = false;
    t->comm_set = false; /* the name is the new program's */
    process_set_cmdline(p, b.s, b.size, b.argc);
    *arch_user_frame() = tf;
    return 0;
}

SYSCALL3(execve, path, argv, envp)
{
    return do_execve(AT_FDCWD, path, argv, envp, 0);
}

SYSCALL5(execveat, dirfd, path, argv, envp, flags)
{
    return do_execve((s64)(s32)dirfd, path, argv, envp, flags);
}
