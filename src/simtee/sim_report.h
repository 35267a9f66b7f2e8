/*
 * The simulated secure processor's answer to a guest's MSG_REPORT_REQ: a version-2
 * SEV-SNP ATTESTATION_REPORT, filled as the AMD PSP fills it and signed with the
 * simulated chip's VCEK (see sim_chip.h). Nothing here prints.
 */
#ifndef CLOISTER_SIMTEE_SIM_REPORT_H
#define CLOISTER_SIMTEE_SIM_REPORT_H

#include "simtee/sim_chip.h"
#include "verify/snp_report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the report says about this guest and this request. */
struct sim_report_input {
    uint8_t measurement[SNP_MEASUREMENT_SIZE]; /* the launch digest the sim TEE measured */
    uint8_t report_data[SNP_REPORT_DATA_SIZE]; /* from the guest */
    uint8_t host_data[SNP_HOST_DATA_SIZE];     /* from `cloister run --host-data` */
    /*
     * Signed images (an ID block, and an author key that signed the ID key): each digest
     * is reported only when its flag is set, and zeros otherwise, as the PSP does. An
     * author key without an ID key is refused: the author key signs the ID key.
     */
    uint8_t id_key_digest[48], author_key_digest[48];
    bool id_signed, author_signed;
    /* from the ID block when id_signed, reported as the PSP does; else zeros */
    uint8_t family_id[16], image_id[16];
    uint32_t guest_svn;
    uint64_t policy;       /* the guest policy the image was launched with */
    uint32_t vmpl;         /* the VMPL the request came from, 0..3 */
    uint8_t report_id[32]; /* fixed per launch: the monitor generates it at launch */
};

/*
 * Writes to out the report the chip c signs for in: version 2; guest_svn, family and
 * image ID from the ID block (0 for an unsigned image); signature_algo ECDSA P-384/SHA-384 and
 * signing key the VCEK; current, reported, committed and launch TCB all the chip's TCB (a chip that
 * was never updated); current and committed firmware version the chip's; chip_id unmasked;
 * report_id_ma all ones (no migration agent); platform_info with SMT_EN set exactly when
 * the policy allows SMT, since a real host with SMT on could not have launched a guest
 * whose policy forbids it. Refuses (-1, a one-line reason in err) what the PSP would
 * have refused at launch or at the request: a policy sim_report_check_policy refuses; a
 * VMPL above 3; an author key without an ID key; a chip without a VCEK key. Returns 0
 * on success.
 */
/*
 * The checks the PSP makes of a guest policy at launch (SNP_LAUNCH_START), which
 * sim_report_make repeats: bit 17 set, no bit above 20 (undefined in the chip's firmware
 * 1.52), an ABI version no newer than the chip's firmware. The monitor calls it at launch,
 * so that a bad policy fails the launch, as on hardware, and not the first report
 * request. Returns 0, or -1 with a one-line reason in err.
 */
int sim_report_check_policy(const struct sim_chip *c, uint64_t policy, char *err, size_t err_size);

int sim_report_make(const struct sim_chip *c, const struct sim_report_input *in,
                    uint8_t out[SNP_REPORT_SIZE], char *err, size_t err_size);

#endif
