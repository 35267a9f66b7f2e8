/*
 * The SEV-ES save area layout and the code that fills it from a cl_vcpu_init.
 */
#include "launch/vmsa.h"

#include <string.h>

/*
 * Byte offsets in the save area: AMD64 APM vol. 2, appendix B, table "VMSA Layout, State
 * Save Area for SEV-ES" (cross-checked against Linux's struct sev_es_save_area). Only
 * the fields Cloister sets are named. Segments and descriptor tables are 16 bytes each:
 * selector u16, attrib u16, limit u32, base u64.
 */
enum vmsa_offset {
    VMSA_ES = 0x000,
    VMSA_CS = 0x010,
    VMSA_SS = 0x020,
    VMSA_DS = 0x030,
    VMSA_FS = 0x040,
    VMSA_GS = 0x050,
    VMSA_GDTR = 0x060,
    VMSA_LDTR = 0x070,
    VMSA_IDTR = 0x080,
    VMSA_TR = 0x090,
    VMSA_EFER = 0x0d0,
    VMSA_CR4 = 0x148,
    VMSA_CR3 = 0x150,
    VMSA_CR0 = 0x158,
    VMSA_DR7 = 0x160,
    VMSA_DR6 = 0x168,
    VMSA_RFLAGS = 0x170,
    VMSA_RIP = 0x178,
    VMSA_RSP = 0x1d8,
    VMSA_RAX = 0x1f8,
    VMSA_STAR = 0x200,
    VMSA_LSTAR = 0x208,
    VMSA_CSTAR = 0x210,
    VMSA_SFMASK = 0x218,
    VMSA_KERNEL_GS_BASE = 0x220,
    VMSA_G_PAT = 0x268,
    VMSA_RCX = 0x308,
    VMSA_RDX = 0x310,
    VMSA_RBX = 0x318,
    /* 0x320 is reserved: RSP is only at 0x1d8 */
    VMSA_RBP = 0x328,
    VMSA_RSI = 0x330,
    VMSA_RDI = 0x338,
    VMSA_R8 = 0x340,
    VMSA_R9 = 0x348,
    VMSA_R10 = 0x350,
    VMSA_R11 = 0x358,
    VMSA_R12 = 0x360,
    VMSA_R13 = 0x368,
    VMSA_R14 = 0x370,
    VMSA_R15 = 0x378,
    VMSA_SEV_FEATURES = 0x3b0,
    VMSA_XCR0 = 0x3e8,
};

/* Segment record: field offsets within the 16 bytes. */
#define VMSA_SEG_SELECTOR 0
#define VMSA_SEG_ATTRIB   2
#define VMSA_SEG_LIMIT    4
#define VMSA_SEG_BASE     8

/* The VMSA is little-endian whatever the host is; store byte by byte. */
static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *page, enum vmsa_offset off, uint64_t v)
{
    put_le(page + off, v, 8);
}

static void put_segment(uint8_t *page, enum vmsa_offset off, const struct cl_segment *seg)
{
    put_le(page + off + VMSA_SEG_SELECTOR, seg->selector, 2);
    put_le(page + off + VMSA_SEG_ATTRIB, seg->attrib, 2);
    put_le(page + off + VMSA_SEG_LIMIT, seg->limit, 4);
    put_le(page + off + VMSA_SEG_BASE, seg->base, 8);
}

/* GDTR and IDTR use the segment record with selector and attrib unused (zero). */
static void put_dtable(uint8_t *page, enum vmsa_offset off, const struct cl_dtable *dt)
{
    put_le(page + off + VMSA_SEG_LIMIT, dt->limit, 4);
    put_le(page + off + VMSA_SEG_BASE, dt->base, 8);
}

void snp_vmsa_build(const struct cl_vcpu_init *s, uint64_t sev_features,
                    uint8_t page[SNP_VMSA_PAGE_SIZE])
{
    memset(page, 0, SNP_VMSA_PAGE_SIZE);

    put_segment(page, VMSA_ES, &s->es);
    put_segment(page, VMSA_CS, &s->cs);
    put_segment(page, VMSA_SS, &s->ss);
    put_segment(page, VMSA_DS, &s->ds);
    put_segment(page, VMSA_FS, &s->fs);
    put_segment(page, VMSA_GS, &s->gs);
    put_dtable(page, VMSA_GDTR, &s->gdtr);
    put_segment(page, VMSA_LDTR, &s->ldtr);
    put_dtable(page, VMSA_IDTR, &s->idtr);
    put_segment(page, VMSA_TR, &s->tr);

    put_u64(page, VMSA_EFER, s->efer);
    put_u64(page, VMSA_CR4, s->cr4);
    put_u64(page, VMSA_CR3, s->cr3);
    put_u64(page, VMSA_CR0, s->cr0);
    put_u64(page, VMSA_DR7, s->dr7);
    put_u64(page, VMSA_DR6, s->dr6);
    put_u64(page, VMSA_RFLAGS, s->rflags);
    put_u64(page, VMSA_RIP, s->rip);
    put_u64(page, VMSA_RSP, s->rsp);
    put_u64(page, VMSA_RAX, s->rax);
    put_u64(page, VMSA_STAR, s->star);
    put_u64(page, VMSA_LSTAR, s->lstar);
    put_u64(page, VMSA_CSTAR, s->cstar);
    put_u64(page, VMSA_SFMASK, s->sfmask);
    put_u64(page, VMSA_KERNEL_GS_BASE, s->kernel_gs_base);
    put_u64(page, VMSA_G_PAT, s->pat);
    put_u64(page, VMSA_RCX, s->rcx);
    put_u64(page, VMSA_RDX, s->rdx);
    put_u64(page, VMSA_RBX, s->rbx);
    put_u64(page, VMSA_RBP, s->rbp);
    put_u64(page, VMSA_RSI, s->rsi);
    put_u64(page, VMSA_RDI, s->rdi);
    put_u64(page, VMSA_R8, s->r8);
    put_u64(page, VMSA_R9, s->r9);
    put_u64(page, VMSA_R10, s->r10);
    put_u64(page, VMSA_R11, s->r11);
    put_u64(page, VMSA_R12, s->r12);
    put_u64(page, VMSA_R13, s->r13);
    put_u64(page, VMSA_R14, s->r14);
    put_u64(page, VMSA_R15, s->r15);
    put_u64(page, VMSA_SEV_FEATURES, sev_features);
    put_u64(page, VMSA_XCR0, s->xcr0);
}
