/*
 * The initial register state of a vCPU, in one place.
 *
 * The monitor turns it into KVM_SET_SREGS/REGS/MSRS calls; the measurement code turns
 * it into an SEV-ES save area (VMSA) page, which SEV-SNP measures at launch. Both read
 * this one structure, so what we measure is what we start.
 */
#ifndef CLOISTER_LAUNCH_VCPU_INIT_H
#define CLOISTER_LAUNCH_VCPU_INIT_H

#include <stdint.h>

/* A segment register as the VMCB/VMSA stores it. attrib packs the descriptor's
 * attribute bits: type[3:0] s[4] dpl[6:5] p[7] avl[8] l[9] db[10] g[11]. */
struct cl_segment {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

struct cl_dtable {
    uint64_t base;
    uint16_t limit;
};

struct cl_vcpu_init {
    uint64_t rip, rsp, rflags;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t cr0, cr3, cr4, efer, xcr0;
    uint64_t dr6, dr7;
    struct cl_segment cs, ds, es, fs, gs, ss, tr, ldtr;
    struct cl_dtable gdtr, idtr;
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base, pat;
};

/*
 * The state every vCPU starts in: 64-bit mode at entry, paging with the page tables at
 * cr3, FPU/SSE enabled and XCR0 = xcr0 (x87 only if 0). Deterministic, so that the
 * launch measurement can be computed offline.
 */
void cl_vcpu_init_boot(struct cl_vcpu_init *s, uint64_t entry, uint64_t cr3, uint64_t xcr0);

#endif
