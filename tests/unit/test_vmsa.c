/*
 * Unit tests for the VMSA page: each cl_vcpu_init field lands at its offset in the SEV-ES
 * save area, nothing else is written, and the bytes are deterministic.
 *
 * The offsets below are written out as numbers from AMD64 APM vol. 2, table B-4 (the
 * SEV-ES save area), checked against Linux's struct sev_es_save_area, and deliberately
 * not taken from vmsa.c: a wrong constant there must fail here.
 */
#include "launch/vmsa.h"
#include "unit.h"

#include <stdint.h>

/* A distinct value per field: every byte non-zero, low byte the field's number, so a
 * misplaced, truncated or byte-swapped store shows. */
static uint64_t val(unsigned k)
{
    return 0xf1e2d3c4b5a69700ull + k;
}

static uint64_t get_le(const uint8_t *page, size_t off, size_t n, uint8_t *written)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)page[off + i] << (8 * i);
        written[off + i] = 1;
    }
    return v;
}

static void set_segment(struct cl_segment *seg, unsigned k)
{
    seg->selector = (uint16_t)(0xa100 + k);
    seg->attrib = (uint16_t)(0x0b00 + k); /* attrib is 12 bits wide in the VMSA */
    seg->limit = 0xc3d4e500u + k;
    seg->base = val(k);
}

static void fill_state(struct cl_vcpu_init *s)
{
    memset(s, 0, sizeof(*s));
    s->rip = val(1);
    s->rsp = val(2);
    s->rflags = val(3);
    s->rax = val(4);
    s->rbx = val(5);
    s->rcx = val(6);
    s->rdx = val(7);
    s->rsi = val(8);
    s->rdi = val(9);
    s->rbp = val(10);
    s->r8 = val(11);
    s->r9 = val(12);
    s->r10 = val(13);
    s->r11 = val(14);
    s->r12 = val(15);
    s->r13 = val(16);
    s->r14 = val(17);
    s->r15 = val(18);
    s->cr0 = val(19);
    s->cr3 = val(20);
    s->cr4 = val(21);
    s->efer = val(22);
    s->xcr0 = val(23);
    s->dr6 = val(24);
    s->dr7 = val(25);
    set_segment(&s->cs, 26);
    set_segment(&s->ds, 27);
    set_segment(&s->es, 28);
    set_segment(&s->fs, 29);
    set_segment(&s->gs, 30);
    set_segment(&s->ss, 31);
    set_segment(&s->tr, 32);
    set_segment(&s->ldtr, 33);
    s->gdtr.base = val(34);
    s->gdtr.limit = 0xd700 + 34;
    s->idtr.base = val(35);
    s->idtr.limit = 0xd700 + 35;
    s->star = val(36);
    s->lstar = val(37);
    s->cstar = val(38);
    s->sfmask = val(39);
    s->kernel_gs_base = val(40);
    s->pat = val(41);
}

#define SEV_FEATURES_VALUE val(42)

#define CHECK_U64_AT(page, written, off, expected)                                                 \
    CHECK_EQ_INT(get_le((page), (off), 8, (written)), (expected))

#define CHECK_SEGMENT_AT(page, written, off, k)                                                    \
    do {                                                                                           \
        CHECK_EQ_INT(get_le((page), (off) + 0, 2, (written)), 0xa100 + (k));                       \
        CHECK_EQ_INT(get_le((page), (off) + 2, 2, (written)), 0x0b00 + (k));                       \
        CHECK_EQ_INT(get_le((page), (off) + 4, 4, (written)), 0xc3d4e500u + (k));                  \
        CHECK_EQ_INT(get_le((page), (off) + 8, 8, (written)), val(k));                             \
    } while (0)

/* GDTR/IDTR: selector and attrib unused, the 16-bit limit in the 32-bit limit field. */
#define CHECK_DTABLE_AT(page, written, off, k)                                                     \
    do {                                                                                           \
        CHECK_EQ_INT(get_le((page), (off) + 0, 4, (written)), 0);                                  \
        CHECK_EQ_INT(get_le((page), (off) + 4, 4, (written)), 0xd700 + (k));                       \
        CHECK_EQ_INT(get_le((page), (off) + 8, 8, (written)), val(k));                             \
    } while (0)

