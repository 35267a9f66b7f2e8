/*
 * Hypercalls: requests to the monitor through this CPU's shared block (abi.h).
 *
 * The monitor is not trusted: every result is checked by the caller (hcall() returns
 * the raw value; the helpers below bound it), and data is copied out of the shared
 * buffer before it is used, never read twice.
 */
#ifndef SHIM_HCALL_H
#define SHIM_HCALL_H

#include "lib/types.h"
#include <cloister/abi.h>

/* This CPU's bounce buffer (CL_HC_DATA_SIZE bytes). */
u8 *hcall_buffer(void);
/* Makes the call; returns the monitor's ret value, unchecked. */
s64 hcall(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
/* Reads extra result i (rets[i]) of the last call. */
u64 hcall_ret(int i);

/* Writes text to the monitor's log (stderr), for trace and diagnostics. */
void hlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void hcall_exit(int status);

#endif
