/*
 * Exceptions. From the workload they become the signal Linux would raise, with the
 * si_code and address Linux gives (kernel/signal.h): a handler runs, or the workload
 * ends with status 128+signal and the one-line report Linux users expect. From the shim they
 * are either the probe, the privileged-operation gate, or a bug: a panic.
 */
#include "arch/x86/arch.h"
#include "arch/x86/hcall.h"
#include "mm/mm.h"
#include "kernel/panic.h"
#include "kernel/signal.h"
#include "kernel/sched.h"
#include "kernel/klock.h"
#include "kernel/process.h"
#include "arch/x86/fpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/tlb.h"

bool arch_probe_trap(struct trap_frame *tf);
bool arch_priv_trap(struct trap_frame *tf);

enum {
    VEC_DE = 0,
    VEC_DB = 1,
    VEC_BP = 3,
    VEC_OF = 4,
    VEC_BR = 5,
    VEC_UD = 6,
    VEC_NM = 7,
    VEC_SS = 12,
    VEC_GP = 13,
    VEC_PF = 14,
    VEC_MF = 16,
    VEC_AC = 17,
    VEC_XM = 19
};

#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_FETCH   0x10

void kill_workload(int sig, u64 vector, u64 error, u64 rip, u64 addr, u32 flags)
{
    if (current_process()->pid != PROC_PID)
        process_exit(sig & 0x7f);
    hcall(CL_HC_KILLED, (u64)sig, vector, error, rip, addr, flags);
    arch_halt();
}

/* SIGFPE's si_code for an x87 (#MF) or SIMD (#XM) exception: the first unmasked
 * exception flag, in the order Linux checks them. */
static int fpe_code(u64 vector)
{
    u8 *area = current_task()->fpu; /* free while the task runs (kernel/sched.c) */
    if (!area)
        return 0;
    for (u32 i = 0; i < FPU_HEADER_SIZE; i++) /* XSAVE leaves the rest of the header */
        area[FPU_LEGACY_SIZE + i] = 0;
    fpu_save(area);
    u32 flags, masks;
    if (vector == VEC_XM) {
        u32 mxcsr = *(u32 *)(area + FPU_MXCSR);
        flags = mxcsr & 0x3f;
        masks = (mxcsr >> 7) & 0x3f;
    } else {
        flags = *(u16 *)(area + FPU_FSW) & 0x3f;
        masks = *(u16 *)(area + FPU_FCW) & 0x3f;
    }
    u32 e = flags & ~masks;
    if (e & 0x1)
        return FPE_FLTINV;
    if (e & 0x4)
        return FPE_FLTDIV;
    if (e & 0x8)
        return FPE_FLTOVF;
    if (e & 0x12)
        return FPE_FLTUND;
    if (e & 0x20)
        return FPE_FLTRES;
    return 0;
}

static void page_fault(struct trap_frame *tf)
{
    u64 addr = this_cpu()->fault_addr;
    u32 access = (tf->error_code & PF_FETCH)   ? ACCESS_EXEC
                 : (tf->error_code & PF_WRITE) ? ACCESS_WRITE
                                               : ACCESS_READ;
    if (mm_fault(addr, access))
        return;
    struct fault_report r = {tf->vector, tf->error_code, tf->rip, addr, CL_FAULT_HAS_ADDR};
    if (tf->error_code & PF_WRITE)
        r.flags |= CL_FAULT_WRITE;
    if (tf->error_code & PF_FETCH)
        r.flags |= CL_FAULT_EXEC;
    if (tf->error_code & PF_PRESENT)
        r.flags |= CL_FAULT_PRESENT;
    if (mm_fault_failure() == FAULT_NO_MEMORY) /* Linux's OOM killer */
        kill_workload(SIGKILL, r.vector, r.error, r.rip, r.addr, r.flags);
    if (mm_fault_failure() == FAULT_NO_FILE_PAGE)
        signal_force_fault(SIGBUS, BUS_ADRERR, addr, &r);
    else
        /* Linux: an access the area forbids, or no area there */
        signal_force_fault(SIGSEGV, mm_find(addr) ? SEGV_ACCERR : SEGV_MAPERR, addr, &r);
}

