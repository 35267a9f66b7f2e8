/* RDRAND/RDSEED. Both run natively in ring 3 and are emulated in ring 0 on PVM. */
#include "arch/x86/random.h"
#include "lib/lib.h"
#include "kernel/panic.h"

static bool rdrand(u64 *v)
{
    bool ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
    return ok;
}

static bool rdseed(u64 *v)
{
    bool ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
    return ok;
}

u64 random_u64(void)
{
    u64 v;
    /* Intel's guidance: 10 retries make a transient underflow vanishingly unlikely */
    for (int i = 0; i < 10; i++)
        if (rdrand(&v))
            return v;
    for (int i = 0; i < 100; i++)
        if (rdseed(&v))
            return v;
    panic("the CPU's random number generator failed");
}

void random_fill(void *buf, size_t n)
{
    u8 *p = buf;
    while (n) {
        u64 v = random_u64();
        size_t k = MIN(n, sizeof(v));
        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
}
