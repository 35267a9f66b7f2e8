/*
 * The shim's first instruction. The monitor starts vCPU 0 here in 64-bit mode; the
 * others come here too, with the same registers, when the shim asks for them
 * (arch_cpu_start). The first to arrive claims the boot stack and boots; any other
 * must take the ticket arch_cpu_start opened for it, or halt for good: a vCPU the host
 * starts unasked never runs shim code on a stack that is in use.
 */
#include "arch/x86/arch.h"

    .section .text.entry, "ax"
    .globl shim_entry
shim_entry:
    mov $1, %eax
    xchg %eax, boot_claimed(%rip)   /* xchg with memory is atomic */
    test %eax, %eax
    jnz ap_entry
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call boot_main
1:  hlt
    jmp 1b

ap_entry:
    mov $1, %eax
    mov $2, %ecx
    lock cmpxchg %ecx, ap_ticket(%rip)
    jne 2f
    mov ap_boot_rsp(%rip), %rsp
    xor %ebp, %ebp
    call ap_main
2:  cli
    hlt
    jmp 2b

    .data
    .align 8
    .globl ap_ticket, ap_boot_rsp
boot_claimed: .long 0
ap_ticket:    .long 0
ap_boot_rsp:  .quad 0

    .bss
    .align 16
boot_stack:
    .skip 8192
boot_stack_top:
