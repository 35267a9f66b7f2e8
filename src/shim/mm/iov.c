/* Copies between kernel buffers and user scatter-gather lists (or, with IOV_KERNEL,
 * kernel ones). */
#include "mm/iov.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "mm/uaccess.h"

u64 iov_total(const struct linux_iovec *iov, unsigned cnt)
{
    cnt &= ~IOV_KERNEL;
    u64 t = 0;
    for (unsigned i = 0; i < cnt; i++)
        t += iov[i].len;
    return t;
}

static int iov_copy(const struct linux_iovec *iov, unsigned cnt, u64 skip, u8 *k, u64 n,
                    bool to_user)
{
    bool kernel = cnt & IOV_KERNEL;
    cnt &= ~IOV_KERNEL;
    for (unsigned i = 0; i < cnt && n; i++) {
        if (skip >= iov[i].len) {
            skip -= iov[i].len;
            continue;
        }
        u64 k_len = MIN(iov[i].len - skip, n);
        if (kernel) {
            u8 *b = (u8 *)iov[i].base + skip;
            memcpy(to_user ? b : k, to_user ? k : b, k_len);
        } else if (to_user ? copy_to_user(iov[i].base + skip, k, k_len)
                           : copy_from_user(k, iov[i].base + skip, k_len)) {
            return -EFAULT;
        }
        k += k_len;
        n -= k_len;
        skip = 0;
    }
    return 0;
}

int iov_copy_out(void *dst, const struct linux_iovec *iov, unsigned cnt, u64 skip, u64 n)
{
    return iov_copy(iov, cnt, skip, dst, n, false);
}

int iov_copy_in(const struct linux_iovec *iov, unsigned cnt, u64 skip, const void *src, u64 n)
{
    return iov_copy(iov, cnt, skip, (u8 *)src, n, true);
}
