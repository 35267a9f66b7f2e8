/*
 * Signals, as Linux x86-64 has them: actions (per process), masks and alternate stacks
 * (per task), a pending set per task and one per process (kill() targets the process,
 * tgkill() and faults a task), and delivery to handlers on an rt_sigframe built the way
 * Linux builds it (signal_frame.c) at every return to user mode.
 *
 * One siginfo is kept per pending signal number: a real-time signal sent again while
 * pending is not queued a second time (Linux queues up to RLIMIT_SIGPENDING).
 */
#ifndef SHIM_SIGNAL_H
#define SHIM_SIGNAL_H

#include "lib/types.h"
#include <cloister/abi.h>

#define SIGHUP    1
#define SIGINT    2
#define SIGQUIT   3
#define SIGILL    4
#define SIGTRAP   5
#define SIGABRT   6
#define SIGBUS    7
#define SIGFPE    8
#define SIGKILL   9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGVTALRM 26
#define SIGPROF   27
#define SIGWINCH  28
#define NSIG      64

#define SIG_DFL 0
#define SIG_IGN 1

#define SA_SIGINFO   0x4u
#define SA_ONSTACK   0x08000000u
#define SA_RESTART   0x10000000u
#define SA_NODEFER   0x40000000u
#define SA_RESETHAND 0x80000000u
#define SA_RESTORER  0x04000000u
#define SA_NOCLDSTOP 0x1u
#define SA_NOCLDWAIT 0x2u

/* si_code values */
#define SI_USER     0
#define SI_KERNEL   0x80
#define SI_QUEUE    (-1)
#define SI_TIMER    (-2)
#define SI_TKILL    (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define FPE_INTDIV  1
#define FPE_FLTDIV  3
#define FPE_FLTOVF  4
#define FPE_FLTUND  5
#define FPE_FLTRES  6
#define FPE_FLTINV  7
#define ILL_ILLOPN  2
#define TRAP_BRKPT  1

#define SIGBIT(sig)     (1ull << ((sig)-1))
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* Linux's siginfo_t, 128 bytes; the union's members this shim fills. */
struct linux_siginfo {
    s32 si_signo;
    s32 si_errno;
    s32 si_code;
    s32 pad;
    union {
        struct {
            s32 pid;
            u32 uid;
            u64 value; /* sigqueue's sigval */
        } kill;
        struct {
            s32 tid;
            s32 overrun;
            u64 value;
        } timer;
        struct {
            u64 addr;
        } fault;
        u8 raw[112];
    } u;
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo");

/* Where a fault came from, for the one-line report when it ends the workload. */
struct fault_report {
    u64 vector, error, rip, addr;
    u32 flags; /* CL_FAULT_* */
};

struct trap_frame;
struct task;

/* Ends the current process as if killed by sig: for pid 1, the workload, with a
 * one-line report (CL_FAULT_* flags describe the fault); for another, as Linux ends a
 * process, its parent told (kernel/exit.c). */
__attribute__((noreturn)) void kill_workload(int sig, u64 vector, u64 error, u64 rip, u64 addr,
                                             u32 flags);

struct process;

/* Sends sig to a process (any task that does not block it takes it) or to one task,
 * as kill() and tgkill() do; info may be NULL for a plain SI_KERNEL. Ignored signals are
 * dropped here, as Linux drops them. Returns 0 or -EINVAL. signal_send_process sends
 * to the caller's own process. */
s64 signal_send_to(struct process *p, int sig, const struct linux_siginfo *info);
s64 signal_send_process(int sig, const struct linux_siginfo *info);
/* The same to any process p (kill(pid), a child's SIGCHLD, a timer's). */
struct process;
s64 signal_send_to(struct process *p, int sig, const struct linux_siginfo *info);
s64 signal_send_task(struct task *t, int sig, const struct linux_siginfo *info);

/* A synchronous fault of the current task (trap.c): delivered right away if a handler
 * takes it; blocked, ignored or with the default action it ends the workload with the
 * fault's one-line report, as Linux does. */
void signal_force_fault(int sig, int code, u64 addr, const struct fault_report *report);

/* A write found its pipe closed: raise SIGPIPE at the writer as Linux would. */
void signal_broken_pipe(void);

/* Whether an unblocked signal is pending for the current task: an interruptible wait
 * (kernel/wait.h) then ends with -EINTR. */
bool signal_pending(void);

/*
 * At every return to user mode (system call, trap; interrupts later): finishes an
 * interrupted system call (restart or EINTR) and runs the handlers of the pending
 * unblocked signals, or their default actions. tf is the frame about to be resumed.
 */
void signal_deliver(struct trap_frame *tf);

/* The monitor forwarded a signal from the host: those of CL_FORWARDED_SIGNALS are
 * raised in the workload as kill() from outside would; anything else is dropped. */
void signal_from_host(int sig);

/* Takes the lowest pending signal in set (a mask of wanted signals) off the current
 * task's or the process's pending set and returns it with its info, or 0 if none. */
int signal_dequeue(u64 set, struct linux_siginfo *info);
/* Pending signals of the current task and of its process. */
u64 signal_pending_set(void);

/* The wait queue signalfd and sigtimedwait sleep on: woken when a signal is sent. */
struct wait_queue *signal_wait_queue(void);

/* Default action of a signal: whether it terminates the process, or stops it (SIGSTOP,
 * SIGTSTP, SIGTTIN, SIGTTOU); else it is ignored. */
bool signal_default_terminates(int sig);
bool signal_default_stops(int sig);

/* Every handled signal of P back to SIG_DFL, with no flags or mask (SIG_IGN stays), as
 * exec and clone3's CLONE_CLEAR_SIGHAND do. */
void signal_reset_handlers(struct process *p);

/* si_code values of SIGCHLD */
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

#endif
