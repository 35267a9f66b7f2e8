/* Software-translated access to user memory; see uaccess.h for why. */
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "mm/mm.h"
#include "arch/x86/paging.h"

enum access { READ, WRITE, FORCE_WRITE };

static int zero_user_how(u64 dst, size_t n, enum access how);

/* The kernel-virtual address of user byte va, valid for the rest of its page.
 * FORCE_WRITE writes where the workload may only read (the loader filling a read-only
 * segment): the page is faulted in for reading, and must be the mapping's own. */
static u8 *user_byte(u64 va, enum access how)
{
    if (va >= CL_USER_TOP)
        return NULL;
    u64 root = mm_current()->pgd;
    u64 *pte = pte_lookup(root, va, false);
    if (!pte || !(*pte & PTE_P)) {
        if (!mm_fault(va, how == WRITE ? ACCESS_WRITE : ACCESS_READ))
            return NULL;
        pte = pte_lookup(root, va, false);
        if (!pte || !(*pte & PTE_P))
            return NULL;
    }
    if (how != READ && (*pte & PTE_COW)) {
        if (!mm_unshare(va))
            return NULL;
        pte = pte_lookup(root, va, false);
    }
    if ((how == WRITE && !(*pte & PTE_W)) || (how == FORCE_WRITE && (*pte & PTE_CACHE)))
        return NULL;
    return (u8 *)phys_to_virt(*pte & PTE_ADDR_MASK) + (va & (PAGE_SIZE - 1));
}

static int copy_user(u64 uaddr, void *kbuf, size_t n, enum access how)
{
    bool to_user = how != READ;
    if (uaddr + n < uaddr || uaddr + n > CL_USER_TOP)
        return -EFAULT;
    u8 *k = kbuf;
    while (n) {
        size_t chunk = MIN(n, PAGE_SIZE - (uaddr & (PAGE_SIZE - 1)));
        u8 *p = user_byte(uaddr, how);
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

int cmpxchg_user_u32(u64 uaddr, u32 old, u32 new, u32 *found)
{
    if (uaddr & 3)
        return -EINVAL;
    u32 *p = (u32 *)user_byte(uaddr, WRITE); /* aligned: within one page */
    if (!p)
        return -EFAULT;
    *found = old;
    __atomic_compare_exchange_n(p, found, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return 0;
}

int copy_from_user(void *dst, u64 src, size_t n)
{
    return copy_user(src, dst, n, READ);
}

int copy_to_user(u64 dst, const void *src, size_t n)
{
    return copy_user(dst, (void *)src, n, WRITE);
}

int copy_to_user_force(u64 dst, const void *src, size_t n)
{
    return copy_user(dst, (void *)src, n, FORCE_WRITE);
}

int zero_user(u64 dst, size_t n)
{
    return zero_user_how(dst, n, WRITE);
}

int zero_user_force(u64 dst, size_t n)
{
    return zero_user_how(dst, n, FORCE_WRITE);
}

static int zero_user_how(u64 dst, size_t n, enum access how)
{
    if (dst + n < dst || dst + n > CL_USER_TOP)
        return -EFAULT;
    while (n) {
        size_t chunk = MIN(n, PAGE_SIZE - (dst & (PAGE_SIZE - 1)));
        u8 *p = user_byte(dst, how);
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
        u8 *p = user_byte(src + i, READ);
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
