/*
 * The process a shim runs and its tasks: a process holds what its threads share
 * (identity, limits, signal actions), a task what each thread has of its own (thread
 * id, signal mask, alternate stack, the addresses set_tid_address and set_robust_list
 * record). One workload, one process (docs/design.md): there is no fork.
 */
#ifndef SHIM_PROCESS_H
#define SHIM_PROCESS_H

#include "lib/types.h"
#include <cloister/abi.h>

#define PROC_PID      1 /* the workload is the first and only process of its VM */
#define RLIMIT_COUNT  16
#define RLIM_INFINITY (~0ull)
#define NR_STDIO_FDS  3

struct k_sigaction {
    u64 handler;
    u64 flags;
    u64 restorer;
    u64 mask;
};

/*
 * A process: what its threads share. Its address space (mm/mm.c), descriptor table
 * (fs/file.c), working directory and umask (fs/vfs.c) are kept by the module that owns
 * them, one of each per VM, as there is one process.
 */
struct process {
    s32 pid;
    char exe_path[256];
    u64 rlimits[RLIMIT_COUNT][2]; /* soft, hard */
    struct k_sigaction sigactions[64];
    u32 boot_flags;                /* CL_BOOT_* */
    u32 stdio_flags[NR_STDIO_FDS]; /* CL_STDIO_* of the host's fds 0-2 */
    const char *cmdline;           /* argv strings, NUL-separated, for /proc/self/cmdline */
    u32 argc;
    s64 start_ns; /* CLOCK_MONOTONIC when the shim started */
};

/*
 * A task: one thread of a process, what is its own. A task runs on one vCPU and stays
 * there, so its user registers are the trap frame on that CPU's kernel stack and its FS
 * base is in the CPU's struct percpu (arch/x86/arch.h).
 */
struct task {
    struct process *proc;
    s32 tid;
    u64 sigmask;
    u64 altstack_sp, altstack_size;
    s32 altstack_flags;
    u64 clear_child_tid; /* set_tid_address */
    u64 robust_list;     /* set_robust_list */
    volatile bool woken; /* kernel/wait.h: a wake came since the task last prepared */
};

/* The task running on this vCPU, from process_init on. */
struct task *current_task(void);

static inline struct process *current_process(void)
{
    return current_task()->proc;
}

/* Sets up the first process and its one task, with the limits a fresh login gets. */
void process_init(const char *exe_path, u32 boot_flags, const u32 stdio_flags[3]);

#endif
