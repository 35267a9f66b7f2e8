/*
 * What every hostile raw guest shares (tests/hostile/README.md): the shim header the
 * launch checks, a parameter area the test tool fills in, and the calling convention
 * of the real shim (an OUT to CL_HC_PORT after filling the vCPU's hypercall block).
 *
 * The monitor starts a guest as it starts the shim: ring 0, 64-bit mode, at the header's
 * entry, with the boot page tables (the first GiB of RAM at CL_KERNEL_BASE, all of the
 * guest-physical map at CL_PHYSMAP_BASE + GPA), on PVM and on hardware alike. A guest is
 * linked at CL_KERNEL_BASE + CL_GPA_SHIM (the Makefile's -Ttext) and is one page of
 * code and data; GUEST_MEM bytes from its start are its memory (the rest zero).
 */
#include <cloister/abi.h>

#include "hc_numbers.h"

#define HCB       (CL_PHYSMAP_BASE + CL_GPA_HCALL) /* vCPU 0's hypercall block */
#define HC_NR     0
#define HC_ARG(i) (8 + 8 * (i))
#define HC_RET    56
#define BOOT_INFO (CL_PHYSMAP_BASE + CL_GPA_BOOT_INFO)
#define DOORBELL  (CL_PHYSMAP_BASE + CL_GPA_DOORBELL)

/* the guest's own memory: its page, then the stack's (the launch zeroes them) */
#ifndef GUEST_MEM
#define GUEST_MEM 0x3000
#endif

/* PARAM(i): the i-th 64-bit parameter, at 0x40 + 8 i in the file (cwi_raw_guest) */
#define PARAM(i) (params + 8 * (i))(%rip)

    .macro GUEST_HEADER
    .text
    .globl _start
guest_header:
    .long CL_SHIM_MAGIC
    .long CL_ABI_VERSION
    .quad _start
    .quad CL_GPA_SHIM
    .quad guest_file_end - guest_header /* file_size */
    .quad GUEST_MEM                     /* mem_size */
    .quad 0, 0, 0
params:
    .quad 0, 0, 0, 0, 0, 0, 0, 0
_start:
    lea guest_header + GUEST_MEM(%rip), %rsp
    call guest_main
    mov %rax, %rdi
    call hc_exit
    .endm

    /* hc: hypercall %rdi with arguments %rsi, %rdx, %rcx, %r8, %r9 (a5 = 0), signalled by
     * OUT to the port; the result in %rax. Clobbers %r10, %r11. */
    .macro GUEST_HCALL
hc:
    movabs $HCB, %r10
    mov %rdi, HC_NR(%r10)
    mov %rsi, HC_ARG(0)(%r10)
    mov %rdx, HC_ARG(1)(%r10)
    mov %rcx, HC_ARG(2)(%r10)
    mov %r8, HC_ARG(3)(%r10)
    mov %r9, HC_ARG(4)(%r10)
    movq $0, HC_ARG(5)(%r10)
    movq $-1, HC_RET(%r10)
    push %rdx
    mov $CL_HC_PORT, %dx
    outb %al, %dx
    pop %rdx
    mov HC_RET(%r10), %rax
    ret

    /* hc_exit: ends the run with status %rdi; never returns (a monitor that came back
     * gets a halt, which it must also end cleanly) */
hc_exit:
    mov %rdi, %rsi
    mov $HG_HC_EXIT, %edi
    xor %edx, %edx
    xor %ecx, %ecx
    xor %r8d, %r8d
    xor %r9d, %r9d
    call hc
1:  hlt
    jmp 1b
    .endm

    .macro GUEST_END
    .balign 4096
guest_file_end:
    .endm
