/* The boot state of a vCPU: 64-bit mode, paging on, Linux's selectors (abi.h). */
#include "launch/vcpu_init.h"

#include <string.h>

#include <cloister/abi.h>

/* VMCB attribute bits */
#define SEG_TYPE(t) (t)
#define SEG_S       (1u << 4)
#define SEG_P       (1u << 7)
#define SEG_L       (1u << 9)
#define SEG_DB      (1u << 10)
#define SEG_G       (1u << 11)

#define CR0_PE 0x1u
#define CR0_MP 0x2u
#define CR0_ET 0x10u
#define CR0_NE 0x20u
#define CR0_WP 0x10000u
#define CR0_AM 0x40000u
#define CR0_PG 0x80000000u

#define CR4_PAE        0x20u
#define CR4_OSFXSR     0x200u
#define CR4_OSXMMEXCPT 0x400u
#define CR4_FSGSBASE   0x10000u
#define CR4_OSXSAVE    0x40000u

#define EFER_SCE 0x1u
#define EFER_LME 0x100u
#define EFER_LMA 0x400u
#define EFER_NXE 0x800u

void cl_vcpu_init_boot(struct cl_vcpu_init *s, uint64_t entry, uint64_t cr3, uint64_t xcr0)
{
    memset(s, 0, sizeof(*s));
    s->rip = entry;
    s->rflags = 0x2;
    s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    s->cr3 = cr3;
    s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE | (xcr0 ? CR4_OSXSAVE : 0);
    s->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    s->xcr0 = xcr0 ? xcr0 : 1;
    s->dr6 = 0xffff0ff0;
    s->dr7 = 0x400;
    s->pat = 0x0007040600070406ull;

    struct cl_segment code = {CL_SEL_KERNEL_CS, SEG_TYPE(11) | SEG_S | SEG_P | SEG_L | SEG_G,
                              0xffffffff, 0};
    struct cl_segment data = {CL_SEL_KERNEL_DS, SEG_TYPE(3) | SEG_S | SEG_P | SEG_DB | SEG_G,
                              0xffffffff, 0};
    s->cs = code;
    s->ds = s->es = s->ss = s->fs = s->gs = data;
    /* the shim loads its own TR and GDT first thing; these only need to be valid */
    s->tr = (struct cl_segment){0, SEG_TYPE(11) | SEG_P, 0x67, 0};
    s->ldtr = (struct cl_segment){0, SEG_TYPE(2) | SEG_P, 0xffff, 0};
}
