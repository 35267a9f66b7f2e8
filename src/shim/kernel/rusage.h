/* Resource usage: CPU time per task, process and reaped children (kernel/sys_rusage.c). */
#ifndef SHIM_RUSAGE_H
#define SHIM_RUSAGE_H

#include "lib/types.h"

/* Writes a struct rusage with cpu_ns as its user time (the shim does not tell a
 * task's user time from the time the shim spends for it) and maxrss_kib. */
int rusage_to_user(u64 uaddr, s64 cpu_ns, u64 maxrss_kib);

#endif
