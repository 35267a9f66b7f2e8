/* System information and process-attribute calls: sysinfo, CPU affinity, prctl, the
 * identity setters, groups and sessions, priorities, statfs. Everything runs as root of
 * its own VM. */
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "fs/file.h"
#include "lib/lib.h"
#include "arch/x86/paging.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "arch/x86/arch.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"
#include "fs/vfs.h"

struct linux_sysinfo {
    s64 uptime;
    u64 loads[3];
    u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    u16 procs, pad;
    u32 pad2;
    u64 totalhigh, freehigh;
    u32 mem_unit;
    char reserved[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "struct sysinfo");

SYSCALL1(sysinfo, info)
{
    struct linux_sysinfo si;
    memzero(&si, sizeof(si));
    si.uptime = (clock_monotonic_ns() - current_process()->start_ns) / NSEC_PER_SEC;
    si.totalram = page_alloc_total() * PAGE_SIZE;
    si.freeram = page_alloc_free_count() * PAGE_SIZE;
    u32 threads = 0; /* Linux's "procs" counts threads */
    for (struct process *p = process_first(); p; p = p->all_next)
        threads += p->nr_tasks;
    si.procs = (u16)threads;
    si.mem_unit = 1;
    return copy_to_user(info, &si, sizeof(si)) ? -EFAULT : 0;
}

SYSCALL3(sched_getaffinity, pid, cpusetsize, mask)
{
    struct task *t = (s64)pid < 0 ? NULL : task_by_tid((s32)pid);
    if (!t)
        return -ESRCH;
    if (cpusetsize < 8 || (cpusetsize & 7))
        return -EINVAL;
    u64 cpu_mask = t->cpu_mask & sched_cpu_mask_all();
    if (zero_user(mask, cpusetsize) || copy_to_user(mask, &cpu_mask, sizeof(cpu_mask)))
        return -EFAULT;
    return 8; /* bytes of the kernel's mask, as Linux returns */
}

SYSCALL3(sched_setaffinity, pid, cpusetsize, mask)
{
    struct task *t = (s64)pid < 0 ? NULL : task_by_tid((s32)pid);
    if (!t)
        return -ESRCH;
    /* Linux reads what the caller gives, up to its own mask's size, zero-extends */
    u64 cpu_mask = 0;
    if (copy_from_user(&cpu_mask, mask, cpusetsize < 8 ? cpusetsize : 8))
        return -EFAULT;
    cpu_mask &= sched_cpu_mask_all();
    if (!cpu_mask)
        return -EINVAL;
    t->cpu_mask = cpu_mask;
    if (t == current_task())
        sched_leave_cpu_if_barred();
    return 0;
}

#define PR_SET_PDEATHSIG       1
#define PR_GET_PDEATHSIG       2
#define PR_GET_DUMPABLE        3
#define PR_SET_DUMPABLE        4
#define PR_SET_NAME            15
#define PR_GET_NAME            16
#define PR_CAPBSET_READ        23
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS    38
#define PR_GET_NO_NEW_PRIVS    39
#define CAP_LAST_CAP           40

void task_comm(const struct task *t, char comm[16])
{
    if (t->comm_set) {
        memcpy(comm, t->comm, 16);
        return;
    }
    /* Linux sets comm at exec to the file's name: the program's, until a name is set */
    const char *exe = t->proc->exe_path, *s = strrchr(exe, '/');
    memzero(comm, 16);
    strlcpy(comm, s ? s + 1 : exe, 16);
}

void task_inherit_attrs(struct task *t, const struct task *from)
{
    memcpy(t->comm, from->comm, sizeof(t->comm));
    t->comm_set = from->comm_set;
    t->no_new_privs = from->no_new_privs;
    t->nice = from->nice;
    t->pdeathsig = 0; /* Linux clears it in every new task */
}

/* Name, dumpable and no_new_privs per thread or per process as Linux keeps them
 * (process.h); pdeathsig per thread, sent by the lead's exit path when the parent dies. */
SYSCALL5(prctl, option, arg2, arg3, arg4, arg5)
{
    struct task *me = current_task();
    switch (option) {
    case PR_SET_NAME: {
        char name[16];
        long n = strncpy_from_user(name, arg2, sizeof(name));
        if (n == -EFAULT)
            return -EFAULT;
        if (n < 0) /* longer than 15: Linux truncates */
            name[15] = 0;
        memcpy(me->comm, name, sizeof(name));
        me->comm_set = true;
        return 0;
    }
    case PR_GET_NAME: {
        char name[16];
        task_comm(me, name);
        return copy_to_user(arg2, name, sizeof(name)) ? -EFAULT : 0;
    }
    case PR_GET_DUMPABLE:
        return me->proc->nondumpable ? 0 : 1;
    case PR_SET_DUMPABLE:
        if (arg2 > 1)
            return -EINVAL;
        me->proc->nondumpable = arg2 == 0;
        return 0;
    case PR_CAPBSET_READ:
        return arg2 <= CAP_LAST_CAP ? 1 : -EINVAL;
    case PR_SET_NO_NEW_PRIVS:
        if (arg2 != 1 || arg3 || arg4 || arg5)
            return -EINVAL;
        me->no_new_privs = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        return me->no_new_privs;
    case PR_SET_PDEATHSIG:
        if (arg2 > 64)
            return -EINVAL;
        me->pdeathsig = (u32)arg2;
        return 0;
    case PR_GET_PDEATHSIG:
        return copy_to_user(arg2, &me->pdeathsig, sizeof(me->pdeathsig)) ? -EFAULT : 0;
    case PR_SET_CHILD_SUBREAPER:
        me->proc->child_subreaper = arg2 != 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER: {
        s32 v = me->proc->child_subreaper;
        return copy_to_user(arg2, &v, sizeof(v)) ? -EFAULT : 0;
    }
    default:
        return -EINVAL;
    }
}

/* Identity: there is one user, root; becoming root again is allowed, anyone else is not
 * in this VM. */
static s64 set_id(u64 id)
{
    return id == 0 || id == (u64)-1 || id == 0xffffffffull ? 0 : -EPERM;
}

SYSCALL1(setuid, uid)
{
    return set_id(uid);
}

SYSCALL1(setgid, gid)
{
    return set_id(gid);
}

SYSCALL3(setresuid, ruid, euid, suid)
{
    return set_id(ruid) || set_id(euid) || set_id(suid) ? -EPERM : 0;
}

SYSCALL3(setresgid, rgid, egid, sgid)
{
    return set_id(rgid) || set_id(egid) || set_id(sgid) ? -EPERM : 0;
}

/* The supplementary groups setgroups left (none at the start): as many entries as it
 * was given, each gid 0, the one group there is. */
SYSCALL2(getgroups, size, list)
{
    u32 n = current_process()->ngroups, zero = 0;
    if ((s32)size < 0)
        return -EINVAL;
    if (size == 0)
        return n; /* how many: a caller's first question */
    if (size < n)
        return -EINVAL;
    for (u32 i = 0; i < n; i++)
        if (copy_to_user(list + i * sizeof(zero), &zero, sizeof(zero)))
            return -EFAULT;
    return n;
}

#define NGROUPS_MAX 65536

/* Root may set its supplementary groups; root's is the one group there is, so a list
 * of gid 0 only (initgroups("root", 0) asks for that) is granted and getgroups then
 * gives it back. Any other group is EPERM. Linux keeps the list per thread (glibc's
 * setgroups sets every thread's); here it is the process's, the same after glibc's. */
SYSCALL2(setgroups, size, list)
{
    if (size > NGROUPS_MAX)
        return -EINVAL;
    for (u64 i = 0; i < size; i++) {
        u32 gid;
        if (copy_from_user(&gid, list + i * sizeof(gid), sizeof(gid)))
            return -EFAULT;
        if (gid != 0)
            return -EPERM;
    }
    current_process()->ngroups = (u32)size;
    return 0;
}

/* getpgrp, getpgid, setpgid, getsid, setsid: kernel/sys_pgrp.c */

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

/*
 * The nice value, -20..19, per thread as Linux keeps it (struct task's nice; a
 * PRIO_PROCESS "who" is a thread id). The scheduler does not weigh it yet; it is kept
 * for getpriority (nice(1) reads it before it runs a program) and /proc's stat.
 *
 * prio_next walks the threads which/who name: a thread, the threads of a process
 * group's processes, or a user's (root's: every process's). Pass NULL first; NULL ends
 * the walk (at once: ESRCH).
 */
static bool prio_names(u64 which, u64 who, const struct process *p)
{
    if (which == PRIO_USER)
        return (u32)who == 0; /* one user, root, owns every process */
    return p->pgid == ((u32)who ? (s32)who : current_process()->pgid);
}

static struct task *prio_next(u64 which, u64 who, struct task *prev)
{
    if (which == PRIO_PROCESS)
        return prev ? NULL : task_by_tid((s32)who);
    if (prev && prev->all_next)
        return prev->all_next;
    for (struct process *p = prev ? prev->proc->all_next : process_first(); p; p = p->all_next)
        if (p->tasks && prio_names(which, who, p))
            return p->tasks;
    return NULL;
}

static bool prio_which_valid(u64 which)
{
    return which == PRIO_PROCESS || which == PRIO_PGRP || which == PRIO_USER;
}

SYSCALL2(getpriority, which, who)
{
    if (!prio_which_valid(which))
        return -EINVAL;
    s64 best = -ESRCH;
    for (struct task *t = prio_next(which, who, NULL); t; t = prio_next(which, who, t)) {
        s64 v = 20 - t->nice; /* the system call's biased form, 1..40: the highest wins */
        if (v > best)
            best = v;
    }
    return best;
}

SYSCALL3(setpriority, which, who, prio)
{
    if (!prio_which_valid(which))
        return -EINVAL;
    s32 v = (s32)prio;
    v = v < -20 ? -20 : v > 19 ? 19 : v; /* root may lower it too */
    s64 err = -ESRCH;
    for (struct task *t = prio_next(which, who, NULL); t; t = prio_next(which, who, t)) {
        t->nice = v;
        err = 0;
    }
    return err;
}

/* ---- statfs ---- */

struct linux_statfs {
    s64 f_type, f_bsize;
    u64 f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    s32 f_fsid[2];
    s64 f_namelen, f_frsize, f_flags;
    s64 f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "struct statfs");

#define TMPFS_MAGIC  0x01021994
#define PROC_MAGIC   0x9fa0
#define SYSFS_MAGIC  0x62656572
#define CWI_FS_MAGIC 0x43574931 /* "CWI1": the image's read-only tree */
#define ST_RDONLY    1
#define ST_NOSUID    2

static s64 statfs_node(struct inode *n, u64 ubuf)
{
    struct linux_statfs s;
    memzero(&s, sizeof(s));
    s.f_bsize = s.f_frsize = 4096;
    s.f_namelen = NAME_MAX;
    s.f_fsid[0] = (s32)n->dev;
    if (n->ops->create) { /* tmpfs */
        s.f_type = TMPFS_MAGIC;
        s.f_blocks = page_alloc_total();
        s.f_bfree = s.f_bavail = page_alloc_free_count();
        s.f_flags = ST_NOSUID;
    } else if (n->dev == 0x4) {
        s.f_type = PROC_MAGIC;
    } else if (n->dev == 0x6) {
        s.f_type = SYSFS_MAGIC;
    } else {
        s.f_type = CWI_FS_MAGIC;
        s.f_flags = ST_RDONLY | ST_NOSUID;
    }
    s.f_files = 1u << 20;
    s.f_ffree = 1u << 19;
    return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 0;
}

SYSCALL2(statfs, path, buf)
{
    struct nameidata nd;
    s64 err = vfs_walk_user(AT_FDCWD, path, VFS_FOLLOW, &nd);
    return err ? err : statfs_node(nd.node, buf);
}

SYSCALL2(fstatfs, fd, buf)
{
    struct file *f = fd_get((s64)fd);
    if (!f)
        return -EBADF;
    if (!f->inode) {
        struct inode pipe = {.dev = 0}; /* host stdio: report a pipe-ish file system */
        pipe.ops = &(const struct inode_ops){0};
        return statfs_node(&pipe, buf);
    }
    return statfs_node(f->inode, buf);
}
