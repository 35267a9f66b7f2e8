/*
 * The shim's checks of what the host answers (docs/iago.md): pure functions over the
 * values of abi.h, with no other dependency, so that the same file builds freestanding
 * into the shim and hosted into the fuzz target tests/fuzz/fuzz_shim_checks.c.
 *
 * The contract: an answer outside what the ABI allows is no answer an honest monitor
 * gives, so the caller panics with one line naming it (status 125) rather than pass
 * any part of it on. An answer inside it may still be an honest host's (a short read,
 * an early wake-up) and is handled as such.
 */
#ifndef SHIM_KERNEL_HOST_CHECKS_H
#define SHIM_KERNEL_HOST_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include <cloister/abi.h>

/* Linux's highest error number: -1..-HC_MAX_ERRNO are errors, anything lower is not. */
#define HC_MAX_ERRNO 4095

/* Bounds on the boot info's clocks: 100 MHz..20 GHz of TSC, and clocks no later than
 * 2^62 ns (year 2116) so that adding a run's uptime cannot overflow them. */
#define HC_TSC_HZ_MIN   100000000ull
#define HC_TSC_HZ_MAX   20000000000ull
#define HC_CLOCK_NS_MAX (1ll << 62)

/* The flags the shim knows, in boot_info.flags and cl_host_stat.fl_flags. */
#define HC_BOOT_FLAGS_KNOWN (CL_BOOT_TRACE | CL_BOOT_STATS | CL_BOOT_PVM_TRAP)
#define HC_STAT_FL_KNOWN    0x00000c03u /* O_ACCMODE, O_APPEND, O_NONBLOCK */

/* A count for a request of `asked` bytes (read, write, send, recv): 0..asked, or an
 * error -1..-HC_MAX_ERRNO. */
bool hc_count_ok(int64_t r, uint64_t asked);
/* The answer of a call that returns 0 or an error (stat, ioctl, attest, close). */
bool hc_status_ok(int64_t r);
/* The new position after an lseek of `off` with `whence` (Linux's SEEK_*): a position
 * (exactly `off` for SEEK_SET, at least `off` for SEEK_DATA and SEEK_HOLE), or an error. */
bool hc_seek_ok(int64_t r, int64_t off, uint32_t whence);
/* A connection handle: 0..max-1, or an error. */
bool hc_handle_ok(int64_t r, uint64_t max);

/* What CL_HC_FD_STAT returned: NULL if it is a stat Linux could give, else what is
 * wrong with it. */
const char *hc_stat_check(const struct cl_host_stat *st);

/* The 512-byte blocks of a file of `size` bytes (size >= 0), without the overflow of
 * (size + 511) / 512 near INT64_MAX, a size Linux allows and a host may claim. */
int64_t hc_blocks_512(int64_t size);

/*
 * The boot info on its own (the manifest's agreement is the caller's to check): NULL
 * if every field is within its documented bounds, else what is wrong. mem_min is the
 * least RAM the shim needs; tsc_now the TSC read after the boot info was copied (the
 * host read boot_tsc before the guest ran, so it cannot be later).
 */
const char *hc_boot_info_check(const struct cl_boot_info *b, uint64_t mem_min, uint64_t tsc_now);
/* The extra argument strings: exactly `argc` NUL-terminated strings in `size` bytes. */
bool hc_args_ok(const char *args, uint64_t size, uint32_t argc);

#endif