static void test_fields_at_spec_offsets(void)
{
    struct cl_vcpu_init s;
    static uint8_t page[SNP_VMSA_PAGE_SIZE];
    static uint8_t written[SNP_VMSA_PAGE_SIZE];

    fill_state(&s);
    memset(page, 0xcc, sizeof(page)); /* the builder must clear what it does not set */
    memset(written, 0, sizeof(written));
    snp_vmsa_build(&s, SEV_FEATURES_VALUE, page);

    CHECK_SEGMENT_AT(page, written, 0x000, 28); /* es */
    CHECK_SEGMENT_AT(page, written, 0x010, 26); /* cs */
    CHECK_SEGMENT_AT(page, written, 0x020, 31); /* ss */
    CHECK_SEGMENT_AT(page, written, 0x030, 27); /* ds */
    CHECK_SEGMENT_AT(page, written, 0x040, 29); /* fs */
    CHECK_SEGMENT_AT(page, written, 0x050, 30); /* gs */
    CHECK_DTABLE_AT(page, written, 0x060, 34);  /* gdtr */
    CHECK_SEGMENT_AT(page, written, 0x070, 33); /* ldtr */
    CHECK_DTABLE_AT(page, written, 0x080, 35);  /* idtr */
    CHECK_SEGMENT_AT(page, written, 0x090, 32); /* tr */

    CHECK_U64_AT(page, written, 0x0d0, val(22)); /* efer */
    CHECK_U64_AT(page, written, 0x148, val(21)); /* cr4 */
    CHECK_U64_AT(page, written, 0x150, val(20)); /* cr3 */
    CHECK_U64_AT(page, written, 0x158, val(19)); /* cr0 */
    CHECK_U64_AT(page, written, 0x160, val(25)); /* dr7 */
    CHECK_U64_AT(page, written, 0x168, val(24)); /* dr6 */
    CHECK_U64_AT(page, written, 0x170, val(3));  /* rflags */
    CHECK_U64_AT(page, written, 0x178, val(1));  /* rip */
    CHECK_U64_AT(page, written, 0x1d8, val(2));  /* rsp */
    CHECK_U64_AT(page, written, 0x1f8, val(4));  /* rax */
    CHECK_U64_AT(page, written, 0x200, val(36)); /* star */
    CHECK_U64_AT(page, written, 0x208, val(37)); /* lstar */
    CHECK_U64_AT(page, written, 0x210, val(38)); /* cstar */
    CHECK_U64_AT(page, written, 0x218, val(39)); /* sfmask */
    CHECK_U64_AT(page, written, 0x220, val(40)); /* kernel_gs_base */
    CHECK_U64_AT(page, written, 0x268, val(41)); /* g_pat */
    CHECK_U64_AT(page, written, 0x308, val(6));  /* rcx */
    CHECK_U64_AT(page, written, 0x310, val(7));  /* rdx */
    CHECK_U64_AT(page, written, 0x318, val(5));  /* rbx */
    CHECK_U64_AT(page, written, 0x328, val(10)); /* rbp */
    CHECK_U64_AT(page, written, 0x330, val(8));  /* rsi */
    CHECK_U64_AT(page, written, 0x338, val(9));  /* rdi */
    CHECK_U64_AT(page, written, 0x340, val(11)); /* r8 */
    CHECK_U64_AT(page, written, 0x348, val(12)); /* r9 */
    CHECK_U64_AT(page, written, 0x350, val(13)); /* r10 */
    CHECK_U64_AT(page, written, 0x358, val(14)); /* r11 */
    CHECK_U64_AT(page, written, 0x360, val(15)); /* r12 */
    CHECK_U64_AT(page, written, 0x368, val(16)); /* r13 */
    CHECK_U64_AT(page, written, 0x370, val(17)); /* r14 */
    CHECK_U64_AT(page, written, 0x378, val(18)); /* r15 */
    CHECK_U64_AT(page, written, 0x3b0, SEV_FEATURES_VALUE);
    CHECK_U64_AT(page, written, 0x3e8, val(23)); /* xcr0 */

    /* Every byte no field above accounts for is zero (reserved, CPL/VMPL, FPU, ...). */
    size_t stray = 0;
    for (size_t i = 0; i < sizeof(page); i++) {
        if (!written[i] && page[i] != 0) {
            if (stray++ == 0)
                fprintf(stderr, "  first stray byte at 0x%zx: 0x%02x\n", i, page[i]);
        }
    }
    CHECK_EQ_INT(stray, 0);
}

static void test_zero_state_gives_zero_page(void)
{
    struct cl_vcpu_init s;
    uint8_t page[SNP_VMSA_PAGE_SIZE];

    memset(&s, 0, sizeof(s));
    memset(page, 0xcc, sizeof(page));
    snp_vmsa_build(&s, 0, page);
    size_t nonzero = 0;
    for (size_t i = 0; i < sizeof(page); i++)
        nonzero += page[i] != 0;
    CHECK_EQ_INT(nonzero, 0);
}

/* The page is measured, so the same state must always give the same bytes, whatever
 * the output buffer held before. */
static void test_deterministic(void)
{
    struct cl_vcpu_init s;
    uint8_t a[SNP_VMSA_PAGE_SIZE], b[SNP_VMSA_PAGE_SIZE];

    fill_state(&s);
    memset(a, 0x11, sizeof(a));
    memset(b, 0xee, sizeof(b));
    snp_vmsa_build(&s, SNP_SEV_FEAT_SNP_ACTIVE, a);
    snp_vmsa_build(&s, SNP_SEV_FEAT_SNP_ACTIVE, b);
    CHECK(memcmp(a, b, sizeof(a)) == 0);
}

int main(void)
{
    RUN(fields_at_spec_offsets);
    RUN(zero_state_gives_zero_page);
    RUN(deterministic);
    UNIT_EXIT();
}
