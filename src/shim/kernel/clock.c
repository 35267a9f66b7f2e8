/*
 * TSC-based clocks. ns = (tsc - boot_tsc) * mult >> 32, with mult = 2^32 * 1e9 / hz;
 * the product is taken in 128 bits so a long uptime cannot overflow.
 * Monotonic time never goes backwards: the last value handed out is a floor, which
 * also guards against a TSC that is not synchronised across vCPUs.
 */
#include "kernel/clock.h"
#include "arch/x86/arch.h"
#include "vdso/vvar.h"

static u64 tsc_hz, boot_tsc, mult;
static s64 boot_real, boot_mono;
static s64 last_mono;

void clock_init(u64 hz, u64 tsc0, s64 real0, s64 mono0)
{
    tsc_hz = hz;
    boot_tsc = tsc0;
    boot_real = real0;
    boot_mono = mono0;
    mult = (u64)(((u64)NSEC_PER_SEC << 32) / hz);
}

static s64 ns_since_boot(void)
{
    u64 now = rdtsc();
    u64 delta = now > boot_tsc ? now - boot_tsc : 0;
    return (s64)(((unsigned __int128)delta * mult) >> 32);
}

s64 clock_monotonic_ns(void)
{
    s64 t = boot_mono + ns_since_boot();
    s64 last = READ_ONCE(last_mono);
    if (t < last)
        return last;
    WRITE_ONCE(last_mono, t);
    return t;
}

u64 clock_tsc_at(s64 mono_ns)
{
    s64 rel = mono_ns - boot_mono;
    if (rel <= 0)
        return boot_tsc;
    /* in two parts, without a 128-bit division: rel_ns * hz stays below 2^64 for any
     * TSC under 18 GHz (clock_init's bounds are far below) */
    u64 sec = (u64)rel / NSEC_PER_SEC, ns = (u64)rel % NSEC_PER_SEC;
    return boot_tsc + sec * tsc_hz + ns * tsc_hz / NSEC_PER_SEC;
}

s64 clock_realtime_ns(void)
{
    return boot_real + ns_since_boot();
}

u64 clock_tsc_hz(void)
{
    return tsc_hz;
}

void clock_fill_vvar(struct vvar *v)
{
    v->tsc_mult = mult;
    v->boot_tsc = boot_tsc;
    v->boot_mono = boot_mono;
    v->boot_real = boot_real;
}
