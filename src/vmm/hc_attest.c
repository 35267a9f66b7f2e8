/*
 * The sim TEE's secure processor answering the guest's report requests (CL_HC_ATTEST):
 * a real SEV-SNP ATTESTATION_REPORT over the launch digest the sim measured from guest
 * memory (never the one the plan predicted), the guest's report data, the image's
 * policy and the host data given at run, signed by the simulated chip's VCEK. The
 * chip's keys stay in this process; the guest only ever sees reports and certificates.
 */
#include <errno.h>
#include <string.h>

#include <stdio.h>

#include "simtee/sim_report.h"
#include "vmm/hypercall.h"
#include "vmm/sim_tee.h"

int hc_attest(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    struct sim_tee *tee = vm->sim;
    if (!tee) {
        c->ret = -ENODEV; /* no secure processor without a TEE */
        return 0;
    }
    if (!tee->chip_loaded) {
        if (!tee->warned)
            fprintf(stderr, "cloister: sim: attestation report refused: %s\n", tee->chip_error);
        tee->warned = true;
        c->ret = -EIO;
        return 0;
    }
    uint64_t vmpl = c->req.args[0];
    if (vmpl > 3) {
        c->ret = -EINVAL;
        return 0;
    }
    struct sim_report_input in;
    memset(&in, 0, sizeof(in));
    memcpy(in.measurement, tee->measurement, sizeof(in.measurement));
    memcpy(in.report_data, c->data, sizeof(in.report_data)); /* copied once */
    memcpy(in.host_data, tee->host_data, sizeof(in.host_data));
    memcpy(in.report_id, tee->report_id, sizeof(in.report_id));
    in.policy = tee->policy;
    in.id_signed = tee->id_signed;
    in.author_signed = tee->author_signed;
    memcpy(in.id_key_digest, tee->id_key_digest, sizeof(in.id_key_digest));
    memcpy(in.author_key_digest, tee->author_key_digest, sizeof(in.author_key_digest));
    memcpy(in.family_id, tee->family_id, sizeof(in.family_id));
    memcpy(in.image_id, tee->image_id, sizeof(in.image_id));
    in.guest_svn = tee->guest_svn;
    in.vmpl = (uint32_t)vmpl;
    uint8_t report[1184];
    char err[256];
    if (sim_report_make(&tee->chip, &in, report, err, sizeof(err)) < 0)
        return vm_fail(vm, "sim: %s", err);
    memcpy(c->data, report, sizeof(report));
    c->rets[0] = 0;
    if (c->req.args[1]) {
        if (tee->certs_len > CL_HC_DATA_SIZE - sizeof(report))
            return vm_fail(vm, "sim: certificate table too large");
        memcpy(c->data + sizeof(report), tee->certs, tee->certs_len);
        c->rets[0] = tee->certs_len;
    }
    c->ret = 0;
    return 0;
}
