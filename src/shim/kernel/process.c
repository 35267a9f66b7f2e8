/* The first process and its task; limits as a fresh Debian login gets them. */
#include "kernel/process.h"
#include "lib/lib.h"

static struct process first_process;
static struct task first_task;

struct task *current_task(void)
{
    return &first_task;
}

enum {
    RL_CPU,
    RL_FSIZE,
    RL_DATA,
    RL_STACK,
    RL_CORE,
    RL_RSS,
    RL_NPROC,
    RL_NOFILE,
    RL_MEMLOCK,
    RL_AS,
    RL_LOCKS,
    RL_SIGPENDING,
    RL_MSGQUEUE,
    RL_NICE,
    RL_RTPRIO,
    RL_RTTIME
};

void process_init(const char *exe_path, u32 boot_flags, const u32 stdio_flags[3])
{
    struct process *proc = &first_process;
    proc->pid = PROC_PID;
    first_task.proc = proc;
    first_task.tid = PROC_PID;
    strlcpy(proc->exe_path, exe_path, sizeof(proc->exe_path));
    for (int i = 0; i < RLIMIT_COUNT; i++)
        proc->rlimits[i][0] = proc->rlimits[i][1] = RLIM_INFINITY;
    proc->rlimits[RL_STACK][0] = 8ull << 20;
    proc->rlimits[RL_CORE][0] = 0;
    proc->rlimits[RL_NOFILE][0] = 1024;
    proc->rlimits[RL_NOFILE][1] = 4096;
    proc->rlimits[RL_MEMLOCK][0] = proc->rlimits[RL_MEMLOCK][1] = 8ull << 20;
    proc->rlimits[RL_SIGPENDING][0] = proc->rlimits[RL_SIGPENDING][1] = 63432;
    proc->rlimits[RL_MSGQUEUE][0] = proc->rlimits[RL_MSGQUEUE][1] = 819200;
    proc->rlimits[RL_NICE][0] = proc->rlimits[RL_NICE][1] = 0;
    proc->rlimits[RL_RTPRIO][0] = proc->rlimits[RL_RTPRIO][1] = 0;
    proc->boot_flags = boot_flags;
    for (int i = 0; i < NR_STDIO_FDS; i++)
        proc->stdio_flags[i] = stdio_flags[i] & (CL_STDIO_TTY | CL_STDIO_EVENTS | CL_STDIO_FL_MASK);
}
