/*
 * The shim's architecture layer: everything that needs a privileged instruction or
 * knows which ring the shim runs in.
 *
 * The shim's "kernel mode" is ring 0 on hardware. On PVM (docs/platform.md) a
 * `syscall` from ring 3 does not enter ring 0 and every ring-0 instruction is emulated,
 * so there the shim runs its system calls, page faults and loader in ring 3, with its
 * own pages user-accessible, and enters ring 0 only for exception entry and the few
 * privileged steps (arch_flush_tlb...). Code above this layer never asks which ring it
 * is in. The ring is decided once at boot by a probe (arch_boot), never by the host.
 *
 * The constants below are shared with the assembly files.
 */
#ifndef SHIM_ARCH_H
#define SHIM_ARCH_H

#include <cloister/abi.h>

/* struct trap_frame offsets: software-pushed registers, then the hardware frame. */
#define TF_R15    0
#define TF_R11    32
#define TF_RDI    72
#define TF_RCX    96
#define TF_RAX    112
#define TF_VECTOR 120
#define TF_ERROR  128
#define TF_RIP    136
#define TF_CS     144
#define TF_RFLAGS 152
#define TF_RSP    160
#define TF_SS     168
#define TF_SIZE   176

/* struct percpu offsets used by assembly */
#define PCPU_SELF        0
#define PCPU_KERNEL_RSP  8
#define PCPU_USER_RSP    16
#define PCPU_USER_GS     24
#define PCPU_SCRATCH_RAX 32
#define PCPU_FAULT_ADDR  40
#define PCPU_STUB        80
#define PCPU_STUB_SIZE   32 /* 25 bytes of code: see arch_boot */

#define VEC_SYSCALL 0x100 /* trap_frame.vector of a system call */

/* kernel_mode values */
#define MODE_RING0 0 /* hardware: the shim runs in ring 0 */
#define MODE_RING3 1 /* PVM: the shim runs in ring 3 (see above) */

#define KERNEL_STACK_SIZE 16384
#define TRAP_STACK_SIZE   8192
#define IST_STACK_SIZE    4096

#ifndef __ASSEMBLY__
#include "lib/types.h"

struct trap_frame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error_code;
    u64 rip, cs, rflags, rsp, ss;
};

/*
 * Per-CPU state, reached through GS in kernel mode (this_cpu()). In PVM mode it sits
 * right above the CPU's trap stack, so a trap entered from ring 3 finds it at
 * RSP + TF_SIZE without trusting any register.
 */
struct percpu {
    struct percpu *self;
    u64 kernel_rsp;  /* top of this CPU's kernel stack */
    u64 user_rsp;    /* scratch while entering from a system call */
    u64 user_gs;     /* the workload's GS base while the shim runs (PVM mode) */
    u64 scratch_rax; /* scratch for the PVM system-call stub */
    u64 fault_addr;  /* CR2 of the last trap from the workload, read in ring 0 */
    u32 cpu_id;
    u32 reserved;
    struct cl_hcall *hcall; /* this CPU's hypercall header */
    u8 *hc_data;            /* and its bounce buffer, CL_HC_DATA_SIZE bytes */
    u8 stub[PCPU_STUB_SIZE] __attribute__((aligned(16))); /* PVM: the LSTAR target */
    u64 user_fs;                                          /* the workload's FS base */
    void *current;                                        /* the task running here */
    void *tss;                                            /* this CPU's TSS */
    bool in_user;    /* running workload code (arch/x86/tlb.c) */
    bool tlb_stale;  /* must flush before it runs workload code again */
    u64 tlb_done;    /* the last shootdown it answered */
    u64 loaded_root; /* the page-table root in CR3 (kernel/sched.c's switch) */
};

