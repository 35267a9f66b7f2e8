/*
 * System calls: the table (syscall.c, filled by number, unknown numbers -ENOSYS) and
 * the implementations grouped by area in sys_*.c. Handlers take the six raw argument
 * registers and return a value or -errno, as Linux's do; they never trust a pointer
 * (uaccess.h) and never run privileged instructions (arch.h), so they work in either
 * ring.
 */
#ifndef SHIM_SYSCALL_H
#define SHIM_SYSCALL_H

#include "lib/types.h"

#define SYSCALL(name) s64 sys_##name(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
typedef s64 (*syscall_fn)(u64, u64, u64, u64, u64, u64);

/* A negative errno as a return value (a u64 in -4095..-1). */
static inline bool is_err(s64 v)
{
    return v < 0 && v >= -4095;
}

#define X(name) SYSCALL(name);
#include "kernel/syscall_list.h"
#undef X

#endif
