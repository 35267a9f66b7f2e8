/*
 * Boot-time CPU set-up and the privileged operations of the architecture layer.
 *
 * Everything here that runs at boot runs in ring 0, which PVM emulates at ~1 us an
 * instruction, so it is kept to what only ring 0 can do: load the descriptor tables,
 * set the system-call MSRs, run the probe. The monitor has already put the CPU in
 * 64-bit mode with paging, the segment registers loaded to match our GDT, and the
 * control registers and XCR0 set (the same state the VMSA holds under SEV-SNP).
 */
#include "arch/x86/arch.h"
#include "arch/x86/paging.h"
#include "arch/x86/lapic.h"
#include "arch/x86/tlb.h"
#include "kernel/panic.h"
#include "arch/x86/hcall.h"
#include "kernel/clock.h"

#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_FMASK          0xc0000084
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define RFLAGS_TF 0x100
#define RFLAGS_IF 0x200
#define RFLAGS_DF 0x400
#define RFLAGS_NT 0x4000
#define RFLAGS_AC 0x40000

int kernel_mode = MODE_RING0;
static bool ring0_emulated; /* the PVM trap route: ring 0 is PVM's emulator */

struct tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
} __attribute__((packed));

/* Laid out as Linux lays it out (see CL_SEL_* in abi.h); 0x40 is the TSS, filled per
 * CPU in its own copy (each CPU has its own TSS). */
static const u64 gdt_template[10] = {
    0,
    0,
    0x00af9b000000ffffull, /* 0x10 kernel code, 64-bit */
    0x00cf93000000ffffull, /* 0x18 kernel data */
    0x00cffb000000ffffull, /* 0x20 user code, 32-bit (never used) */
    0x00cff3000000ffffull, /* 0x28 user data */
    0x00affb000000ffffull, /* 0x30 user code, 64-bit */
    0,
    0, /* 0x40 TSS, two slots, filled at boot */
    0,
};

extern u64 idt_table[512]; /* built by the linker script, read-only */

/* Per-CPU memory: kernel stack, trap stack, and the percpu block right above it; the
 * CPU's descriptor table, TSS and double-fault stack. */
struct cpu_area {
    u8 kernel_stack[KERNEL_STACK_SIZE];
    u8 trap_stack[TRAP_STACK_SIZE];
    struct percpu pcpu;
    u64 gdt[10] __attribute__((aligned(16)));
    struct tss tss __attribute__((aligned(64)));
    u8 df_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
} __attribute__((aligned(64)));

static struct cpu_area cpu0_area __attribute__((aligned(4096)));
static u8 probe_stack[256] __attribute__((aligned(16)));

extern int syscall_probe(u64 stack_top);
extern void priv_gate(u64 op, u64 arg, u64 arg2);
extern char probe_landing[], probe_resume[];
extern u64 probe_saved_rsp;
extern u32 probe_result;

static inline void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

struct dt_ptr {
    u16 limit;
    u64 base;
} __attribute__((packed));

