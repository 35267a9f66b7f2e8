/* Processes: the first one and its task (limits as a fresh Debian login gets them),
 * the table of all of them, and the one number space of pids and tids. */
#include "kernel/process.h"
#include "lib/lib.h"
#include "arch/x86/arch.h"
#include "arch/x86/paging.h"
#include "fs/file.h"
#include "kernel/panic.h"
#include "mm/mm.h"
#include "mm/kmalloc.h"
#include "kernel/clock.h"

static struct process first_process;
static struct task first_task;
static struct process *all_processes = &first_process;

#define PID_MAX      32768 /* Linux's default pid_max */
#define PID_WRAP_MIN 300   /* Linux's RESERVED_PIDS: numbers after a wrap start here */
static s32 last_pid = PROC_PID;
static u32 nr_processes = 1;
static bool pid_wrapped;

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
    proc->pid = proc->pgid = proc->sid = PROC_PID;
    proc->exit_signal = SIGCHLD;
    first_task.proc = proc;
    first_task.tid = PROC_PID;
    first_task.state = TASK_RUNNING;
    first_task.kernel_top = this_cpu()->kernel_rsp; /* the boot CPU's kernel stack */
    this_cpu()->current = &first_task;
    proc->tasks = &first_task;
    proc->nr_tasks = 1;
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
    for (struct process *p = all_processes; p; p = p->all_next)
        for (struct task *t = p->tasks; t; t = t->all_next)
            if (t->tid == tid)
                return t;
    return NULL;
}

struct process *process_by_pid(s32 pid)
{
    for (struct process *p = all_processes; p; p = p->all_next)
        if (p->pid == pid)
            return p;
    return NULL;
}

struct process *process_first(void)
{
    return all_processes;
}

static bool number_in_use(s32 n)
{
    for (struct process *p = all_processes; p; p = p->all_next) {
        if (p->pid == n || p->pgid == n || p->sid == n)
            return true; /* Linux keeps a group's or session's number while it lives */
        for (struct task *t = p->tasks; t; t = t->all_next)
            if (t->tid == n)
                return true;
    }
    return false;
}

s32 pid_alloc(void)
{
    s32 n = last_pid;
    for (s32 tries = 0; tries < PID_MAX; tries++) {
        if (++n >= PID_MAX) {
            n = PID_WRAP_MIN;
            pid_wrapped = true;
        }
        /* a number cannot be in use until the counter has wrapped once */
        if (!pid_wrapped || !number_in_use(n)) {
            last_pid = n;
            return n;
        }
    }
    return 0;
}

u32 process_count(void)
{
    return nr_processes;
}

struct process *process_new(struct process *parent)
{
    struct process *p = kmalloc(sizeof(*p));
    if (!p)
        return NULL;
    s32 pid = pid_alloc();
    if (!pid) {
        kfree(p);
        return NULL;
    }
    p->pid = pid;
    p->pgid = parent->pgid;
    p->sid = parent->sid;
    p->umask = parent->umask;
    p->ngroups = parent->ngroups;
    strlcpy(p->exe_path, parent->exe_path, sizeof(p->exe_path));
    memcpy(p->rlimits, parent->rlimits, sizeof(p->rlimits));
    memcpy(p->sigactions, parent->sigactions, sizeof(p->sigactions));
    p->boot_flags = parent->boot_flags;
    memcpy(p->stdio_flags, parent->stdio_flags, sizeof(p->stdio_flags));
    char *cmdline = kmalloc(parent->cmdline_size ? parent->cmdline_size : 1);
    if (!cmdline) {
        kfree(p);
        return NULL;
    }
    memcpy(cmdline, parent->cmdline, parent->cmdline_size);
    process_set_cmdline(p, cmdline, parent->cmdline_size, parent->argc);
    p->start_ns = clock_monotonic_ns();
    p->exit_signal = SIGCHLD;
    p->parent = parent;
    p->sibling = parent->children;
    parent->children = p;
    p->all_next = all_processes;
    all_processes = p;
    nr_processes++;
    return p;
}

void process_set_cmdline(struct process *p, char *s, u64 size, u32 argc)
{
    if (p->cmdline_owned)
        kfree((char *)p->cmdline);
    p->cmdline = s;
    p->cmdline_size = size;
    p->cmdline_owned = true;
    p->argc = argc;
}

void process_free(struct process *p)
{
    nr_processes--;
    if (p->cmdline_owned)
        kfree((char *)p->cmdline);
    for (struct process **pp = &all_processes; *pp; pp = &(*pp)->all_next)
        if (*pp == p) {
            *pp = p->all_next;
            break;
        }
    if (p->parent)
        for (struct process **pp = &p->parent->children; *pp; pp = &(*pp)->sibling)
            if (*pp == p) {
                *pp = p->sibling;
                break;
            }
    if (p != &first_process)
        kfree(p);
}

struct process *process_after(s32 pid)
{
    struct process *next = NULL;
    for (struct process *p = all_processes; p; p = p->all_next)
        if (p->pid > pid && (!next || p->pid < next->pid))
            next = p;
    return next;
}
