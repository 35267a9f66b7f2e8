/*
 * The processes a shim runs and their tasks: a process holds what its threads share
 * (identity, address space, descriptors, limits, signal actions), a task what each
 * thread has of its own (thread id, signal mask, alternate stack, the addresses
 * set_tid_address and set_robust_list record). The workload's first process is pid 1;
 * the others descend from it by fork (kernel/fork.c), end through kernel/exit.c and are
 * reaped by wait4/waitid (kernel/sys_wait.c). docs/processes.md is the design.
 */
#ifndef SHIM_PROCESS_H
#define SHIM_PROCESS_H

#include "lib/types.h"
#include <cloister/abi.h>
#include "arch/x86/arch.h"
#include "kernel/signal.h"
#include "kernel/wait.h"

#define PERCPU_CURRENT_OFFSET __builtin_offsetof(struct percpu, current)

#define PROC_PID      1 /* the workload's first process: its end is the workload's */
#define RLIMIT_COUNT  16
#define RLIM_INFINITY (~0ull)
#define NR_STDIO_FDS  3

struct k_sigaction {
    u64 handler;
    u64 flags;
    u64 restorer;
    u64 mask;
};

struct mm;
struct fdtable;
struct process_timers;
struct inode;

/*
 * A process: what its threads share. Its address space and descriptor table are
 * structures of the modules that own them (mm/mm.h, fs/file.h), reached from here, so
 * that a second process can have its own or, as fork's will, a copy
 * (docs/processes.md).
 */
struct process {
    s32 pid;
    struct mm *mm;         /* mm/mm.c: areas, page-table root, brk */
    struct fdtable *files; /* fs/file.c: descriptors */
    struct inode *cwd;     /* fs/vfs.c: where relative paths start */
    u32 umask;             /* fs/sys_file.c: the permission bits new files lose */
    u32 ngroups;           /* kernel/sys_info.c: supplementary groups, each gid 0 */
    char exe_path[256];
    u64 rlimits[RLIMIT_COUNT][2]; /* soft, hard */
    struct k_sigaction sigactions[64];
    u32 boot_flags;                /* CL_BOOT_* */
    u32 stdio_flags[NR_STDIO_FDS]; /* CL_STDIO_* of the host's fds 0-2 */
    const char *cmdline; /* argv (then envp) strings, NUL-separated, for /proc/PID/cmdline */
    u64 cmdline_size;
    bool cmdline_owned; /* kmalloc'd (a fork's copy, an exec's), not the boot's */
    u32 argc;
    s64 start_ns;       /* CLOCK_MONOTONIC when the shim started */
    struct task *tasks; /* every live task, through all_next */
    u32 nr_tasks;
    u32 membarrier_registered; /* MEMBARRIER_CMD_REGISTER_* seen (sys_cpu.c) */
    /* kernel/signal.c: signals sent to the process (kill), one info per number */
    u64 sig_pending;
    struct linux_siginfo sig_info[NSIG];
    struct wait_queue sig_wait; /* woken when a signal is sent (signalfd, sigtimedwait) */
    /* the family (kernel/fork.c, exit.c): under the kernel lock like the rest */
    struct process *parent;   /* pid 1's is NULL; an orphan's becomes pid 1 */
    struct process *children; /* live and zombie, through sibling */
    struct process *sibling;
    struct process *all_next; /* every process, zombies too */
    s32 pgid, sid;
    u32 exit_signal;                /* sent to the parent at the end: SIGCHLD, or clone's */
    bool exiting;                   /* its threads are ending (exit_group, a fatal signal) */
    bool zombie;                    /* ended; only the pid and status stay for wait */
    bool autoreap;                  /* the parent ignores SIGCHLD: freed with its last task */
    bool execed;                    /* it ran execve since fork (setpgid answers EACCES) */
    bool stopped;                   /* by a stop signal, until SIGCONT (signal_frame.c) */
    int stop_report;                /* the stop signal, until wait(WUNTRACED) reports it */
    bool cont_report;               /* continued, until wait(WCONTINUED) reports it */
    struct wait_queue stop_wait;    /* its stopped tasks sleep here */
    struct task *vfork_parent;      /* a vfork child's parent task, until it execs or ends */
    int wstatus;                    /* wait's status word once exiting */
    struct wait_queue child_wait;   /* woken when a child ends (wait4, waitid) */
    struct wait_queue threads_gone; /* woken as its tasks end (an exec waits for that) */
    s64 exited_ns;                  /* CPU time of its tasks that ended (kernel/sys_rusage.c) */
    s64 children_ns;                /* and of its reaped children, theirs included */
    /* issue 12 step 2 (docs/processes.md): the last per-VM statics, now the process's */
    struct process_timers *timers; /* sys_itimer.c, made on first use; itimer.h frees */
    bool nondumpable;              /* prctl PR_SET_DUMPABLE 0 (Linux: the mm's); exec clears */
    bool child_subreaper;          /* PR_SET_CHILD_SUBREAPER; not inherited at fork */
};

enum task_state {
    TASK_RUNNING,  /* on a CPU */
    TASK_RUNNABLE, /* on the run queue */
    TASK_BLOCKED,  /* in task_wait, until task_wake */
    TASK_DEAD,     /* exited; its memory is freed by the next task to run */
};

/*
 * A task: one thread of a process, what is its own. While it runs, its user registers
 * are the trap frame at the top of its kernel stack, its FPU state and FS/GS bases are
 * in the CPU; when it is switched out they are saved here (kernel/sched.c).
 */
