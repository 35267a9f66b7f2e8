/* Which CPU, and making every CPU see memory the same: getcpu and membarrier. */
#include "arch/x86/arch.h"
#include "arch/x86/tlb.h"
#include "kernel/process.h"
#include "mm/mm.h"
#include "kernel/syscall.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"

SYSCALL3(getcpu, cpu, node, cache)
{
    u32 id = this_cpu()->cpu_id, zero = 0; /* one NUMA node */
    if (cpu && copy_to_user(cpu, &id, sizeof(id)))
        return -EFAULT;
    if (node && copy_to_user(node, &zero, sizeof(zero)))
        return -EFAULT;
    return 0;
}

#define MEMBARRIER_CMD_QUERY                                0
#define MEMBARRIER_CMD_GLOBAL                               (1 << 0)
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED                     (1 << 1)
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED            (1 << 2)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED                    (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED           (1 << 4)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE          (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define SUPPORTED                                                                                  \
    (MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED |                                     \
     MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED | MEMBARRIER_CMD_PRIVATE_EXPEDITED |                 \
     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED | MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE |      \
     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE)

/*
 * Every CPU that runs the workload's code gets an interrupt and is waited for (the TLB
 * shootdown's: an interrupt serialises the CPU, which is both a full barrier and the
 * core serialisation SYNC_CORE asks for); the others are in the shim, behind the
 * kernel lock, or idle. The rseq commands are EINVAL: rseq is not implemented.
 */
SYSCALL3(membarrier, cmd, flags, cpu_id)
{
    struct process *p = current_process();
    if (flags)
        return -EINVAL;
    switch (cmd) {
    case MEMBARRIER_CMD_QUERY:
        return SUPPORTED;
    case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
    case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
    case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
        p->membarrier_registered |= (u32)cmd;
        return 0;
    case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
        if (!(p->membarrier_registered & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
            return -EPERM;
        break;
    case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
        if (!(p->membarrier_registered & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE))
            return -EPERM;
        break;
    case MEMBARRIER_CMD_GLOBAL:
    case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
        break;
    default:
        return -EINVAL;
    }
    tlb_shootdown(p->mm->pgd); /* interrupts the CPUs running its threads */
    return 0;
}
