/* Time from the TSC, without a VM exit: the monitor hands over the TSC frequency and
 * the clocks at one TSC reading at boot; the shim extrapolates. */
#ifndef SHIM_CLOCK_H
#define SHIM_CLOCK_H

#include "lib/types.h"

#define NSEC_PER_SEC 1000000000ll

void clock_init(u64 tsc_hz, u64 boot_tsc, s64 boot_realtime_ns, s64 boot_monotonic_ns);
s64 clock_monotonic_ns(void);
s64 clock_realtime_ns(void);
u64 clock_tsc_hz(void);
/* The TSC value at CLOCK_MONOTONIC time mono_ns (for the timer interrupt's deadline). */
u64 clock_tsc_at(s64 mono_ns);

struct vvar;
/* The clock parameters the vDSO computes time from. */
void clock_fill_vvar(struct vvar *v);

#endif
