/* Software-translated access to user memory; see uaccess.h for why. */
#include "uaccess.h"
#include "errno.h"
#include "lib.h"
#include "mm.h"
#include "paging.h"

/* The kernel-virtual address of user byte va, valid for the rest of its page. */
static u8 *user_byte(u64 va, bool write)
{
    if (va >= CL_USER_TOP)
        return NULL;
    u64 *pte = pte_lookup(va, false);
    if (!pte || !(*pte & PTE_P)) {
        if (!mm_fault(va, write ? ACCESS_WRITE : ACCESS_READ))
            return NULL;
        pte = pte_lookup(va, false);
        if (!pte || !(*pte & PTE_P))
            return NULL;
    }
    if (write && !(*pte & PTE_W))
        return NULL;
    return (u8 *)phys_to_virt(*pte & PTE_ADDR_MASK) + (va & (PAGE_SIZE - 1));
}

static int copy_user(u64 uaddr, void *kbuf, size_t n, bool to_user)
{
    if (uaddr + n < uaddr || uaddr + n > CL_USER_TOP)
        return -EFAULT;
    u8 *k = kbuf;
    while (n) {
        size_t chunk = MIN(n, PAGE_SIZE - (uaddr & (PAGE_SIZE - 1)));
        u8 *p = user_byte(uaddr, to_user);
        if (!p)
            return -EFAULT;
        if (to_user)
            memcpy(p, k, chunk);
        else
            memcpy(k, p, chunk);
        uaddr += chunk;
        k += chunk;
        n -= chunk;
    }
    return 0;
}

int copy_from_user(void *dst, u64 src, size_t n)
{
    return copy_user(src, dst, n, false);
}

int copy_to_user(u64 dst, const void *src, size_t n)
{
    return copy_user(dst, (void *)src, n, true);
}

int zero_user(u64 dst, size_t n)
{
    if (dst + n < dst || dst + n > CL_USER_TOP)
        return -EFAULT;
    while (n) {
        size_t chunk = MIN(n, PAGE_SIZE - (dst & (PAGE_SIZE - 1)));
        u8 *p = user_byte(dst, true);
        if (!p)
            return -EFAULT;
        memzero(p, chunk);
        dst += chunk;
        n -= chunk;
    }
    return 0;
}

long strncpy_from_user(char *dst, u64 src, size_t max)
{
    for (size_t i = 0; i < max;) {
        u8 *p = user_byte(src + i, false);
        if (!p)
            return -EFAULT;
        size_t chunk = MIN(max - i, PAGE_SIZE - ((src + i) & (PAGE_SIZE - 1)));
        for (size_t k = 0; k < chunk; k++, i++) {
            dst[i] = (char)p[k];
            if (!p[k])
                return (long)i;
        }
    }
    return -ENAMETOOLONG;
}
