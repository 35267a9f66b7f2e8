/* Saving the workload's FPU state (fpu.h). */
#include "arch/x86/fpu.h"
#include "arch/x86/arch.h"
#include "lib/lib.h"

#define FXSAVE_SIZE    512u
#define XSAVE_HDR_SIZE 64u

static bool use_full_state;
static u32 area_size = FXSAVE_SIZE;
static u64 xfeatures = 0x3;     /* XCR0 when use_full_state */
static u32 mxcsr_mask = 0xffbf; /* the MXCSR bits this CPU accepts */

static void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

/* The full_fpu_ prefix tells the instruction check (tests/static/shim_instructions.sh)
 * that these never run at PVM's emulated ring 0 (fpu_boot makes sure). */
__attribute__((noinline)) static u64 full_fpu_xcr0(void)
{
    u32 lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((u64)hi << 32) | lo;
}

static void probe_mxcsr_mask(void)
{
    u8 image[FXSAVE_SIZE] __attribute__((aligned(16)));
    __asm__ volatile("fxsave64 (%0)" ::"r"(image) : "memory");
    u32 mask = *(u32 *)(image + 28); /* MXCSR_MASK; 0 means the default 0xffbf */
    if (mask)
        mxcsr_mask = mask;
}

void fpu_boot(void)
{
    probe_mxcsr_mask();
    u32 a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    /* OSXSAVE (CR4.OSXSAVE as CPUID reports it), and a kernel mode that may use it */
    if (!(c & (1u << 27)) || arch_ring0_emulated())
        return;
    cpuid(0xd, 0, &a, &b, &c, &d);
    if (b < FXSAVE_SIZE + XSAVE_HDR_SIZE)
        return;
    use_full_state = true;
    area_size = (b + 63) & ~63u;
    xfeatures = full_fpu_xcr0();
}

u32 fpu_state_size(void)
{
    return area_size;
}

/* The full_fpu_ prefix tells the instruction check (tests/static/shim_instructions.sh)
 * that these never run at PVM's emulated ring 0 (fpu_boot makes sure). */
__attribute__((noinline)) static void full_fpu_save(void *area)
{
    __asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
}

__attribute__((noinline)) static void full_fpu_restore(const void *area)
{
    __asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
}

void fpu_save(void *area)
{
    if (use_full_state)
        full_fpu_save(area);
    else
        __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void fpu_restore(const void *area)
{
    if (use_full_state)
        full_fpu_restore(area);
    else
        __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

void fpu_init_state(void *area)
{
    u8 *p = area;
    memzero(p, area_size);
    /* x87 control word and MXCSR as at exec; an XSTATE_BV of zero puts every other
     * component in its initial (zero) state */
    p[0] = 0x7f;
    p[1] = 0x03;
    p[24] = 0x80;
    p[25] = 0x1f;
}

bool fpu_full_format(void)
{
    return use_full_state;
}

u64 fpu_xfeatures(void)
{
    return xfeatures;
}

bool fpu_area_valid(const void *area)
{
    const u8 *p = area;
    if (*(const u32 *)(p + FPU_MXCSR) & ~mxcsr_mask)
        return false;
    if (!use_full_state)
        return true;
    const u64 *header = (const u64 *)(p + FPU_LEGACY_SIZE);
    if (header[0] & ~xfeatures) /* XSTATE_BV: only what XCR0 enables */
        return false;
    for (u32 i = 1; i < FPU_HEADER_SIZE / 8; i++) /* XCOMP_BV (standard format), reserved */
        if (header[i])
            return false;
    return true;
}
