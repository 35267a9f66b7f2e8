/*
 * Delivery of signals to handlers, the Linux x86-64 way (signal.h): the rt_sigframe on
 * the user stack or the alternate stack, and rt_sigreturn, which trusts nothing in it.
 *
 * The frame, from the handler's rsp up: the return address (sa_restorer), a ucontext
 * (flags, link, the stack in use, the sigcontext with every general register, the
 * fault's error, vector and address, the FPU state's address; the mask to restore),
 * the siginfo; above, 64-byte aligned, the FPU state in XSAVE format with Linux's
 * software bytes and the trailing magic that glibc and Go look for. rsp + 8 is 16-byte
 * aligned at the handler's first instruction, as after a call; the 128-byte red zone
 * below the interrupted rsp is left alone.
 */
#include "kernel/signal.h"
#include "kernel/sched.h"
#include "kernel/sleep.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "arch/x86/arch.h"
#include "arch/x86/fpu.h"
#include "arch/x86/hcall.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "kernel/panic.h"

#define UC_FP_XSTATE         0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u

#define RED_ZONE 128

#define RFLAGS_CF 0x1
#define RFLAGS_PF 0x4
#define RFLAGS_AF 0x10
#define RFLAGS_ZF 0x40
#define RFLAGS_SF 0x80
#define RFLAGS_TF 0x100
#define RFLAGS_DF 0x400
#define RFLAGS_OF 0x800
#define RFLAGS_RF 0x10000
#define RFLAGS_AC 0x40000
/* what rt_sigreturn takes from the frame (Linux's FIX_EFLAGS); IF, IOPL and the rest
 * stay as they are */
#define RFLAGS_USER                                                                                \
    (RFLAGS_AC | RFLAGS_OF | RFLAGS_DF | RFLAGS_TF | RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF |           \
     RFLAGS_PF | RFLAGS_CF | RFLAGS_RF)

struct linux_sigcontext {
    u64 r8, r9, r10, r11, r12, r13, r14, r15;
    u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    u16 cs, gs, fs, ss;
    u64 err, trapno, oldmask, cr2;
    u64 fpstate;
    u64 reserved1[8];
};

struct linux_stack {
    u64 sp;
    s32 flags;
    s32 pad;
    u64 size;
};

struct linux_ucontext {
    u64 uc_flags;
    u64 uc_link;
    struct linux_stack uc_stack;
    struct linux_sigcontext uc_mcontext;
    u64 uc_sigmask;
};

struct rt_sigframe {
    u64 pretcode;
    struct linux_ucontext uc;
    struct linux_siginfo info;
};

/* Linux's struct _fpx_sw_bytes, in the FXSAVE image's software-reserved bytes */
struct fpx_sw_bytes {
    u32 magic1;
    u32 extended_size;
    u64 xfeatures;
    u32 xstate_size;
    u32 padding[7];
};

_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext");
_Static_assert(sizeof(struct linux_ucontext) == 304, "ucontext");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe");
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "fpx_sw_bytes");