/* Back to the workload after a trap or interrupt it survives: a tick's switch, then
 * the signals pending (a handler's frame, or the end of the workload), then the lock
 * given up. */
static void resume_user(struct trap_frame *tf)
{
    sched_return_to_user();
    signal_deliver(tf);
    kernel_exit();
}

/*
 * An interrupt from the local APIC (vector 32 and up: the only gates above 31 are its
 * own). It is acknowledged first: until then the APIC holds back every vector of the
 * same priority class, and the TLB shootdown's (tlb.h) shares the timer's class; a CPU
 * that spins for the kernel lock inside a timer interrupt must still answer it.
 */
static void interrupt(struct trap_frame *tf, bool from_user)
{
    if (tf->vector == VEC_SPURIOUS)
        return; /* a spurious interrupt is never acknowledged */
    lapic_eoi();
    if (tf->vector == VEC_TLB) {
        tlb_interrupt(); /* without the kernel lock: its sender holds it */
        return;
    }
    if (!from_user) {
        /* the shim is never preempted: the CPU does it on its way back to user mode */
        if (tf->vector == VEC_TIMER)
            sched_timer_interrupt(false);
        else if (tf->vector == VEC_HOST)
            sched_host_interrupt(false);
        return; /* VEC_RESCHED: the way back looks at signals anyway */
    }
    kernel_enter();
    current_task()->syscall_nr = -1; /* no system call to restart */
    if (tf->vector == VEC_TIMER)
        sched_timer_interrupt(true);
    else if (tf->vector == VEC_HOST)
        sched_host_interrupt(true);
    resume_user(tf); /* signals: what VEC_RESCHED is sent for */
}

void trap_from_user(struct trap_frame *tf)
{
    if (tf->vector >= 32) {
        interrupt(tf, true);
        return;
    }
    kernel_enter();
    struct task *t = current_task();
    t->syscall_nr = -1;
    struct fault_report r = {tf->vector, tf->error_code, tf->rip, 0, 0};
    switch (tf->vector) {
    case VEC_PF:
        page_fault(tf);
        break;
    case VEC_DE:
        signal_force_fault(SIGFPE, FPE_INTDIV, tf->rip, &r);
        break;
    case VEC_MF:
    case VEC_XM:
        signal_force_fault(SIGFPE, fpe_code(tf->vector), tf->rip, &r);
        break;
    case VEC_BP: /* Linux: SI_KERNEL, and rip already after the int3 */
    case VEC_OF:
        signal_force_fault(SIGTRAP, SI_KERNEL, 0, &r);
        break;
    case VEC_DB:
        signal_force_fault(SIGTRAP, TRAP_BRKPT, tf->rip, &r);
        break;
    case VEC_UD:
        signal_force_fault(SIGILL, ILL_ILLOPN, tf->rip, &r);
        break;
    case VEC_NM:
        signal_force_fault(SIGILL, ILL_ILLOPN, tf->rip, &r);
        break;
    case VEC_SS:
        signal_force_fault(SIGBUS, SI_KERNEL, 0, &r);
        break;
    case VEC_AC:
        signal_force_fault(SIGBUS, BUS_ADRALN, 0, &r);
        break;
    default: /* #GP, #BR, #NP...: Linux's general protection */
        signal_force_fault(SIGSEGV, SI_KERNEL, 0, &r);
        break;
    }
    resume_user(tf);
}

void trap_from_kernel(struct trap_frame *tf)
{
    if (tf->vector >= 32) {
        interrupt(tf, false);
        return;
    }
    if (arch_probe_trap(tf) || arch_priv_trap(tf))
        return;
    u64 cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    panic("shim fault: vector %lu error 0x%lx at rip 0x%lx (cs 0x%lx), address 0x%lx", tf->vector,
          tf->error_code, tf->rip, tf->cs, cr2);
}

void trap_double_fault(struct trap_frame *tf)
{
    panic("double fault at rip 0x%lx", tf->rip);
}
