/* The shim's first instruction: the monitor starts the BSP here in 64-bit mode. */
#include "arch/x86/arch.h"

    .section .text.entry, "ax"
    .globl shim_entry
shim_entry:
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call boot_main
1:  hlt
    jmp 1b

    .bss
    .align 16
boot_stack:
    .skip 8192
boot_stack_top:
