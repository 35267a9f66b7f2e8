/*
 * System calls: the table (syscall.c, filled by number, unknown numbers -ENOSYS) and
 * the implementations grouped by area in sys_*.c. Handlers take the six argument
 * registers, named per call, and return a value or -errno, as Linux's do; they never trust a
 * pointer (uaccess.h) and never run privileged instructions (arch.h), so they work in either ring.
 */
#ifndef SHIM_SYSCALL_H
#define SHIM_SYSCALL_H

#include "lib/types.h"

typedef s64 (*syscall_fn)(u64, u64, u64, u64, u64, u64);

/*
 * A handler's definition names the arguments the call takes, in register order, as
 * Linux's manual pages name them: SYSCALL3(read, fd, buf, count). Every handler has the
 * table's six-register type; the registers a call does not take are unused_N.
 */
#define SYSCALL0(name)                                                                             \
    s64 sys_##name(u64 unused_0, u64 unused_1, u64 unused_2, u64 unused_3, u64 unused_4,           \
                   u64 unused_5)
#define SYSCALL1(name, p0)                                                                         \
    s64 sys_##name(u64 p0, u64 unused_1, u64 unused_2, u64 unused_3, u64 unused_4, u64 unused_5)
#define SYSCALL2(name, p0, p1)                                                                     \
    s64 sys_##name(u64 p0, u64 p1, u64 unused_2, u64 unused_3, u64 unused_4, u64 unused_5)
#define SYSCALL3(name, p0, p1, p2)                                                                 \
    s64 sys_##name(u64 p0, u64 p1, u64 p2, u64 unused_3, u64 unused_4, u64 unused_5)
#define SYSCALL4(name, p0, p1, p2, p3)                                                             \
    s64 sys_##name(u64 p0, u64 p1, u64 p2, u64 p3, u64 unused_4, u64 unused_5)
#define SYSCALL5(name, p0, p1, p2, p3, p4)                                                         \
    s64 sys_##name(u64 p0, u64 p1, u64 p2, u64 p3, u64 p4, u64 unused_5)
#define SYSCALL6(name, p0, p1, p2, p3, p4, p5)                                                     \
    s64 sys_##name(u64 p0, u64 p1, u64 p2, u64 p3, u64 p4, u64 p5)

/* A negative errno as a return value (a u64 in -4095..-1). */
static inline bool is_err(s64 v)
{
    return v < 0 && v >= -4095;
}

/* In trace mode, a line saying why the current call fails (before the call's own). */
void syscall_trace_note(const char *why);

#define X(name) s64 sys_##name(u64, u64, u64, u64, u64, u64);
#include "kernel/syscall_list.h"
#undef X

#endif
