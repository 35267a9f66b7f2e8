/*
 * One access to any guest-physical address, through page tables of the guest's own:
 * PARAM(0) a guest-physical address (its 2 MiB page is mapped at virtual 0, writable),
 * PARAM(1) the virtual address to access (the offset into that page), PARAM(2) the
 * size (1, 2, 4 or 8 bytes), PARAM(3) 1 to write, 0 to read. RAM answers as memory (the
 * guest exits 0); anything else is the monitor's to refuse. The hypercall block holds
 * an EXIT(42) request meanwhile: 42 says the monitor took the access for a hypercall.
 */
#define GUEST_MEM 0x5000 /* code, a PML4, a PDPT, a PD, the stack */
#include "guest.h"

#define PML4 (guest_header + 0x1000)
#define PDPT (guest_header + 0x2000)
#define PD   (guest_header + 0x3000)

    GUEST_HEADER
    GUEST_HCALL

/* the guest-physical address of a symbol of ours: linked at CL_KERNEL_BASE + GPA */
    .macro GPA sym, reg
    lea \sym(%rip), \reg
    sub %r11, \reg
    .endm

guest_main:
    movabs $CL_KERNEL_BASE, %r11
    /* the boot PML4's kernel half, copied: the code and the physmap stay reachable */
    mov %cr3, %rsi
    and $~0xfff, %rsi
    movabs $CL_PHYSMAP_BASE, %rax
    add %rax, %rsi
    lea PML4(%rip), %rdi
    xor %ecx, %ecx
1:  mov (%rsi, %rcx, 8), %rax
    mov %rax, (%rdi, %rcx, 8)
    inc %ecx
    cmp $512, %ecx
    jb 1b
    GPA PDPT, %rax
    or $3, %rax
    mov %rax, (%rdi)
    GPA PD, %rax
    or $3, %rax
    mov %rax, PDPT(%rip)
    mov PARAM(0), %rax
    and $~0x1fffff, %rax
    or $0x83, %rax /* present, writable, 2 MiB */
    mov %rax, PD(%rip)
    GPA PML4, %rax
    mov %rax, %cr3

    movabs $HCB, %r10
    movq $HG_HC_EXIT, HC_NR(%r10)
    movq $42, HC_ARG(0)(%r10)
    mov PARAM(1), %rdi
    mov PARAM(2), %rdx
    mov $0x5a5a5a5a5a5a5a5a, %rax
    cmpq $0, PARAM(3)
    je read
    cmp $1, %rdx
    je 1f
    cmp $2, %rdx
    je 2f
    cmp $4, %rdx
    je 4f
    mov %rax, (%rdi)
    jmp done
1:  mov %al, (%rdi)
    jmp done
2:  mov %ax, (%rdi)
    jmp done
4:  mov %eax, (%rdi)
    jmp done
read:
    cmp $1, %rdx
    je 1f
    cmp $2, %rdx
    je 2f
    cmp $4, %rdx
    je 4f
    mov (%rdi), %rax
    jmp done
1:  mov (%rdi), %al
    jmp done
2:  mov (%rdi), %ax
    jmp done
4:  mov (%rdi), %eax
done:
    xor %eax, %eax
    ret

    GUEST_END
