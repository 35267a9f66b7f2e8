/* Process identity, limits, exit, thread-area and randomness system calls. */
#include "arch/x86/arch.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "lib/lib.h"
#include "uapi/linux_abi.h"
#include "kernel/process.h"
#include "arch/x86/random.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

SYSCALL0(getpid)
{
    return current_process()->pid;
}

SYSCALL0(gettid)
{
    return current_task()->tid;
}

SYSCALL0(getppid)
{
    /* pid 1's parent is outside the VM: 0, as for a container's first process */
    struct process *parent = current_process()->parent;
    return parent ? parent->pid : 0;
}

/* The workload runs as root of its own VM: there is no one else in it. */
SYSCALL0(getuid)
{
    return 0;
}

SYSCALL0(getgid)
{
    return 0;
}

SYSCALL0(geteuid)
{
    return 0;
}

SYSCALL0(getegid)
{
    return 0;
}

static s64 put_three_zero_ids(u64 a, u64 b, u64 c)
{
    u32 zero = 0;
    if (copy_to_user(a, &zero, 4) || copy_to_user(b, &zero, 4) || copy_to_user(c, &zero, 4))
        return -EFAULT;
    return 0;
}

SYSCALL3(getresuid, ruid, euid, suid)
{
    return put_three_zero_ids(ruid, euid, suid);
}

SYSCALL3(getresgid, rgid, egid, sgid)
{
    return put_three_zero_ids(rgid, egid, sgid);
}

SYSCALL1(uname, buf)
{
    struct linux_utsname u;
    memzero(&u, sizeof(u));
    strlcpy(u.sysname, "Linux", sizeof(u.sysname));
    strlcpy(u.nodename, "cloister", sizeof(u.nodename));
    /* what programs parse: a Linux version new enough for the calls we answer */
    strlcpy(u.release, "6.1.0-cloister", sizeof(u.release));
    strlcpy(u.version, "#1 SMP Cloister " CLOISTER_SHIM_VERSION, sizeof(u.version));
    strlcpy(u.machine, "x86_64", sizeof(u.machine));
    strlcpy(u.domainname, "(none)", sizeof(u.domainname));
    return copy_to_user(buf, &u, sizeof(u)) ? -EFAULT : 0;
}

static s64 do_prlimit(struct process *p, u64 resource, u64 unew, u64 uold)
{
    if (resource >= RLIMIT_COUNT)
        return -EINVAL;
    u64 lim[2];
    if (unew) {
        if (copy_from_user(lim, unew, sizeof(lim)))
            return -EFAULT;
        if (lim[0] > lim[1])
            return -EINVAL;
    }
    if (uold && copy_to_user(uold, p->rlimits[resource], sizeof(lim)))
        return -EFAULT;
    if (unew) {
        p->rlimits[resource][0] = lim[0];
        p->rlimits[resource][1] = lim[1];
    }
    return 0;
}

SYSCALL4(prlimit64, pid, resource, new_limit, old_limit)
{
    /* any process of the workload: all run as root */
    struct process *p = (s32)pid == 0 ? current_process() : process_by_pid((s32)pid);
    if (!p || p->zombie)
        return -ESRCH;
    return do_prlimit(p, resource, new_limit, old_limit);
}

SYSCALL2(getrlimit, resource, rlim)
{
    return do_prlimit(current_process(), resource, 0, rlim);
}

SYSCALL2(setrlimit, resource, rlim)
{
    return do_prlimit(current_process(), resource, rlim, 0);
}

SYSCALL1(set_tid_address, tidptr)
{
    current_task()->clear_child_tid = tidptr;
    return current_task()->tid;
}

SYSCALL2(set_robust_list, head, len)
{
    if (len != 24) /* sizeof(struct robust_list_head) */
        return -EINVAL;
    current_task()->robust_list = head;
    return 0;
}

SYSCALL3(get_robust_list, tid, head_ptr, len_ptr)
{
    struct task *t = tid ? task_by_tid((s32)tid) : current_task();
    if (!t)
        return -ESRCH;
    u64 len = 24;
    if (copy_to_user(head_ptr, &t->robust_list, sizeof(u64)) ||
        copy_to_user(len_ptr, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

SYSCALL2(arch_prctl, code, addr)
{
    u64 v;
    switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (addr >= CL_USER_TOP)
            return -EPERM;
        if (code == ARCH_SET_FS)
            arch_set_user_fs(addr);
        else
            arch_set_user_gs(addr);
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
        v = code == ARCH_GET_FS ? arch_get_user_fs() : arch_get_user_gs();
        return copy_to_user(addr, &v, sizeof(v)) ? -EFAULT : 0;
    default:
        return -EINVAL;
    }
}

SYSCALL0(sched_yield)
{
    schedule(); /* the caller stays TASK_RUNNING: it goes to the back of the queue */
    return 0;
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

SYSCALL3(getrandom, buf, buflen, flags)
{
    if (flags & ~(u64)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
        return -EINVAL;
    u64 len = MIN(buflen, 0x1ffffffull); /* Linux's per-call cap (32 MiB - 1) */
    u8 chunk[256];
    for (u64 done = 0; done < len;) {
        u64 k = MIN(len - done, sizeof(chunk));
        random_fill(chunk, k);
        if (copy_to_user(buf + done, chunk, k))
            return done ? (s64)done : -EFAULT;
        done += k;
    }
    return (s64)len;
}
