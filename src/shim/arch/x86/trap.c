/*
 * Exceptions. From the workload they become the signal Linux would raise, with its
 * default action: the workload ends with status 128+signal and the one-line report
 * Linux users expect (handlers are recorded, never run: signal.h). From the shim they
 * are either the probe, the privileged-operation gate, or a bug: a panic.
 */
#include "arch/x86/arch.h"
#include "arch/x86/hcall.h"
#include "mm/mm.h"
#include "kernel/panic.h"
#include "kernel/signal.h"
#include "kernel/sched.h"
#include "kernel/klock.h"
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

static int signal_for_vector(u64 v)
{
    switch (v) {
    case VEC_DE:
    case VEC_MF:
    case VEC_XM:
        return SIGFPE;
    case VEC_DB:
    case VEC_BP:
        return SIGTRAP;
    case VEC_UD:
    case VEC_NM:
        return SIGILL;
    case VEC_SS:
    case VEC_AC:
        return SIGBUS;
    default:
        return SIGSEGV;
    }
}

void kill_workload(int sig, u64 vector, u64 error, u64 rip, u64 addr, u32 flags)
{
    hcall(CL_HC_KILLED, (u64)sig, vector, error, rip, addr, flags);
    arch_halt();
}

/* Back to the workload after a trap it survives. */
static void resume_user(void)
{
    sched_return_to_user();
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
    } else if (tf->vector == VEC_TIMER && from_user) {
        kernel_enter();
        sched_timer_interrupt(true);
        resume_user();
    } else if (tf->vector == VEC_TIMER) {
        sched_timer_interrupt(false);
    }
}

void trap_from_user(struct trap_frame *tf)
{
    if (tf->vector >= 32) {
        interrupt(tf, true);
        return;
    }
    kernel_enter();
    if (tf->vector == VEC_PF) {
        u64 addr = this_cpu()->fault_addr;
        u32 access = (tf->error_code & PF_FETCH)   ? ACCESS_EXEC
                     : (tf->error_code & PF_WRITE) ? ACCESS_WRITE
                                                   : ACCESS_READ;
        if (mm_fault(addr, access)) {
            resume_user();
            return;
        }
        u32 flags = CL_FAULT_HAS_ADDR;
        if (tf->error_code & PF_WRITE)
            flags |= CL_FAULT_WRITE;
        if (tf->error_code & PF_FETCH)
            flags |= CL_FAULT_EXEC;
        if (tf->error_code & PF_PRESENT)
            flags |= CL_FAULT_PRESENT;
        if (mm_fault_failure() == FAULT_NO_MEMORY)
            kill_workload(SIGKILL, tf->vector, tf->error_code, tf->rip, addr, flags);
        if (mm_fault_failure() == FAULT_NO_FILE_PAGE)
            kill_workload(SIGBUS, tf->vector, tf->error_code, tf->rip, addr, flags);
        kill_workload(SIGSEGV, tf->vector, tf->error_code, tf->rip, addr, flags);
    }
    kill_workload(signal_for_vector(tf->vector), tf->vector, tf->error_code, tf->rip, 0, 0);
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
