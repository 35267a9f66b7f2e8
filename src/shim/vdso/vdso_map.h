/* The vDSO in the workload's address space (AT_SYSINFO_EHDR). */
#ifndef SHIM_VDSO_MAP_H
#define SHIM_VDSO_MAP_H

#include "lib/types.h"

/* Maps vvar and the vDSO; the vDSO's address, or 0 if it could not be mapped. */
u64 vdso_map(void);

#endif
