/*
 * One hypercall with any number and arguments: PARAM(0) the number, PARAM(1..6) a0..a5,
 * PARAM(7) how to signal it: 0 an OUT to the port, 1 a one-byte write to the doorbell.
 * The guest then exits with what the monitor answered, so the test can check it:
 *   -ret    for -255 <= ret <= -1 (an errno),
 *   200     for ret == 0, 201 for ret > 0, 199 for any other negative value.
 * A call the monitor refuses instead ends the run with one line and status 125.
 */
#include "guest.h"

    GUEST_HEADER
    GUEST_HCALL

guest_main:
    movabs $HCB, %r10
    mov PARAM(0), %rax
    mov %rax, HC_NR(%r10)
    lea PARAM(1), %rsi
    xor %ecx, %ecx
1:  mov (%rsi, %rcx, 8), %rax
    mov %rax, HC_ARG(0)(%r10, %rcx, 8)
    inc %ecx
    cmp $6, %ecx
    jb 1b
    movq $-1, HC_RET(%r10)
    cmpq $1, PARAM(7)
    je 2f
    mov $CL_HC_PORT, %dx
    outb %al, %dx
    jmp 3f
2:  movabs $DOORBELL, %rax
    movb $1, (%rax)
3:  mov HC_RET(%r10), %rax
    test %rax, %rax
    jz 5f
    jg 6f
    cmp $-255, %rax
    jl 4f
    neg %rax
    ret
4:  mov $199, %eax
    ret
5:  mov $200, %eax
    ret
6:  mov $201, %eax
    ret

    GUEST_END
