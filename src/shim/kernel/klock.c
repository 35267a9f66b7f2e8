/* The kernel lock (klock.h): a test-and-test-and-set spin lock. While it spins, the CPU
 * lets interrupts in (arch_spin_relax), so that another CPU which holds the lock and
 * waits for this one to flush its TLB is not waited on in turn. */
#include "kernel/klock.h"
#include "arch/x86/arch.h"
#include "arch/x86/tlb.h"

static volatile u32 locked;

void kernel_lock(void)
{
    for (;;) {
        if (!__atomic_exchange_n(&locked, 1, __ATOMIC_ACQUIRE))
            return;
        while (__atomic_load_n(&locked, __ATOMIC_RELAXED))
            arch_spin_relax();
    }
}

void kernel_unlock(void)
{
    __atomic_store_n(&locked, 0, __ATOMIC_RELEASE);
}

void kernel_enter(void)
{
    kernel_lock();
    tlb_user_left();
}

void kernel_exit(void)
{
    tlb_user_return();
    kernel_unlock();
}
