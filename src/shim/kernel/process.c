/* The first process and its task; limits as a fresh Debian login gets them. */
#include "kernel/process.h"
#include "lib/lib.h"
#include "arch/x86/arch.h"
#include "arch/x86/paging.h"
#include "fs/file.h"
#include "kernel/panic.h"
#include "mm/mm.h"

static struct process first_process;
static struct task first_task;

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
    first_task.state = TASK_RUNNING;
    first_task.kernel_top = this_cpu()->kernel_rsp; /* the boot CPU's kernel stack */
    this_cpu()->current = &first_task;
    proc->tasks = &first_task;
    proc->nr_tasks = 1;
    proc->next_tid = PROC_PID + 1;
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
    /* the first process runs on the page tables the monitor built */
    proc->mm = mm_create(paging_boot_root());
    proc->files = fdtable_create();
    if (!proc->mm || !proc->files)
        panic("no memory for the first process");
    proc->umask = 022;
    proc->boot_flags = boot_flags;
    for (int i = 0; i < NR_STDIO_FDS; i++)
        proc->stdio_flags[i] = stdio_flags[i] & (CL_STDIO_TTY | CL_STDIO_EVENTS | CL_STDIO_FL_MASK);
}

struct task *task_by_tid(s32 tid)
{
    if (tid == 0)
        return current_task();
    for (struct task *t = current_process()->tasks; t; t = t->all_next)
        if (t->tid == tid)
            return t;
    return NULL;
}

/* One process until fork (docs/processes.md step 5), whose pid table replaces these. */
struct process *process_by_pid(s32 pid)
{
    struct process *p = current_process();
    return pid == p->pid ? p : NULL;
}

struct process *process_after(s32 pid)
{
    struct process *p = current_process();
    return p->pid > pid ? p : NULL;
}
