/*
 * The page the shim shares read-only with the vDSO: the clock parameters. Shared by
 * the shim (which fills it once at boot) and the vDSO (which reads it in user mode).
 */
#ifndef SHIM_VDSO_VVAR_H
#define SHIM_VDSO_VVAR_H

#include <stdint.h>

struct vvar {
    uint64_t tsc_mult; /* ns = (tsc - boot_tsc) * tsc_mult >> 32 */
    uint64_t boot_tsc;
    int64_t boot_mono; /* CLOCK_MONOTONIC at boot_tsc, ns */
    int64_t boot_real; /* CLOCK_REALTIME at boot_tsc, ns */
    uint64_t reserved[4];
};

#endif
