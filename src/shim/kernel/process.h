/*
 * The one process a shim runs: its identity, limits, signal state and the few file
 * descriptors it has. One workload, one process (DESIGN.md): there is no fork.
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

struct process {
    char exe_path[256];
    u64 rlimits[RLIMIT_COUNT][2]; /* soft, hard */
    struct k_sigaction sigactions[64];
    u64 sigmask;
    u64 altstack_sp, altstack_size;
    s32 altstack_flags;
    u64 clear_child_tid;
    u64 robust_list;
    u32 boot_flags;                /* CL_BOOT_* */
    u32 stdio_flags[NR_STDIO_FDS]; /* CL_STDIO_* of the host's fds 0-2 */
    const char *cmdline;           /* argv strings, NUL-separated, for /proc/self/cmdline */
    u32 argc;
    s64 start_ns; /* CLOCK_MONOTONIC when the shim started */
};

extern struct process proc;

void process_init(const char *exe_path, u32 boot_flags, const u32 stdio_flags[3]);

#endif
