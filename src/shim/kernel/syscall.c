/*
 * The system-call table and dispatcher. In trace mode (--trace) every call is named on
 * the monitor's log with its arguments and result, including the ones that return
 * -ENOSYS, so a user sees exactly what a workload asked for that the shim lacks.
 */
#include "kernel/syscall.h"
#include "arch/x86/arch.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "lib/lib.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/klock.h"
#include "kernel/signal.h"
#include "fs/file.h"

#define NR_SYSCALLS 512

struct syscall_entry {
    const char *name;
    syscall_fn fn;
    u8 nargs;
};

static const struct syscall_entry table[NR_SYSCALLS] = {
#define X3(n, nr, na) [nr] = {#n, sys_##n, na},
#include "kernel/syscall_list.h"
};

/* Names of calls we do not implement but that programs commonly make, for the trace. */
static const char *const unimplemented_names[NR_SYSCALLS] = {
    [29] = "shmget",      [30] = "shmat",
    [31] = "shmctl",      [64] = "semget",
    [65] = "semop",       [66] = "semctl",
    [67] = "shmdt",       [68] = "msgget",
    [69] = "msgsnd",      [70] = "msgrcv",
    [71] = "msgctl",      [275] = "splice",
    [276] = "tee",        [278] = "vmsplice",
    [334] = "rseq",       [425] = "io_uring_setup",
    [434] = "pidfd_open", [440] = "process_madvise",
};

static const char *errno_name(s64 e)
{
    switch (-e) {
    case EPERM:
        return "EPERM";
    case ENOENT:
        return "ENOENT";
    case EIO:
        return "EIO";
    case EBADF:
        return "EBADF";
    case EAGAIN:
        return "EAGAIN";
    case ENOMEM:
        return "ENOMEM";
    case EACCES:
        return "EACCES";
    case EFAULT:
        return "EFAULT";
    case EEXIST:
        return "EEXIST";
    case ENOTDIR:
        return "ENOTDIR";
    case EISDIR:
        return "EISDIR";
    case EINVAL:
        return "EINVAL";
    case ENOTTY:
        return "ENOTTY";
    case ESPIPE:
        return "ESPIPE";
    case EROFS:
        return "EROFS";
    case ERANGE:
        return "ERANGE";
    case ENOSYS:
        return "ENOSYS";
    case ESRCH:
        return "ESRCH";
    case ECHILD:
        return "ECHILD";
    case ENOEXEC:
        return "ENOEXEC";
    case E2BIG:
        return "E2BIG";
    case ELOOP:
        return "ELOOP";
    case EPIPE:
        return "EPIPE";
    case ENOTSOCK:
        return "ENOTSOCK";
    case ENOTEMPTY:
        return "ENOTEMPTY";
    case ENAMETOOLONG:
        return "ENAMETOOLONG";
    case EINTR:
        return "EINTR";
    case ERESTARTSYS:
        return "ERESTARTSYS";
    case ERESTARTNOINTR:
        return "ERESTARTNOINTR";
    case ERESTARTNOHAND:
        return "ERESTARTNOHAND";
    case ERESTART_RESTARTBLOCK:
        return "ERESTART_RESTARTBLOCK";
    default:
        return "E?";
    }
}

static int format_arg(char *buf, size_t size, u64 v)
{
    if (v < 0x10000)
        return snprintf(buf, size, "%lu", v);
    if (v >= 0xffff0000ull && v <= 0xffffffffull) /* a negative int: AT_FDCWD, -1 */
        return snprintf(buf, size, "%d", (int)(u32)v);
    if ((s64)v < 0 && (s64)v > -0x10000)
        return snprintf(buf, size, "%ld", (s64)v);
    return snprintf(buf, size, "0x%lx", v);
}

static void trace(u64 nr, const u64 *args, s64 ret, bool returned)
{
    char line[256];
    const char *name =
        nr < NR_SYSCALLS ? (table[nr].name ? table[nr].name : unimplemented_names[nr]) : NULL;
    int n = name ? snprintf(line, sizeof(line), "%s(", name)
                 : snprintf(line, sizeof(line), "syscall_%lu(", nr);
    int nargs = nr < NR_SYSCALLS && table[nr].fn ? table[nr].nargs : 6;
    for (int i = 0; i < nargs && n < (int)sizeof(line) - 40; i++) {
        if (i)
            n += snprintf(line + n, sizeof(line) - n, ", ");
        n += format_arg(line + n, sizeof(line) - n, args[i]);
    }
    if (!returned)
        snprintf(line + n, sizeof(line) - n, ") = ?");
    else if (is_err(ret))
        snprintf(line + n, sizeof(line) - n, ") = %ld %s", ret, errno_name(ret));
    else if ((u64)ret < 0x10000)
        snprintf(line + n, sizeof(line) - n, ") = %ld", ret);
    else
        snprintf(line + n, sizeof(line) - n, ") = 0x%lx", (u64)ret);
    s32 pid = current_process()->pid;
    if (pid != PROC_PID) /* as strace -f marks the calls of other processes */
        hlog("[trace] [pid %d] %s\n", pid, line);
    else
        hlog("[trace] %s\n", line);
}

void syscall_trace_note(const char *why)
{
    if (current_process()->boot_flags & CL_BOOT_TRACE)
        hlog("[trace] %s\n", why);
}

void syscall_entry(struct trap_frame *tf)
{
    kernel_enter();
    u64 nr = tf->rax;
    u64 args[6] = {tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9};
    s64 ret = -ENOSYS;
    struct task *t = current_task();
    t->syscall_nr = (s64)nr; /* for a restart (kernel/signal_frame.c) */
    if (nr < NR_SYSCALLS && table[nr].fn) {
        /* exit calls never return: name them before they run */
        if ((current_process()->boot_flags & CL_BOOT_TRACE) && (nr == 60 || nr == 231))
            trace(nr, args, 0, false);
        ret = table[nr].fn(args[0], args[1], args[2], args[3], args[4], args[5]);
    }
    file_calls_done();
    if (current_process()->boot_flags & CL_BOOT_TRACE)
        trace(nr, args, ret, true);
    tf->rax = (u64)ret;
    /* an interrupted call becomes EINTR or a restart here, and handlers run; a
     * signal raised by a tick in sched_return_to_user is among them */
    sched_return_to_user();
    signal_deliver(tf);
    kernel_exit();
}
