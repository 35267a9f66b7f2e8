/*
 * Sending signals and the pending sets (signal.h). Delivery is in signal_frame.c.
 *
 * Like Linux: a signal whose action is "ignore" (SIG_IGN, or SIG_DFL of a signal whose
 * default is to ignore) is dropped when sent unless blocked; SIGKILL ends the workload
 * at once; a fault the task cannot take (blocked, ignored, no handler) ends it too.
 */
#include "kernel/signal.h"
#include "kernel/process.h"
#include "kernel/wait.h"
#include "kernel/sched.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"

bool signal_default_stops(int sig)
{
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

bool signal_default_terminates(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH:
        return false;
    default:
        return !signal_default_stops(sig);
    }
}

void signal_reset_handlers(struct process *p)
{
    for (int i = 0; i < NSIG; i++) {
        struct k_sigaction *ka = &p->sigactions[i];
        if (ka->handler != SIG_IGN)
            ka->handler = SIG_DFL;
        ka->flags = 0;
        ka->mask = 0;
        ka->restorer = 0;
    }
}

static bool ignored(const struct process *p, int sig)
{
    u64 handler = p->sigactions[sig - 1].handler;
    if (handler == SIG_IGN)
        return true;
    if (handler != SIG_DFL)
        return false;
    /* pid 1 is not stopped, as a container's init: nobody outside could continue it */
    if (signal_default_stops(sig))
        return p->pid == PROC_PID;
    return !signal_default_terminates(sig);
}

#define STOP_SIGNALS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

/* What sending a stop signal or SIGCONT does at once, as Linux's prepare_signal: each
 * discards the other's pending signals, and SIGCONT resumes a stopped process (even
 * when it is blocked, ignored or handled). */
static void stop_or_continue(struct process *p, int sig)
{
    u64 discard = sig == SIGCONT ? STOP_SIGNALS : SIGBIT(SIGCONT);
    p->sig_pending &= ~discard;
    for (struct task *t = p->tasks; t; t = t->all_next)
        t->sig_pending &= ~discard;
    if (sig == SIGCONT && p->stopped) {
        p->stopped = false;
        p->stop_report = 0;
        p->cont_report = true;
        process_notify_parent(p, CLD_CONTINUED, SIGCONT);
        wake_up(&p->stop_wait);
    }
}

static void fill_info(struct linux_siginfo *dst, int sig, const struct linux_siginfo *info)
{
    if (info) {
        *dst = *info;
    } else {
        *dst = (struct linux_siginfo){0};
        dst->si_code = SI_KERNEL;
    }
    dst->si_signo = sig;
}

static s64 send(u64 *pending, struct linux_siginfo *infos, struct task *t, int sig,
                const struct linux_siginfo *info)
{
    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (sig == 0)
        return 0;
    if (t->proc->zombie)
        return 0; /* Linux: a zombie takes the signal and nothing happens */
    if (sig == SIGKILL) {
        process_kill(t->proc, SIGKILL);
        return 0;
    }
    if (sig == SIGCONT || signal_default_stops(sig))
        stop_or_continue(t->proc, sig);
    if (ignored(t->proc, sig) && !(t->sigmask & SIGBIT(sig)))
        return 0;
    if (!(*pending & SIGBIT(sig)))
        fill_info(&infos[sig - 1], sig, info);
    *pending |= SIGBIT(sig);
    if (pending == &t->sig_pending) {
        task_wake(t);
        sched_notify_task(t);
    } else {
        /* a signal for the process: any task that does not block it may take it; the
         * sender itself on its way out, or else a sleeper woken or a runner on another
         * CPU interrupted, as Linux's complete_signal chooses */
        struct task *me = current_task(), *runner = NULL;
        /* (an idle CPU dispatching a host signal runs its idle task, tid 0: no taker) */
        bool taken = me->tid && me->proc == t->proc && !(me->sigmask & SIGBIT(sig));
        for (struct task *u = t->proc->tasks; u; u = u->all_next) {
            if (u->sigmask & SIGBIT(sig))
                continue;
            if (u->state == TASK_BLOCKED) {
                task_wake(u);
                taken = true;
            } else if (u->state == TASK_RUNNING && u != me && !runner) {
                runner = u;
            }
        }
        if (!taken && runner)
            sched_notify_task(runner);
    }
    wake_up(&t->proc->sig_wait);
    return 0;
}

