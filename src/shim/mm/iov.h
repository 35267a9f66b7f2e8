/* Scatter-gather lists of user buffers, as readv/writev pass them; read and write are
 * one-element lists. File kinds move data straight between these and their storage. */
#ifndef SHIM_IOV_H
#define SHIM_IOV_H

#include "lib/types.h"

struct linux_iovec {
    u64 base;
    u64 len;
};

#define IOV_MAX 1024

/* Or'ed into a list's count by kernel code only (sendfile's bounce buffer): the list
 * names kernel buffers, copied with memcpy rather than through uaccess.h. A count that
 * comes from the workload is always checked against IOV_MAX (or UIO_MAXIOV) first, so
 * the workload can never set it. File kinds pass the count on untouched. */
#define IOV_KERNEL 0x80000000u

u64 iov_total(const struct linux_iovec *iov, unsigned cnt);
/* Copies n bytes starting skip bytes into the list; 0 or -EFAULT. */
int iov_copy_out(void *dst, const struct linux_iovec *iov, unsigned cnt, u64 skip, u64 n);
int iov_copy_in(const struct linux_iovec *iov, unsigned cnt, u64 skip, const void *src, u64 n);

#endif
