/*
 * The sim TEE's state for one launch: what the simulated secure processor knows (the
 * digest it measured, the launch's policy, host data and report id) and the chip that
 * signs its reports. The chip is loaded at launch; without one (`cloister sim init` not
 * run), the launch still runs and report requests fail with one line saying why.
 */
#ifndef CLOISTER_VMM_SIM_TEE_H
#define CLOISTER_VMM_SIM_TEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simtee/sim_chip.h"

struct sim_tee {
    struct sim_chip chip;
    bool chip_loaded;
    bool warned;
    char chip_error[256];
    uint8_t measurement[48];
    uint8_t host_data[32];
    uint8_t report_id[32];
    uint64_t policy;
    /* a signed image's ID block, checked at launch (sim_tee_check_id) */
    bool id_signed, author_signed;
    uint8_t id_key_digest[48], author_key_digest[48];
    uint8_t family_id[16], image_id[16];
    uint32_t guest_svn;
    uint8_t *certs; /* the GHCB certificate table of the chip */
    size_t certs_len;
};

/* Loads the chip from dir (NULL: the default) and fills the launch's fixed values. */
void sim_tee_init(struct sim_tee *t, const char *dir, const uint8_t measurement[48],
                  const uint8_t host_data[32], uint64_t policy);
void sim_tee_free(struct sim_tee *t);

/*
 * What the PSP checks at SNP_LAUNCH_FINISH for an image's SIGNATURE section (sig, len;
 * NULL for an unsigned image: nothing to check): the ID block's and the author's
 * signatures, and that the ID block's digest and policy are this launch's. On success
 * the reports carry its key digests, family and image ID and SVN. 0, or -1 with one line.
 */
int sim_tee_check_id(struct sim_tee *t, const uint8_t *sig, size_t len, char *err, size_t err_size);

#endif
