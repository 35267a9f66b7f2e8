/* The local APIC's timer (lapic.h). */
#include "arch/x86/lapic.h"
#include "arch/x86/arch.h"

#define MSR_APIC_BASE    0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_EOI   0x80b
#define MSR_X2APIC_SVR   0x80f
#define MSR_X2APIC_TIMER 0x832 /* LVT timer */
#define MSR_X2APIC_ICR   0x830
#define ICR_ASSERT       (1u << 14)

#define APIC_BASE_EXTD    (1ull << 10)
#define APIC_BASE_ENABLE  (1ull << 11)
#define SVR_ENABLE        0x100u
#define LVT_TSC_DEADLINE  (2u << 17)
#define CPUID1_X2APIC     (1u << 21)
#define CPUID1_TSC_DEADLN (1u << 24)

static bool timer_ok;

static u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}

bool lapic_boot(void)
{
    u32 a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if ((c & (CPUID1_X2APIC | CPUID1_TSC_DEADLN)) != (CPUID1_X2APIC | CPUID1_TSC_DEADLN))
        return false;
    u64 base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE))
        return false; /* no in-kernel APIC: the monitor made none */
    /* xAPIC first, then x2APIC: the only legal way up */
    arch_wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_EXTD);
    arch_wrmsr(MSR_X2APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
    arch_wrmsr(MSR_X2APIC_TIMER, LVT_TSC_DEADLINE | VEC_TIMER);
    timer_ok = true;
    return true;
}

bool lapic_timer_available(void)
{
    return timer_ok;
}

void lapic_timer_set(u64 tsc)
{
    arch_wrmsr(MSR_TSC_DEADLINE, tsc);
}

void lapic_send_ipi(u32 apic_id, u32 vector)
{
    /* x2APIC ICR: destination in the high half, fixed delivery, physical, asserted */
    arch_wrmsr(MSR_X2APIC_ICR, ((u64)apic_id << 32) | ICR_ASSERT | vector);
}

void lapic_eoi(void)
{
    arch_wrmsr(MSR_X2APIC_EOI, 0);
}
