/* Executing the launch plan; the sim TEE's own measurement of the result. */
#include "vmm/launch.h"

#include <string.h>

#include "vmm/vcpu.h"

int launch_execute(struct vm *vm, const struct launch_plan *lp)
{
    for (size_t i = 0; i < lp->count; i++) {
        const struct launch_op *op = &lp->ops[i];
        if (op->type == SNP_PAGE_VMSA)
            continue; /* a vCPU's state, set when it is created */
        uint8_t *dst = gpa_ptr(vm, op->gpa, CL_PAGE_SIZE);
        if (!dst)
            return vm_fail(vm, "launch plan writes outside guest memory (GPA 0x%llx)",
                           (unsigned long long)op->gpa);
        /* Zero, secrets and CPUID pages start empty: guest RAM is a fresh anonymous
         * mapping, zero already, and touching it would only cost page faults. */
        if (op->type == SNP_PAGE_NORMAL)
            memcpy(dst, op->page, CL_PAGE_SIZE);
    }
    for (unsigned i = 0; i < lp->vcpus; i++)
        if (vcpu_create(vm, i, &lp->vcpu_state) < 0)
            return -1;
    return 0;
}

int launch_measure_loaded(struct vm *vm, const struct launch_plan *lp, struct snp_digest *d)
{
    snp_digest_init(d);
    unsigned vcpu = 0;
    uint8_t vmsa[CL_PAGE_SIZE];
    for (size_t i = 0; i < lp->count; i++) {
        const struct launch_op *op = &lp->ops[i];
        const uint8_t *page = NULL;
        if (op->type == SNP_PAGE_NORMAL) {
            page = gpa_ptr(vm, op->gpa, CL_PAGE_SIZE);
            if (!page)
                return vm_fail(vm, "measured page outside guest memory");
        } else if (op->type == SNP_PAGE_ZERO) {
            /* the secure processor guarantees these read as zero: so must we */
            const uint8_t *z = gpa_ptr(vm, op->gpa, CL_PAGE_SIZE);
            for (size_t k = 0; z && k < CL_PAGE_SIZE; k++)
                if (z[k])
                    return vm_fail(vm, "sim: page at GPA 0x%llx should be zero",
                                   (unsigned long long)op->gpa);
        } else if (op->type == SNP_PAGE_VMSA) {
            struct cl_vcpu_init s;
            if (vcpu >= vm->nr_vcpus || vcpu_read_state(vm->vcpus[vcpu++], &s) < 0)
                return vm_fail(vm, "cannot read a vCPU's state to measure it");
            launch_vmsa_page(&s, vmsa);
            page = vmsa;
        }
        snp_digest_add_page(d, op->gpa, op->type, page);
    }
    return 0;
}