s64 signal_send_to(struct process *p, int sig, const struct linux_siginfo *info)
{
    /* the task whose mask decides whether an ignored signal is kept: the sender's own
     * when it signals its process, as before; else the process's first */
    struct task *t = current_task()->proc == p ? current_task() : p->tasks;
    if (!t) /* no thread left to take it (a process that has exited) */
        return sig < 0 || sig > NSIG ? -EINVAL : 0;
    return send(&p->sig_pending, p->sig_info, t, sig, info);
}

s64 signal_send_process(int sig, const struct linux_siginfo *info)
{
    return signal_send_to(current_process(), sig, info);
}

s64 signal_send_task(struct task *t, int sig, const struct linux_siginfo *info)
{
    return send(&t->sig_pending, t->sig_info, t, sig, info);
}

void signal_force_fault(int sig, int code, u64 addr, const struct fault_report *report)
{
    struct task *t = current_task();
    u64 handler = t->proc->sigactions[sig - 1].handler;
    if ((t->sigmask & SIGBIT(sig)) || handler == SIG_IGN || handler == SIG_DFL)
        kill_workload(sig, report->vector, report->error, report->rip, report->addr, report->flags);
    struct linux_siginfo info = {.si_signo = sig, .si_code = code};
    info.u.fault.addr = addr;
    t->sig_info[sig - 1] = info;
    t->sig_pending |= SIGBIT(sig);
    t->sig_forced |= SIGBIT(sig);
    t->fault = *report;
}

void signal_broken_pipe(void)
{
    /* Linux sends SIGPIPE to the writing thread (SI_USER from itself); the write then
     * fails with EPIPE once the handler, if any, has run */
    struct linux_siginfo info = {.si_code = SI_USER};
    info.u.kill.pid = current_process()->pid;
    signal_send_task(current_task(), SIGPIPE, &info);
}

u64 signal_pending_set(void)
{
    struct task *t = current_task();
    return t->sig_pending | t->proc->sig_pending;
}

bool signal_pending(void)
{
    /* an exiting process's tasks leave their waits as for SIGKILL */
    return (signal_pending_set() & ~current_task()->sigmask) != 0 || current_process()->exiting ||
           current_task()->must_exit;
}

static int lowest(u64 set)
{
    int sig = 1;
    while (!(set & 1)) {
        set >>= 1;
        sig++;
    }
    return sig;
}

int signal_dequeue(u64 set, struct linux_siginfo *info)
{
    struct task *t = current_task();
    /* the task's own first (faults), then the process's; lowest number first */
    u64 own = t->sig_pending & set, shared = t->proc->sig_pending & set;
    if (!own && !shared)
        return 0;
    int sig = lowest(own ? own : shared);
    if (own) {
        *info = t->sig_info[sig - 1];
        t->sig_pending &= ~SIGBIT(sig);
    } else {
        *info = t->proc->sig_info[sig - 1];
        t->proc->sig_pending &= ~SIGBIT(sig);
    }
    return sig;
}

struct wait_queue *signal_wait_queue(void)
{
    return &current_process()->sig_wait;
}

void signal_from_host(int sig)
{
    /* only what `cloister run` forwards; a host's other numbers (SIGKILL's among them)
     * are not the host's to send into the workload */
    if (sig < 1 || sig >= 32 || !(CL_FORWARDED_SIGNALS & (1u << sig)))
        return;
    struct linux_siginfo info = {.si_code = SI_USER}; /* from outside: pid 0, as from the kernel */
    signal_send_process(sig, &info);
}
