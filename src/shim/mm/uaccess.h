/*
 * The one door to the workload's memory. Every pointer a system call receives goes
 * through these functions: they accept only user-half addresses, translate through the
 * page tables in software (faulting pages in as a touch would), check the page's
 * permission, and copy through the physical map. So a hostile pointer (a kernel
 * address, an unmapped or read-only page, a range that wraps) yields -EFAULT and never
 * a shim fault, in either ring.
 */
#ifndef SHIM_UACCESS_H
#define SHIM_UACCESS_H

#include "lib/types.h"

int copy_from_user(void *dst, u64 src, size_t n);
int copy_to_user(u64 dst, const void *src, size_t n);
int zero_user(u64 dst, size_t n);
/* The loader's writes into segments the workload may not write (its own pages only). */
int copy_to_user_force(u64 dst, const void *src, size_t n);
int zero_user_force(u64 dst, size_t n);
/* Atomically, against the workload's threads on every vCPU: if the aligned u32 at
 * uaddr (writable) equals old, stores new. *found gets what was there either way.
 * 0 or -EFAULT (-EINVAL when uaddr is not 4-aligned). For futexes. */
int cmpxchg_user_u32(u64 uaddr, u32 old, u32 new, u32 *found);

/* Copies a NUL-terminated string of at most max-1 bytes; its length, -EFAULT, or
 * -ENAMETOOLONG if no NUL within max bytes. */
long strncpy_from_user(char *dst, u64 src, size_t max);

#endif
