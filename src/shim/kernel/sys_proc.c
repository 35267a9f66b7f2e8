/* Process identity, limits, exit, thread-area and randomness system calls. */
#include "arch/x86/arch.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "lib/lib.h"
#include "uapi/linux_abi.h"
#include "kernel/proc.h"
#include "arch/x86/random.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"

SYSCALL(exit)
{
    /* one thread: leaving the only thread ends the process */
    hcall_exit((int)(a0 & 0xff));
}

SYSCALL(exit_group)
{
    hcall_exit((int)(a0 & 0xff));
}

SYSCALL(getpid)
{
    return PROC_PID;
}

SYSCALL(gettid)
{
    return PROC_PID;
}

SYSCALL(getppid)
{
    return 0; /* nothing outside the VM is the workload's parent */
}

/* The workload runs as root of its own VM: there is no one else in it. */
SYSCALL(getuid)
{
    return 0;
}

SYSCALL(getgid)
{
    return 0;
}

SYSCALL(geteuid)
{
    return 0;
}

SYSCALL(getegid)
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

SYSCALL(getresuid)
{
    return put_three_zero_ids(a0, a1, a2);
}

SYSCALL(getresgid)
{
    return put_three_zero_ids(a0, a1, a2);
}

SYSCALL(uname)
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
    return copy_to_user(a0, &u, sizeof(u)) ? -EFAULT : 0;
}

static s64 do_prlimit(u64 resource, u64 unew, u64 uold)
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
    if (uold && copy_to_user(uold, proc.rlimits[resource], sizeof(lim)))
        return -EFAULT;
    if (unew) {
        proc.rlimits[resource][0] = lim[0];
        proc.rlimits[resource][1] = lim[1];
    }
    return 0;
}

SYSCALL(prlimit64)
{
    if (a0 != 0 && a0 != PROC_PID)
        return -ESRCH;
    return do_prlimit(a1, a2, a3);
}

SYSCALL(getrlimit)
{
    return do_prlimit(a0, 0, a1);
}

SYSCALL(setrlimit)
{
    return do_prlimit(a0, a1, 0);
}

SYSCALL(set_tid_address)
{
    proc.clear_child_tid = a0;
    return PROC_PID;
}

SYSCALL(set_robust_list)
{
    if (a1 != 24) /* sizeof(struct robust_list_head) */
        return -EINVAL;
    proc.robust_list = a0;
    return 0;
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

SYSCALL(arch_prctl)
{
    u64 v;
    switch (a0) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (a1 >= CL_USER_TOP)
            return -EPERM;
        if (a0 == ARCH_SET_FS)
            arch_set_user_fs(a1);
        else
            arch_set_user_gs(a1);
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
        v = a0 == ARCH_GET_FS ? arch_get_user_fs() : arch_get_user_gs();
        return copy_to_user(a1, &v, sizeof(v)) ? -EFAULT : 0;
    default:
        return -EINVAL;
    }
}

SYSCALL(sched_yield)
{
    return 0;
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

SYSCALL(getrandom)
{
    if (a2 & ~(u64)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if ((a2 & GRND_INSECURE) && (a2 & GRND_RANDOM))
        return -EINVAL;
    u64 len = MIN(a1, 0x1ffffffull); /* Linux's per-call cap (32 MiB - 1) */
    u8 chunk[256];
    for (u64 done = 0; done < len;) {
        u64 k = MIN(len - done, sizeof(chunk));
        random_fill(chunk, k);
        if (copy_to_user(a0 + done, chunk, k))
            return done ? (s64)done : -EFAULT;
        done += k;
    }
    return (s64)len;
}