_Static_assert(__builtin_offsetof(struct trap_frame, r11) == TF_R11, "trap frame");
_Static_assert(__builtin_offsetof(struct trap_frame, rdi) == TF_RDI, "trap frame");
_Static_assert(__builtin_offsetof(struct trap_frame, rcx) == TF_RCX, "trap frame");
_Static_assert(__builtin_offsetof(struct trap_frame, rax) == TF_RAX, "trap frame");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "trap frame");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "trap frame");
_Static_assert(__builtin_offsetof(struct trap_frame, ss) == TF_SS, "trap frame");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame");
_Static_assert(__builtin_offsetof(struct percpu, kernel_rsp) == PCPU_KERNEL_RSP, "percpu");
_Static_assert(__builtin_offsetof(struct percpu, user_rsp) == PCPU_USER_RSP, "percpu");
_Static_assert(__builtin_offsetof(struct percpu, user_gs) == PCPU_USER_GS, "percpu");
_Static_assert(__builtin_offsetof(struct percpu, scratch_rax) == PCPU_SCRATCH_RAX, "percpu");
_Static_assert(__builtin_offsetof(struct percpu, fault_addr) == PCPU_FAULT_ADDR, "percpu");
_Static_assert(__builtin_offsetof(struct percpu, stub) == PCPU_STUB, "percpu");

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

/* Which ring the shim runs in; set once by arch_boot. */
extern int kernel_mode;

/* Boot: descriptor tables, per-CPU area, the system-call probe. Ring 0. */
void arch_boot(void);
/* Leaves boot and runs fn in kernel mode (ring 3 on PVM) on this CPU's kernel stack. */
__attribute__((noreturn)) void arch_enter_kernel_mode(void (*fn)(void));
/* Starts the workload: loads the frame's registers and enters ring 3. */
__attribute__((noreturn)) void arch_enter_user(struct trap_frame *tf);

/* Signals the monitor that this CPU's hypercall block holds a request. */
void arch_hypercall_signal(void);
/* Invalidates the TLB after page-table entries under root were changed or removed: on
 * every CPU that has root loaded, this one included (arch/x86/tlb.h). */
void arch_flush_tlb(u64 root);
void arch_flush_tlb_page(u64 root, u64 va);
/* Loads the page-table root (the GPA of a PML4) on this CPU; its TLB is flushed. */
void arch_load_root(u64 root);
/* This CPU's TLB only. */
void arch_flush_tlb_local(void);
/* One step of a spin-wait: lets pending interrupts in where the shim runs with them off. */
void arch_spin_relax(void);
/* The workload's FS base (arch_prctl). */
void arch_set_user_fs(u64 base);
u64 arch_get_user_fs(void);
void arch_set_user_gs(u64 base);
u64 arch_get_user_gs(void);
/* Writes an MSR from kernel mode, through the privileged gate on PVM's ring-3 route
 * (only the few the shim writes after boot: arch.c's runtime_msr). */
void arch_wrmsr(u32 msr, u64 value);
/* Bytes of the memory arch_cpu_start needs for a CPU (page-aligned, zeroed). */
u64 arch_cpu_area_size(void);
/* Brings up vCPU id (1..) with that memory; true once it runs fn in kernel mode on its
 * own kernel stack, false if the host did not start it (within 30 s). */
bool arch_cpu_start(u32 id, void *area, void (*fn)(void));
/* Whether ring 0 is PVM's emulator (the PVM trap route): no XSAVE there. */
bool arch_ring0_emulated(void);
/* The kernel stack traps and system calls from the workload land on, for the task
 * about to run on this CPU (its top). */
void arch_set_kernel_stack(u64 top);
/* The workload's registers as the current system call or trap from user mode saved
 * them, at the top of the current kernel stack. */
struct trap_frame *arch_user_frame(void);
/* Saves the callee-saved registers and the stack pointer in *save_rsp, then resumes
 * the context saved at next_rsp (switch.S). */
void switch_context(u64 *save_rsp, u64 next_rsp);
/* Where a new task's first switch_context lands (switch.S): calls task_first_run. */
extern char task_entry_trampoline[];

/* Stops this CPU for good (after the monitor was told to exit). */
__attribute__((noreturn)) void arch_halt(void);

static inline u64 rdtsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}

/* Entry points in trap_entry.S */
extern char isr_stubs[];
extern char syscall_entry_ring0[];
extern char syscall_entry_ring3[];
extern char priv_gate_int3[];
__attribute__((noreturn)) void return_to_user(struct trap_frame *tf);

/* C handlers called from trap_entry.S */
void trap_from_user(struct trap_frame *tf);
void trap_from_kernel(struct trap_frame *tf);
void syscall_entry(struct trap_frame *tf);

#endif /* __ASSEMBLY__ */
#endif
