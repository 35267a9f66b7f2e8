/*
 * Every way into and out of the shim: exception stubs, the system-call entries for
 * both rings, the return to the workload, the privileged-operation gate and the boot
 * probe that decides which ring the shim runs in (see arch.h).
 *
 * Frames are struct trap_frame (arch.h): the hardware's five words, error code and
 * vector, then the fifteen general registers, r15 lowest.
 */
#include "arch/x86/arch.h"

/* rbx..r15, after rax (pushed by the caller: the trap entries push the rax they
 * stashed in the per-CPU area) */
.macro PUSH_GPRS_AFTER_RAX
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro PUSH_GPRS
    push %rax
    PUSH_GPRS_AFTER_RAX
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

    .text

/*
 * The 32 exception stubs, 16 bytes apart so that arch_boot fills the IDT by adding
 * 16 per vector. Vectors that push no error code get a zero, so frames are uniform.
 * The 512-byte alignment keeps all stubs inside one 64 KiB block (the IDT fill only
 * adds to the low 16 bits of the handler address).
 */
    .align 512
    .globl isr_stubs
isr_stubs:
.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .align 16
    .if \vec == 8
    jmp double_fault_entry
    .elseif (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    push $\vec
    jmp trap_common
    .else
    push $0
    push $\vec
    jmp trap_common
    .endif
.endr

/* External interrupts from the local APIC, in the IDT's IRQ_GATE order (shim.ld.in):
 * frames like the exceptions', with no error code. */
    .align 16
    .globl irq_stubs
irq_stubs:
.irp vec, 0xf0, 0xf1, 0xf2, 0xf3, 0xff
    .align 16
    push $0
    push $\vec
    jmp trap_common
.endr

/*
 * Stack on entry: vector, error, rip, cs, rflags, rsp, ss. Three cases:
 *  - from ring 0, or from the shim itself running in ring 3 (PVM: rip in the kernel
 *    half): a kernel trap, handled here in ring 0 and returned from in place;
 *  - from the workload, hardware mode: swapgs, handle in ring 0;
 *  - from the workload, PVM mode: move the frame to the kernel stack and drop to the
 *    shim's ring 3, where the same handler runs at native speed.
 * A kernel-half rip at CPL 3 is the shim only when the shim runs in ring 3 (and the
 * boot probe's int3, which comes before that is decided). In ring 0 mode it is the
 * workload that jumped there (a fetch fault on a supervisor page), or a system call
 * through the PVM trap route's trampoline; both need the user path's swapgs: taken as
 * a kernel trap, the handler would run on the workload's GS base and fault again, down
 * to a triple fault.
 */
trap_common:
    cld
    testb $3, 24(%rsp)
    jz .Lkernel_trap
    cmpq $0, 16(%rsp)
    js .Lkernel_half_from_ring3
.Lfrom_user:
    cmpl $MODE_RING3, kernel_mode(%rip)
    je .Luser_trap_ring3
    swapgs
    PUSH_GPRS
    mov %cr2, %rax
    mov %rax, %gs:PCPU_FAULT_ADDR
    mov %rsp, %rdi
    call trap_from_user
    jmp .Lreturn_user_ring0

/* rip in the kernel half at CPL 3: the shim itself running in ring 3, the boot probe,
 * the PVM trap route's trampoline, or else the workload's fault */
.Lkernel_half_from_ring3:
    cmpl $MODE_RING3, kernel_mode(%rip)
    je .Lkernel_trap
    push %rax
    lea probe_landing+1(%rip), %rax
    cmp %rax, 24(%rsp)
    je .Lprobe_trap
    movabs $(CL_TRAMPOLINE_VA + syscall_trampoline_int3 - syscall_trampoline + 1), %rax
    cmp %rax, 24(%rsp)
    pop %rax
    jne .Lfrom_user
    /* a system call through the trampoline: the workload's rcx and r11 hold its return
     * rip and rflags, as syscall left them */
    swapgs
    PUSH_GPRS
    movq $VEC_SYSCALL, TF_VECTOR(%rsp)
    mov TF_RCX(%rsp), %rax
    mov %rax, TF_RIP(%rsp)
    /* r11 is the workload's to choose here (it can jump to the trampoline): keep only
     * the flags ring 3 may set, so that iretq cannot raise IOPL */
    mov TF_R11(%rsp), %rax
    and $0x240dd5, %rax
    or $0x202, %rax
    mov %rax, TF_RFLAGS(%rsp)
    mov TF_RAX(%rsp), %rax
    mov %rsp, %rdi
    call syscall_entry
    jmp .Lreturn_user_ring0

.Lprobe_trap:               /* the boot probe's int3, before kernel_mode is decided */
    pop %rax
.Lkernel_trap:
    PUSH_GPRS
    mov %rsp, %rdi
    call trap_from_kernel
    POP_GPRS
    add $16, %rsp
    iretq

/*
 * PVM mode, trap from the workload. The CPU switched to TSS.RSP0, which is this CPU's
 * struct percpu (the trap stack lies just below it): percpu = rsp + 56.
 */
.Luser_trap_ring3:
    mov %rax, 56+PCPU_SCRATCH_RAX(%rsp)
    mov %rsp, %rax
    mov 56+PCPU_KERNEL_RSP(%rax), %rsp
    push 48(%rax)           /* ss */
    push 40(%rax)           /* rsp */
    push 32(%rax)           /* rflags */
    push 24(%rax)           /* cs */
    push 16(%rax)           /* rip */
    push 8(%rax)            /* error code */
    push (%rax)             /* vector */
    add $56, %rax           /* rax = percpu */
    push PCPU_SCRATCH_RAX(%rax)
    PUSH_GPRS_AFTER_RAX
    mov %rax, %rbx
    rdgsbase %rax
    mov %rax, PCPU_USER_GS(%rbx)
    wrgsbase %rbx
    mov %cr2, %rax          /* ring 3 cannot read CR2: hand it over */
    mov %rax, PCPU_FAULT_ADDR(%rbx)
    mov %rsp, %rdi          /* the frame, now on the kernel stack */
    mov %rbx, %rsp          /* the trap stack is free again: build an iret frame */
    push $CL_SEL_USER_DS
    push %rdi
    push $0x202
    push $CL_SEL_USER_CS
    lea trap_user_ring3(%rip), %rax
    push %rax
    iretq

trap_user_ring3:            /* ring 3, rsp = rdi = the frame */
    call trap_from_user
    jmp .Lreturn_user_ring3

/* #DF runs on its own stack (IST1): nothing to return to, report and stop. */
double_fault_entry:
    PUSH_GPRS
    mov %rsp, %rdi
    call trap_double_fault
1:  hlt
    jmp 1b

/*
 * System call, hardware mode: syscall entered ring 0 with the workload's stack.
 * FMASK cleared IF, so nothing can interrupt us before the stack switch.
 */
    .globl syscall_entry_ring0
syscall_entry_ring0:
    swapgs
    mov %rsp, %gs:PCPU_USER_RSP
    mov %gs:PCPU_KERNEL_RSP, %rsp
    push $CL_SEL_USER_DS
    push %gs:PCPU_USER_RSP
    push %r11
    push $CL_SEL_USER_CS
    push %rcx
    push $0
    push $VEC_SYSCALL
    PUSH_GPRS
    cld
    mov %rsp, %rdi
    call syscall_entry
.Lreturn_user_ring0:
    POP_GPRS
    add $16, %rsp
    swapgs
    iretq

/*
 * System call, PVM mode: syscall stayed in ring 3. The CPU's stub (struct percpu.stub,
 * written by arch_boot) saved rax in percpu.scratch_rax and loaded rax = percpu.
 * rcx and r11 hold the return rip and rflags as syscall left them.
 */
    .globl syscall_entry_ring3
syscall_entry_ring3:
    mov %rsp, PCPU_USER_RSP(%rax)
    mov PCPU_KERNEL_RSP(%rax), %rsp
    push $CL_SEL_USER_DS
    push PCPU_USER_RSP(%rax)
    push %r11
    push $CL_SEL_USER_CS
    push %rcx
    push $0
    push $VEC_SYSCALL
    push PCPU_SCRATCH_RAX(%rax)
    PUSH_GPRS_AFTER_RAX
    cld
    mov %rax, %rbx
    rdgsbase %rax
    mov %rax, PCPU_USER_GS(%rbx)
    wrgsbase %rbx
    mov %rsp, %rdi
    call syscall_entry
.Lreturn_user_ring3:        /* ring 3, rsp = the frame; iretq works between ring-3 contexts */
    mov %gs:PCPU_USER_GS, %rax
    wrgsbase %rax
    POP_GPRS
    add $16, %rsp
    iretq

/* void return_to_user(struct trap_frame *tf): resume the workload from a frame. */
    .globl return_to_user
return_to_user:
    mov %rdi, %rsp
    cmpl $MODE_RING3, kernel_mode(%rip)
    je .Lreturn_user_ring3
    jmp .Lreturn_user_ring0

/*
 * The PVM trap route's system-call landing: LSTAR points at this page's user-executable
 * alias (CL_TRAMPOLINE_VA). `syscall` from ring 3 stays in ring 3 on PVM; int3 takes it
 * to ring 0 on the trap stack, without touching the workload's stack.
 */
    .section .trampoline, "ax"
    .align 4096
    .globl syscall_trampoline
syscall_trampoline:
syscall_trampoline_int3:
    int3
    ud2
    .align 4096
    .text

/*
 * The privileged-operation gate for the shim in ring 3 (PVM): rdi = operation,
 * rsi = argument. trap_from_kernel recognises the int3 by its address.
 */
    .globl priv_gate, priv_gate_int3
priv_gate:
priv_gate_int3:
    int3
    ret

/*
 * int syscall_probe(u64 probe_stack_top): where does `syscall` from ring 3 land?
 * Returns the CPL seen at the landing (0: hardware, 3: the PVM quirk). The landing's
 * int3 reaches trap_from_kernel, which resumes us at probe_resume in ring 0.
 */
    .globl syscall_probe, probe_landing, probe_resume
syscall_probe:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, probe_saved_rsp(%rip)
    push $CL_SEL_USER_DS
    push %rdi
    push $0x2
    push $CL_SEL_USER_CS
    lea probe_user(%rip), %rax
    push %rax
    iretq
probe_user:
    syscall
probe_landing:
    int3
probe_resume:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    mov probe_result(%rip), %eax
    ret

    .data
    .align 8
    .globl probe_saved_rsp, probe_result
probe_saved_rsp: .quad 0
probe_result:    .long 0