static void load_descriptor_tables(struct cpu_area *a)
{
    u64 *gdt = a->gdt;
    struct tss *tss = &a->tss;
    for (unsigned i = 0; i < 8; i++)
        gdt[i] = gdt_template[i];
    u64 base = (u64)tss;
    u64 limit = sizeof(*tss) - 1;
    /* 64-bit available TSS (type 9), present */
    gdt[8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[9] = base >> 32;
    tss->iomap_base = sizeof(*tss); /* no I/O bitmap: ring 3 gets no port access */
    tss->ist[0] = (u64)a->df_stack + sizeof(a->df_stack);

    struct dt_ptr g = {sizeof(a->gdt) - 1, (u64)gdt};
    struct dt_ptr i = {4096 - 1, (u64)idt_table};
    __asm__ volatile("lgdt %0" ::"m"(g));
    __asm__ volatile("lidt %0" ::"m"(i));
    __asm__ volatile("ltr %w0" ::"r"(CL_SEL_TSS));
}

/*
 * The PVM system-call stub, 25 bytes of code in percpu.stub (see trap_entry.S):
 *   movabs %rax, &percpu.scratch_rax; movabs $percpu, %rax; jmp syscall_entry_ring3
 * Written as a few quadword stores: every instruction here is emulated on PVM.
 */
static void write_syscall_stub(struct percpu *p)
{
    u8 *s = p->stub;
    u64 scratch = (u64)&p->scratch_rax;
    u64 self = (u64)p;
    u32 rel = (u32)((u64)syscall_entry_ring3 - ((u64)s + 25));
    u64 *q = (u64 *)s; /* 16-byte aligned, 32 bytes */
    q[0] = 0xa348ull | (scratch << 16);
    q[1] = (scratch >> 48) | (0xb848ull << 16) | (self << 32);
    q[2] = (self >> 32) | (0xe9ull << 32) | ((u64)(rel & 0xffffff) << 40);
    q[3] = rel >> 24;
}

static void init_percpu(struct cpu_area *a, u32 id)
{
    struct percpu *p = &a->pcpu;
    p->self = p;
    p->cpu_id = id;
    p->loaded_root = CL_GPA_PAGE_TABLES; /* the boot root (paging_boot_root) */
    p->kernel_rsp = (u64)a->kernel_stack + sizeof(a->kernel_stack);
    p->hcall = (struct cl_hcall *)phys_to_virt(CL_GPA_HCALL + id * CL_HC_BLOCK_SIZE);
    p->hc_data = (u8 *)p->hcall + CL_HC_DATA_OFFSET;
    p->tss = &a->tss;
    wrmsr(MSR_GS_BASE, (u64)p);
    tlb_cpu_online(id, p);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

static void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

/*
 * The launch state has XCR0 at its reset value (x87 only) so that it measures the same
 * on every host; here the shim turns on what the CPU offers for user code: SSE, AVX,
 * AVX-512 (all three parts or none). Hardware only (the hw_only_ prefix lets the
 * instruction check allow its XSETBV): PVM's ring-0 emulator lacks XSETBV,
 * and there ring-3 code runs on the host's own XCR0 anyway.
 */
__attribute__((noinline)) static void hw_only_enable_user_fpu_state(void)
{
    u32 a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    if (!(c & (1u << 26))) /* no XSAVE: SSE needs no XCR0 */
        return;
    cpuid(0xd, 0, &a, &b, &c, &d);
    u64 xcr0 = (((u64)d << 32) | a) & 0xe7;
    if ((xcr0 & 0xe0) != 0xe0)
        xcr0 &= ~0xe0ull;
    if (!(xcr0 & 0x4))
        xcr0 &= ~0xe0ull; /* AVX-512 needs AVX */
    xcr0 |= 0x3;
    __asm__ volatile("xsetbv" ::"c"(0), "a"((u32)xcr0), "d"((u32)(xcr0 >> 32)));
}

/* The trap route's page tables for the trampoline alias (arch_boot runs before the page
 * allocator exists). */
static u64 tramp_pdpt[512] __attribute__((aligned(4096)));
static u64 tramp_pd[512] __attribute__((aligned(4096)));
static u64 tramp_pt[512] __attribute__((aligned(4096)));
extern char syscall_trampoline[];

static u64 kernel_gpa(const void *va)
{
    return (u64)va - CL_KERNEL_BASE;
}

/* Maps the trampoline page, read-only and user-executable, alone at CL_TRAMPOLINE_VA. */
static void map_trampoline(void)
{
    u64 *pml4 = phys_to_virt(CL_GPA_PAGE_TABLES);
    tramp_pt[0] = kernel_gpa(syscall_trampoline) | PTE_P | PTE_U;
    tramp_pd[0] = kernel_gpa(tramp_pt) | PTE_P | PTE_U;
    tramp_pdpt[0] = kernel_gpa(tramp_pd) | PTE_P | PTE_U;
    pml4[(CL_TRAMPOLINE_VA >> 39) & 511] = kernel_gpa(tramp_pdpt) | PTE_P | PTE_U;
}

/* What a CPU's route needs, once the boot CPU's probe has chosen it (kernel_mode,
 * ring0_emulated): the system-call MSRs, the stack traps land on, the FPU state. */
static void setup_route(struct percpu *p)
{
    struct tss *tss = p->tss;
    wrmsr(MSR_STAR, ((u64)CL_SEL_USER_CS32 << 48) | ((u64)CL_SEL_KERNEL_CS << 32));
    if (ring0_emulated) {
        /* PVM, trap route: the shim stays in ring 0 and out of reach; system calls land
         * on the trampoline and trap in with int3 (trap_entry.S) */
        tss->rsp[0] = p->kernel_rsp;
        wrmsr(MSR_LSTAR, CL_TRAMPOLINE_VA);
        wrmsr(MSR_FMASK, RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
    } else if (kernel_mode == MODE_RING3) {
        /* PVM: the shim will run in ring 3; traps land on the trap stack below percpu */
        tss->rsp[0] = (u64)p;
        write_syscall_stub(p);
        wrmsr(MSR_LSTAR, (u64)p->stub);
        /* IF cannot change in ring 3; clear only what C code must not inherit */
        wrmsr(MSR_FMASK, RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
    } else {
        hw_only_enable_user_fpu_state();
        tss->rsp[0] = p->kernel_rsp;
        wrmsr(MSR_LSTAR, (u64)syscall_entry_ring0);
        wrmsr(MSR_FMASK, RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
    }
    lapic_boot(); /* ring 0 still, on every route */
}

void arch_boot(void)
{
    struct percpu *p = &cpu0_area.pcpu;
    /* the host may ask for the isolated route; it never gets less isolation by asking */
    u32 boot_flags = ((volatile struct cl_boot_info *)phys_to_virt(CL_GPA_BOOT_INFO))->flags;
    load_descriptor_tables(&cpu0_area);
    init_percpu(&cpu0_area, 0);
    ((struct tss *)p->tss)->rsp[0] = (u64)p; /* top of the trap stack: the probe's int3 */

    /* The probe: let ring 3 execute the shim's probe code for a moment. */
    wrmsr(MSR_STAR, ((u64)CL_SEL_USER_CS32 << 48) | ((u64)CL_SEL_KERNEL_CS << 32));
    wrmsr(MSR_LSTAR, (u64)probe_landing);
    wrmsr(MSR_FMASK, RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
    paging_kernel_user_access(true);
    int cpl = syscall_probe((u64)probe_stack + sizeof(probe_stack));

    if (cpl == 3 && (boot_flags & CL_BOOT_PVM_TRAP)) {
        ring0_emulated = true;
        paging_kernel_user_access(false);
        map_trampoline();
    } else if (cpl == 3) {
        kernel_mode = MODE_RING3; /* the shim's pages stay user-accessible */
    } else {
        paging_kernel_user_access(false);
    }
    setup_route(p);
}

/*
 * Bringing up another vCPU. Every vCPU enters the shim at shim_entry with the same
 * registers (the launch measures one state for all); the boot CPU claims the boot
 * stack there, and any other vCPU may go on only with the ticket this CPU opens for it,
 * one at a time: one the host starts unasked halts for good (entry.S).
 */
static struct cpu_area *ap_area;
static u32 ap_id;
static void (*ap_fn)(void);
static volatile u32 ap_ready;
extern u32 ap_ticket;   /* entry.S: 1 open, 2 taken */
extern u64 ap_boot_rsp; /* entry.S: the stack the ticket's holder starts on */

u64 arch_cpu_area_size(void)
{
    return sizeof(struct cpu_area);
}

/* The ticket holder's first C code (entry.S), on its own kernel stack. */
void ap_main(void);
void ap_main(void)
{
    struct cpu_area *a = ap_area;
    load_descriptor_tables(a);
    init_percpu(a, ap_id);
    setup_route(&a->pcpu);
    void (*fn)(void) = ap_fn;
    __atomic_store_n(&ap_ready, 1, __ATOMIC_RELEASE);
    arch_enter_kernel_mode(fn);
}

bool arch_cpu_start(u32 id, void *area, void (*fn)(void))
{
    struct cpu_area *a = area;
    ap_area = a;
    ap_id = id;
    ap_fn = fn;
    ap_ready = 0;
    ap_boot_rsp = (u64)a->kernel_stack + sizeof(a->kernel_stack);
    __atomic_store_n(&ap_ticket, 1, __ATOMIC_RELEASE);
    if (hcall(CL_HC_CPU_START, id, 0, 0, 0, 0, 0) != 0) {
        __atomic_store_n(&ap_ticket, 0, __ATOMIC_RELEASE);
        return false;
    }
    /* a few milliseconds on hardware; PVM emulates the AP's ring-0 set-up slowly */
    u64 give_up = rdtsc() + 30 * clock_tsc_hz();
    while (!__atomic_load_n(&ap_ready, __ATOMIC_ACQUIRE)) {
        if (rdtsc() > give_up) {
            /* close the ticket: a late AP must not take a stack we will reuse */
            u32 open = 1;
            if (__atomic_compare_exchange_n(&ap_ticket, &open, 0, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                return false;
            /* it took the ticket just now: wait for it after all */
            give_up = ~0ull;
        }
        __asm__ volatile("pause");
    }
    __atomic_store_n(&ap_ticket, 0, __ATOMIC_RELEASE);
    return true;
}

/* Called by trap_from_kernel for the probe's int3; resumes syscall_probe in ring 0. */
bool arch_probe_trap(struct trap_frame *tf)
{
    if (tf->vector != 3 || tf->rip != (u64)probe_landing + 1)
        return false;
    probe_result = tf->cs & 3;
    tf->rip = (u64)probe_resume;
    tf->cs = CL_SEL_KERNEL_CS;
    tf->ss = CL_SEL_KERNEL_DS;
    tf->rsp = probe_saved_rsp;
    tf->rflags = 0x2;
    return true;
}

enum priv_op { PRIV_FLUSH_TLB = 1, PRIV_FLUSH_PAGE = 2, PRIV_WRMSR = 3, PRIV_LOAD_ROOT = 4 };

/* The MSRs the shim writes after boot (lapic.c): all the privileged gate lets through. */
static bool runtime_msr(u64 msr)
{
    return msr == 0x6e0 /* TSC deadline */ || msr == 0x80b /* x2APIC EOI */ ||
           msr == 0x830 /* x2APIC ICR */;
}

static inline bool in_ring0(void)
{
    u16 cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return (cs & 3) == 0;
}

static void do_flush_tlb(void)
{
    u64 cr3;
    __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3)::"memory");
}

/* The shim in ring 3 asking ring 0 for a privileged step (priv_gate's int3). */
bool arch_priv_trap(struct trap_frame *tf)
{
    if (tf->vector != 3 || tf->rip != (u64)priv_gate_int3 + 1 || kernel_mode != MODE_RING3)
        return false;
    switch (tf->rdi) {
    case PRIV_FLUSH_TLB:
        do_flush_tlb();
        break;
    case PRIV_FLUSH_PAGE:
        __asm__ volatile("invlpg (%0)" ::"r"(tf->rsi) : "memory");
        break;
    case PRIV_LOAD_ROOT:
        __asm__ volatile("mov %0, %%cr3" ::"r"(tf->rsi) : "memory");
        break;
    case PRIV_WRMSR:
        if (!runtime_msr(tf->rsi))
            panic("privileged write of MSR 0x%lx refused", tf->rsi);
        wrmsr((u32)tf->rsi, tf->rdx);
        break;
    default:
        panic("unknown privileged operation %lu", tf->rdi);
    }
    return true;
}

void arch_flush_tlb_local(void)
{
    if (in_ring0())
        do_flush_tlb();
    else
        priv_gate(PRIV_FLUSH_TLB, 0, 0);
}

void arch_flush_tlb(u64 root)
{
    if (this_cpu()->loaded_root == root)
        arch_flush_tlb_local();
    tlb_shootdown(root);
}

void arch_load_root(u64 root)
{
    if (in_ring0())
        __asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
    else
        priv_gate(PRIV_LOAD_ROOT, root, 0);
    this_cpu()->loaded_root = root;
}

void arch_flush_tlb_page(u64 root, u64 va)
{
    if (this_cpu()->loaded_root == root) {
        if (in_ring0())
            __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
        else
            priv_gate(PRIV_FLUSH_PAGE, va, 0);
    }
    tlb_shootdown(root); /* the others flush everything: one page is not worth an interface */
}

void arch_spin_relax(void)
{
    if (in_ring0())
        __asm__ volatile("sti; pause; cli" ::: "memory");
    else
        __asm__ volatile("pause"); /* PVM's ring 3: interrupts are on anyway */
}

void arch_wrmsr(u32 msr, u64 value)
{
    if (in_ring0())
        wrmsr(msr, value);
    else
        priv_gate(PRIV_WRMSR, msr, value);
}

void arch_hypercall_signal(void)
{
    if (in_ring0()) {
        __asm__ volatile("outb %%al, %%dx" ::"a"(0), "d"(CL_HC_PORT) : "memory");
    } else {
        /* ring 3 may not use ports; a write to the unbacked doorbell page exits too */
        volatile u8 *bell = (volatile u8 *)phys_to_virt(CL_GPA_DOORBELL);
        *bell = 0;
    }
}

void arch_set_user_fs(u64 base)
{
    /* The shim never uses FS, so the workload's FS base is live in both modes. */
    __asm__ volatile("wrfsbase %0" ::"r"(base));
}

void arch_set_user_gs(u64 base)
{
    /* While the shim runs, the workload's GS base is parked: in KERNEL_GS_BASE (ring 0,
     * after swapgs) or in percpu.user_gs (ring 3, restored on return). */
    if (kernel_mode == MODE_RING3)
        this_cpu()->user_gs = base;
    else
        wrmsr(MSR_KERNEL_GS_BASE, base);
}

u64 arch_get_user_gs(void)
{
    if (kernel_mode == MODE_RING3)
        return this_cpu()->user_gs;
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_KERNEL_GS_BASE));
    return ((u64)hi << 32) | lo;
}

u64 arch_get_user_fs(void)
{
    u64 base;
    __asm__ volatile("rdfsbase %0" : "=r"(base));
    return base;
}

void arch_enter_kernel_mode(void (*fn)(void))
{
    struct percpu *p = this_cpu();
    u64 sp = p->kernel_rsp - 8; /* as if fn had been called: rsp = 8 mod 16 */
    if (kernel_mode == MODE_RING0) {
        __asm__ volatile("mov %0, %%rsp; xor %%ebp, %%ebp; jmp *%1" ::"r"(sp), "r"(fn));
    } else {
        p->user_gs = 0;
        __asm__ volatile(
            "push %0; push %1; push $0x202; push %2; push %3; iretq" ::"i"(CL_SEL_USER_DS), "r"(sp),
            "i"(CL_SEL_USER_CS), "r"(fn));
    }
    __builtin_unreachable();
}

bool arch_ring0_emulated(void)
{
    return ring0_emulated;
}

void arch_set_kernel_stack(u64 top)
{
    struct percpu *p = this_cpu();
    p->kernel_rsp = top;
    /* ring 0 (hardware and the trap route) takes traps from the workload on it too; on
     * the ring-3 route they land on the trap stack and move there (trap_entry.S) */
    if (kernel_mode == MODE_RING0)
        ((struct tss *)p->tss)->rsp[0] = top;
}

struct trap_frame *arch_user_frame(void)
{
    return (struct trap_frame *)(this_cpu()->kernel_rsp - TF_SIZE);
}

void arch_enter_user(struct trap_frame *tf)
{
    return_to_user(tf);
}

void arch_halt(void)
{
    for (;;) {
        if (in_ring0())
            __asm__ volatile("cli; hlt");
        else
            __asm__ volatile("pause");
    }
}
