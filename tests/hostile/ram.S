/*
 * Touches every page of RAM the monitor gave (boot_info.mem_size) from 16 MiB up,
 * writing one word per 4 KiB page through the physmap, then exits 0. What the host
 * spends on it is bounded by the guest's RAM: the test measures the monitor's RSS.
 */
#include "guest.h"

    GUEST_HEADER
    GUEST_HCALL

guest_main:
    movabs $BOOT_INFO, %rax
    mov 8(%rax), %rcx /* mem_size */
    movabs $CL_PHYSMAP_BASE, %rdx
    add %rdx, %rcx
    mov $0x1000000, %rax
    add %rdx, %rax
1:  cmp %rcx, %rax
    jae 2f
    movq $1, (%rax)
    add $0x1000, %rax
    jmp 1b
2:  xor %eax, %eax
    ret

    GUEST_END