struct task {
    struct process *proc;
    s32 tid;
    enum task_state state;
    u64 kernel_sp;    /* the saved stack pointer while switched out */
    u8 *kernel_stack; /* KERNEL_STACK_SIZE bytes; NULL for the first task (the CPU's) */
    u64 kernel_top;   /* top of the kernel stack */
    void *fpu;        /* fpu_state_size() bytes, 64-byte aligned, while switched out */
    void *fpu_alloc;  /* what kmalloc returned for it */
    u64 user_fs, user_gs;
    u64 cpu_mask;          /* sched_setaffinity: the CPUs it may run on */
    u32 cpu;               /* the CPU it runs on, or last ran on */
    struct task *run_next; /* the run queue's link */
    struct task *all_next; /* every live task of the process */
    u64 sigmask;
    u64 altstack_sp, altstack_size;
    s32 altstack_flags;
    u64 clear_child_tid; /* set_tid_address */
    u64 robust_list;     /* set_robust_list */
    volatile bool woken; /* kernel/wait.h: a wake came since the task last prepared */
    /* kernel/signal.c: signals sent to this task (tgkill, faults) */
    u64 sig_pending;
    struct linux_siginfo sig_info[NSIG];
    u64 sig_forced;            /* pending faults: a handler or the end */
    struct fault_report fault; /* the last of them, for the kill report */
    u64 saved_sigmask;         /* sigsuspend's mask, restored after delivery */
    bool saved_sigmask_valid;
    s64 syscall_nr; /* the system call being made (for a restart), or -1 */
    /* fs/file.c: the files the current system call looked up, each held by one
     * reference until it returns, as Linux's fdget; more than fit here go to a
     * kmalloc'd array kept for the task's life */
    struct file *held[8];
    struct file **held_more;
    u32 nheld, held_cap;
    u64 set_child_tid;  /* CLONE_CHILD_SETTID: written in the child's memory as it starts */
    bool vfork_waiting; /* its vfork child still borrows the address space */
    bool must_exit;     /* another thread exec'd: this one ends (kernel/sys_exec.c) */
    s64 run_ns;         /* CPU time until it was last switched out (kernel/sched.c) */
    struct wait_queue vfork_wait; /* it sleeps here meanwhile (kernel/fork.c) */
    /* issue 12 step 2 (docs/processes.md): what Linux keeps per thread (sys_info.c);
     * a new thread inherits them (task_inherit_attrs), pdeathsig excepted */
    char comm[16];     /* PR_SET_NAME, when comm_set; else the program's name */
    bool comm_set;     /* exec clears it */
    bool no_new_privs; /* PR_SET_NO_NEW_PRIVS: inherited by threads and children */
    s32 nice;          /* setpriority: -20..19 */
    u32 pdeathsig;     /* PR_SET_PDEATHSIG: sent when the parent dies; 0 in a new task */
};

/* The task running on this vCPU, from process_init on. */
static inline struct task *current_task(void)
{
    struct task *t;
    __asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(PERCPU_CURRENT_OFFSET));
    return t;
}

static inline struct process *current_process(void)
{
    return current_task()->proc;
}

/* wait's status word (struct process.wstatus): killed by a signal, or exited; the
 * signal or the exit code, what SIGCHLD's si_status and waitid report. */
static inline bool wstatus_killed(int w)
{
    return (w & 0x7f) != 0;
}

static inline int wstatus_value(int w)
{
    return wstatus_killed(w) ? w & 0x7f : (w >> 8) & 0xff;
}

/* The task with thread id tid in any process (0: the caller), or NULL. */
struct task *task_by_tid(s32 tid);
/* The process with that pid, zombies included, or NULL. */
struct process *process_by_pid(s32 pid);
/* The first of every process (through all_next). */
struct process *process_first(void);
/* A number for a new process or thread: one space for both, as Linux's, wrapping at
 * 32768 past the numbers in use; 0 if all are. */
s32 pid_alloc(void);
/* A new process, a copy of parent's identity, limits and actions, with no tasks,
 * address space or descriptors yet; linked as parent's child. NULL without memory. */
struct process *process_new(struct process *parent);
/* Processes alive or zombie: what the manifest's limit bounds (kernel/fork.c). */
u32 process_count(void);
/* The argv (and envp) strings /proc/PID/cmdline shows: p takes the kmalloc'd s. */
void process_set_cmdline(struct process *p, char *s, u64 size, u32 argc);
/* Unlinks and frees a process that has no task left (a reaped zombie, a failed fork). */
void process_free(struct process *p);

/* The current process ends with the wait status (exit_group, a fatal signal): every
 * task of it ends, the last one makes it a zombie (kernel/exit.c). */
__attribute__((noreturn)) void process_exit(int wstatus);
/* Tells p's parent that p stopped, continued or ended (CLD_*, with the signal or exit
 * code): the parent's exit signal, unless it asked not to hear of stops (SA_NOCLDSTOP),
 * and its child_wait queue (kernel/exit.c). */
void process_notify_parent(struct process *p, int code, int status);
/* Ends p from outside (SIGKILL sent to it): its tasks end at their next chance. */
void process_kill(struct process *p, int sig);
/* The current task ends (exit, or its process is exiting): the last one of its
 * process ends the process. */
__attribute__((noreturn)) void task_end(void);

/* The process with the lowest pid above pid, or NULL: /proc's listing walks them. */
struct process *process_after(s32 pid);

/* t's name as Linux's comm: what PR_SET_NAME set, else the program file's name, at most
 * 15 characters and a NUL (sys_info.c). */
void task_comm(const struct task *t, char comm[16]);
/* What a new thread takes from the one that made it (sys_info.c: name, no_new_privs,
 * niceness), as Linux's clone copies them. */
void task_inherit_attrs(struct task *t, const struct task *from);

/* Sets up the first process and its one task, with the limits a fresh login gets. */
void process_init(const char *exe_path, u32 boot_flags, const u32 stdio_flags[3]);

#endif
