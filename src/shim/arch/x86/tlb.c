/* TLB shootdown (tlb.h). */
#include "arch/x86/tlb.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"

static struct percpu *online[CL_MAX_VCPUS];
static u32 nr_online;
static u64 generation; /* of shootdowns; under the kernel lock */

void tlb_cpu_online(u32 id, struct percpu *p)
{
    online[id] = p;
    if (id + 1 > nr_online)
        nr_online = id + 1;
}

static void flush_local(void)
{
    arch_flush_tlb_local();
}

void tlb_user_return(void)
{
    struct percpu *p = this_cpu();
    if (p->tlb_stale) {
        p->tlb_stale = false;
        flush_local();
    }
    __atomic_store_n(&p->in_user, true, __ATOMIC_SEQ_CST);
}

void tlb_user_left(void)
{
    __atomic_store_n(&this_cpu()->in_user, false, __ATOMIC_SEQ_CST);
}

void tlb_interrupt(void)
{
    struct percpu *p = this_cpu();
    flush_local();
    __atomic_store_n(&p->tlb_done, __atomic_load_n(&generation, __ATOMIC_ACQUIRE),
                     __ATOMIC_RELEASE);
}

void tlb_shootdown(u64 root)
{
    if (nr_online < 2)
        return;
    struct percpu *me = this_cpu();
    u64 gen = __atomic_add_fetch(&generation, 1, __ATOMIC_SEQ_CST);
    bool sent[CL_MAX_VCPUS] = {0};
    for (u32 i = 0; i < nr_online; i++) {
        struct percpu *p = online[i];
        if (!p || p == me || p->loaded_root != root)
            continue;
        /* stale first, then the look at in_user: a CPU on its way back to user mode
         * either sees the mark or is seen there (both sides are sequentially ordered) */
        p->tlb_stale = true;
        if (__atomic_load_n(&p->in_user, __ATOMIC_SEQ_CST)) {
            lapic_send_ipi(i, VEC_TLB);
            sent[i] = true;
        }
    }
    for (u32 i = 0; i < nr_online; i++)
        while (sent[i] && __atomic_load_n(&online[i]->tlb_done, __ATOMIC_ACQUIRE) < gen)
            __asm__ volatile("pause");
}