static const char *const signal_names[32] = {
    "0",         "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

static void trace_signal(int sig, const char *what, u64 addr)
{
    if (!(current_process()->boot_flags & CL_BOOT_TRACE))
        return;
    if (sig < 32)
        hlog("[trace] signal %s %s 0x%lx\n", signal_names[sig], what, addr);
    else
        hlog("[trace] signal SIGRTMIN+%d %s 0x%lx\n", sig - 34, what, addr);
}

static bool canonical(u64 va)
{
    return (u64)((s64)(va << 16) >> 16) == va;
}

static bool on_altstack(const struct task *t, u64 sp)
{
    return t->altstack_size && sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

static s32 altstack_flags(const struct task *t, u64 sp)
{
    if (!t->altstack_size)
        return SS_DISABLE;
    return (on_altstack(t, sp) ? SS_ONSTACK : 0) | t->altstack_flags;
}

/* The frame could not be written (or read back): Linux ends the process with SIGSEGV. */
__attribute__((noreturn)) static void bad_frame(struct task *t, int sig)
{
    if (t->sig_forced & SIGBIT(sig) || sig == SIGSEGV)
        kill_workload(SIGSEGV, t->fault.vector, t->fault.error, t->fault.rip, t->fault.addr,
                      t->fault.flags);
    kill_workload(SIGSEGV, CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
}

/* A scratch FPU area: the running task's own, which holds its state only while it is
 * switched out (kernel/sched.c); nothing here switches tasks. */
static u8 *fpu_scratch(void)
{
    u8 *area = current_task()->fpu;
    if (!area)
        panic("signal delivery before the task has an FPU area");
    return area;
}

/* Writes the FPU state at fpstate (64-byte aligned) as Linux does. */
static int save_fpu_to_user(u64 fpstate)
{
    u8 *buf = fpu_scratch();
    u32 size = fpu_state_size();
    /* XSAVE writes only XSTATE_BV of the header: the rest must read as zero */
    for (u32 i = 0; i < FPU_HEADER_SIZE; i++)
        buf[FPU_LEGACY_SIZE + i] = 0;
    fpu_save(buf);
    struct fpx_sw_bytes *sw = (struct fpx_sw_bytes *)(buf + FPU_SW_RESERVED);
    *sw = (struct fpx_sw_bytes){0};
    if (fpu_full_format()) {
        sw->magic1 = FP_XSTATE_MAGIC1;
        sw->extended_size = size + 4;
        sw->xfeatures = fpu_xfeatures();
        sw->xstate_size = size;
        u32 magic2 = FP_XSTATE_MAGIC2;
        if (copy_to_user(fpstate + size, &magic2, sizeof(magic2)))
            return -EFAULT;
    }
    if (copy_to_user(fpstate, buf, size))
        return -EFAULT;
    /* the handler starts with a clean FPU, as on Linux */
    fpu_init_state(buf);
    fpu_restore(buf);
    return 0;
}

/* Loads the FPU state a frame holds; false if it cannot be loaded. */
static bool restore_fpu_from_user(u64 fpstate)
{
    u8 *buf = fpu_scratch();
    u32 size = fpu_state_size();
    if (!fpstate) { /* no state: a clean FPU, as Linux gives */
        fpu_init_state(buf);
        fpu_restore(buf);
        return true;
    }
    if (fpstate & (FPU_AREA_ALIGN - 1))
        return false;
    if (copy_from_user(buf, fpstate, size))
        return false;
    if (fpu_full_format()) {
        const struct fpx_sw_bytes *sw = (const struct fpx_sw_bytes *)(buf + FPU_SW_RESERVED);
        u32 magic2 = 0;
        bool full = sw->magic1 == FP_XSTATE_MAGIC1 && sw->xstate_size == size &&
                    sw->extended_size == size + 4 &&
                    !copy_from_user(&magic2, fpstate + size, sizeof(magic2)) &&
                    magic2 == FP_XSTATE_MAGIC2;
        if (!full) {
            /* only the legacy image is the workload's: every other feature starts clean */
            u64 *header = (u64 *)(buf + FPU_LEGACY_SIZE);
            for (u32 i = 0; i < FPU_HEADER_SIZE / 8; i++)
                header[i] = 0;
            header[0] = 0x3;
        }
    }
    if (!fpu_area_valid(buf))
        return false;
    fpu_restore(buf);
    return true;
}

static void setup_frame(struct trap_frame *tf, int sig, const struct linux_siginfo *info,
                        struct k_sigaction *ka)
{
    struct task *t = current_task();
    if (!(ka->flags & SA_RESTORER) || !canonical(ka->handler) || !canonical(ka->restorer))
        bad_frame(t, sig); /* x86-64 Linux needs a restorer to return through */
    u64 sp = tf->rsp - RED_ZONE;
    bool to_altstack = (ka->flags & SA_ONSTACK) && t->altstack_size && !on_altstack(t, tf->rsp);
    if (to_altstack)
        sp = t->altstack_sp + t->altstack_size;
    u32 fsize = fpu_state_size();
    u64 fpstate = ALIGN_DOWN(sp - fsize - (fpu_full_format() ? 4 : 0), FPU_AREA_ALIGN);
    u64 frame_va = ALIGN_DOWN(fpstate - sizeof(struct rt_sigframe), 16) - 8;
    if (to_altstack && frame_va < t->altstack_sp)
        bad_frame(t, sig); /* the alternate stack overflowed */

    u64 oldmask = t->saved_sigmask_valid ? t->saved_sigmask : t->sigmask;
    struct rt_sigframe f = {0};
    f.pretcode = ka->restorer;
    f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    if (fpu_full_format())
        f.uc.uc_flags |= UC_FP_XSTATE;
    f.uc.uc_stack.sp = t->altstack_sp;
    f.uc.uc_stack.size = t->altstack_size;
    f.uc.uc_stack.flags = altstack_flags(t, tf->rsp);
    struct linux_sigcontext *sc = &f.uc.uc_mcontext;
    sc->r8 = tf->r8, sc->r9 = tf->r9, sc->r10 = tf->r10, sc->r11 = tf->r11;
    sc->r12 = tf->r12, sc->r13 = tf->r13, sc->r14 = tf->r14, sc->r15 = tf->r15;
    sc->rdi = tf->rdi, sc->rsi = tf->rsi, sc->rbp = tf->rbp, sc->rbx = tf->rbx;
    sc->rdx = tf->rdx, sc->rax = tf->rax, sc->rcx = tf->rcx, sc->rsp = tf->rsp;
    sc->rip = tf->rip, sc->eflags = tf->rflags;
    sc->cs = CL_SEL_USER_CS, sc->ss = (u16)tf->ss;
    if (t->sig_forced & SIGBIT(sig)) {
        sc->err = t->fault.error;
        sc->trapno = t->fault.vector;
        sc->cr2 = (t->fault.flags & CL_FAULT_HAS_ADDR) ? t->fault.addr : 0;
        t->sig_forced &= ~SIGBIT(sig);
    }
    sc->oldmask = oldmask;
    sc->fpstate = fpstate;
    f.uc.uc_sigmask = oldmask;
    f.info = *info;

    if (save_fpu_to_user(fpstate) || copy_to_user(frame_va, &f, sizeof(f)))
        bad_frame(t, sig);

    if (to_altstack && (t->altstack_flags & SS_AUTODISARM)) {
        t->altstack_sp = t->altstack_size = 0;
        t->altstack_flags = SS_DISABLE;
    }
    /* the handler's mask: the current one (sigsuspend's, if it waits) and sa_mask */
    t->sigmask |= ka->mask;
    if (!(ka->flags & SA_NODEFER))
        t->sigmask |= SIGBIT(sig);
    t->sigmask &= ~SIG_UNBLOCKABLE;
    t->saved_sigmask_valid = false;

    tf->rdi = (u64)sig;
    tf->rsi = frame_va + __builtin_offsetof(struct rt_sigframe, info);
    tf->rdx = frame_va + __builtin_offsetof(struct rt_sigframe, uc);
    tf->rax = 0;
    tf->rip = ka->handler;
    tf->rsp = frame_va;
    tf->rflags &= ~(u64)(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
    tf->cs = CL_SEL_USER_CS;
    tf->ss = CL_SEL_USER_DS;
    trace_signal(sig, "delivered to handler", ka->handler);
    if (ka->flags & SA_RESETHAND)
        ka->handler = SIG_DFL;
}

static bool is_restart_code(s64 ret)
{
    return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
           ret == -ERESTART_RESTARTBLOCK;
}

static void restart_call(struct trap_frame *tf, s64 nr)
{
    tf->rip -= 2; /* back onto the `syscall` instruction */
    tf->rax = (u64)nr;
}

/* A stopped process's task sleeps here until SIGCONT, or its end (SIGKILL). */
static void stay_stopped(struct task *t)
{
    struct process *p = t->proc;
    struct wait_entry e;
    wait_prepare(&e, &p->stop_wait);
    while (p->stopped && !p->exiting && !t->must_exit) {
        task_wait(CLOCK_MONOTONIC, NSEC_FOREVER, false);
        wait_rearm();
    }
    wait_finish(&e);
    if (p->exiting || t->must_exit)
        task_end();
}

/* The default action of a stop signal: the whole process stops (its other tasks as
 * they next leave the shim), and its parent is told, as Linux's group stop. */
static void stop_process(struct task *t, int sig)
{
    struct process *p = t->proc;
    trace_signal(sig, "stops the process at", arch_user_frame()->rip);
    if (!p->stopped) {
        p->stopped = true;
        p->stop_report = sig;
        p->cont_report = false;
        for (struct task *u = p->tasks; u; u = u->all_next)
            if (u != t)
                sched_notify_task(u);
        process_notify_parent(p, CLD_STOPPED, sig);
    }
    stay_stopped(t);
}

void signal_deliver(struct trap_frame *tf)
{
    struct task *t = current_task();
    if (t->proc->exiting || t->must_exit)
        task_end(); /* exit_group, a fatal signal or an exec in another thread */
    if (t->proc->stopped)
        stay_stopped(t); /* another thread took the stop signal */
    s64 nr = t->syscall_nr;
    t->syscall_nr = -1;
    bool restart_pending = nr >= 0 && is_restart_code((s64)tf->rax);
    bool handled = false;
    for (;;) {
        u64 deliverable = signal_pending_set() & ~t->sigmask;
        if (!deliverable)
            break;
        struct linux_siginfo info;
        int sig = signal_dequeue(deliverable, &info);
        struct k_sigaction *ka = &t->proc->sigactions[sig - 1];
        if (ka->handler == SIG_DFL && signal_default_stops(sig) && t->proc->pid != PROC_PID) {
            stop_process(t, sig);
            continue;
        }
        if (ka->handler == SIG_IGN || (ka->handler == SIG_DFL && !signal_default_terminates(sig)))
            continue;
        if (ka->handler == SIG_DFL) {
            trace_signal(sig,
                         t->proc->pid == PROC_PID ? "ends the workload at" : "ends the process at",
                         tf->rip);
            if (t->sig_forced & SIGBIT(sig))
                kill_workload(sig, t->fault.vector, t->fault.error, t->fault.rip, t->fault.addr,
                              t->fault.flags);
            /* signal_from_host's info: SI_USER from no process */
            bool from_host = info.si_code == SI_USER && info.u.kill.pid == 0;
            kill_workload(sig, CL_KILLED_NO_VECTOR, 0, 0, 0, from_host ? CL_KILLED_FROM_HOST : 0);
        }
        if (restart_pending) {
            s64 ret = (s64)tf->rax;
            if (ret == -ERESTARTNOINTR || (ret == -ERESTARTSYS && (ka->flags & SA_RESTART)))
                restart_call(tf, nr);
            else
                tf->rax = (u64)-EINTR;
            restart_pending = false;
        }
        setup_frame(tf, sig, &info, ka);
        handled = true;
    }
    if (restart_pending) { /* interrupted, but no handler ran */
        if ((s64)tf->rax == -ERESTART_RESTARTBLOCK)
            tf->rax = (u64)-EINTR;
        else
            restart_call(tf, nr);
    }
    if (!handled && t->saved_sigmask_valid) {
        t->sigmask = t->saved_sigmask;
        t->saved_sigmask_valid = false;
    }
}

/* The alternate stack as the frame names it, unless the task still runs on its own. */
static void restore_altstack(struct task *t, const struct linux_stack *ss, u64 sp)
{
    if (on_altstack(t, sp))
        return; /* Linux refuses (EPERM) and ignores the failure */
    u32 mode = (u32)ss->flags & ~SS_AUTODISARM;
    if (mode == SS_DISABLE) {
        t->altstack_sp = t->altstack_size = 0;
        t->altstack_flags = SS_DISABLE;
    } else if ((mode == 0 || mode == SS_ONSTACK) && ss->size >= MINSIGSTKSZ) {
        t->altstack_sp = ss->sp;
        t->altstack_size = ss->size;
        t->altstack_flags = (s32)((u32)ss->flags & SS_AUTODISARM);
    }
}

SYSCALL0(rt_sigreturn)
{
    struct task *t = current_task();
    struct trap_frame *tf = arch_user_frame();
    /* the handler's `ret` popped pretcode: the ucontext is at rsp */
    u64 frame_va = tf->rsp - 8;
    struct rt_sigframe f;
    if (copy_from_user(&f, frame_va, sizeof(f)))
        kill_workload(SIGSEGV, CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
    const struct linux_sigcontext *sc = &f.uc.uc_mcontext;
    if (!restore_fpu_from_user(sc->fpstate))
        kill_workload(SIGSEGV, CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
    tf->r8 = sc->r8, tf->r9 = sc->r9, tf->r10 = sc->r10, tf->r11 = sc->r11;
    tf->r12 = sc->r12, tf->r13 = sc->r13, tf->r14 = sc->r14, tf->r15 = sc->r15;
    tf->rdi = sc->rdi, tf->rsi = sc->rsi, tf->rbp = sc->rbp, tf->rbx = sc->rbx;
    tf->rdx = sc->rdx, tf->rax = sc->rax, tf->rcx = sc->rcx, tf->rsp = sc->rsp;
    tf->rip = sc->rip;
    tf->rflags = (tf->rflags & ~(u64)RFLAGS_USER) | (sc->eflags & RFLAGS_USER);
    /* the selectors are ours to choose: a 64-bit user code and data segment, always */
    tf->cs = CL_SEL_USER_CS;
    tf->ss = CL_SEL_USER_DS;
    t->sigmask = f.uc.uc_sigmask & ~SIG_UNBLOCKABLE;
    restore_altstack(t, &f.uc.uc_stack, tf->rsp);
    t->syscall_nr = -1; /* rax is the interrupted code's, never a restart request */
    if (!canonical(tf->rip)) {
        /* iretq would fault in the shim (Intel) or in user mode (AMD); Linux reports it
         * as a #GP of the workload at that rip */
        struct fault_report r = {.vector = 13, .rip = tf->rip};
        signal_force_fault(SIGSEGV, SI_KERNEL, 0, &r); /* delivered before the return */
    }
    return (s64)tf->rax;
}
