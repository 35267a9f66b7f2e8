/*
 * A guest that never ends on its own, chosen by PARAM(0):
 *   0  cli; hlt              (a halt with no interrupt to wake it)
 *   1  cli; 1: jmp 1b        (a spin with interrupts off)
 *   2  the doorbell rung in a loop, each ring a valid hypercall (CL_HC_MARK)
 *   3  the port written in a loop, the same
 *   4  the doorbell rung in a loop with hypercall number PARAM(1) (e.g. 0: unknown)
 *   5  CL_HC_SLEEP of PARAM(1) ns in a loop
 * Only the monitor (a halt it refuses, or --timeout) can end it.
 */
#include "guest.h"

    GUEST_HEADER
    GUEST_HCALL

guest_main:
    mov PARAM(0), %rax
    cmp $0, %rax
    je do_hlt
    cmp $1, %rax
    je do_spin
    cmp $2, %rax
    je do_doorbell
    cmp $3, %rax
    je do_port
    cmp $4, %rax
    je do_doorbell_nr
    cmp $5, %rax
    je do_sleep
    mov $99, %eax
    ret

do_hlt:
    cli
    hlt
    mov $98, %eax /* a halt the monitor let pass */
    ret

do_spin:
    cli
1:  jmp 1b

do_doorbell:
    movabs $HCB, %r10
    movq $HG_HC_MARK, HC_NR(%r10)
    movq $0, HC_ARG(0)(%r10)
    movabs $DOORBELL, %rax
1:  movb $1, (%rax)
    jmp 1b

do_port:
    movabs $HCB, %r10
    movq $HG_HC_MARK, HC_NR(%r10)
    movq $0, HC_ARG(0)(%r10)
    mov $CL_HC_PORT, %dx
1:  outb %al, %dx
    jmp 1b

do_doorbell_nr:
    movabs $HCB, %r10
    mov PARAM(1), %rax
    mov %rax, HC_NR(%r10)
    movabs $DOORBELL, %rax
1:  movb $1, (%rax)
    jmp 1b

do_sleep:
1:  mov $HG_HC_SLEEP, %edi
    mov PARAM(1), %rsi
    xor %edx, %edx
    xor %ecx, %ecx
    xor %r8d, %r8d
    xor %r9d, %r9d
    call hc
    jmp 1b

    GUEST_END
