/*
 * A triple fault: an empty IDT, then an invalid opcode. The #UD cannot be delivered
 * (#GP), nor that (#DF), and the CPU shuts down. PARAM(0) 1 instead faults on a
 * non-canonical address (a #GP first).
 */
#include "guest.h"

    GUEST_HEADER
    GUEST_HCALL

guest_main:
    lidt empty_idt(%rip)
    cmpq $1, PARAM(0)
    je 1f
    ud2
1:  movabs $0x8000000000000000, %rax
    mov (%rax), %rax
    mov $97, %eax /* survived */
    ret

    .balign 16
empty_idt:
    .word 0
    .quad 0

    GUEST_END
