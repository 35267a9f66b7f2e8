/* Setting up the sim TEE for a launch (sim_tee.h). */
#include "vmm/sim_tee.h"

#include "launch/id_block.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_tee_init(struct sim_tee *t, const char *dir, const uint8_t measurement[48],
                  const uint8_t host_data[32], uint64_t policy)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->measurement, measurement, sizeof(t->measurement));
    memcpy(t->host_data, host_data, sizeof(t->host_data));
    t->policy = policy;
    /* a fresh report id per launch, as the PSP assigns one per guest */
    if (RAND_bytes(t->report_id, sizeof(t->report_id)) != 1)
        memset(t->report_id, 0, sizeof(t->report_id));
    if (!dir)
        dir = sim_chip_default_dir();
    if (!dir) {
        snprintf(t->chip_error, sizeof(t->chip_error),
                 "no directory for the simulated chip "
                 "(set HOME or CLOISTER_SIM_DIR)");
        return;
    }
    char err[200];
    if (sim_chip_load(dir, &t->chip, err, sizeof(err)) < 0) {
        snprintf(t->chip_error, sizeof(t->chip_error), "%s (run `cloister sim init`)", err);
        return;
    }
    if (sim_chip_cert_table(&t->chip, &t->certs, &t->certs_len, err, sizeof(err)) < 0) {
        snprintf(t->chip_error, sizeof(t->chip_error), "%s", err);
        sim_chip_free(&t->chip);
        return;
    }
    t->chip_loaded = true;
}

void sim_tee_free(struct sim_tee *t)
{
    if (t->chip_loaded)
        sim_chip_free(&t->chip);
    free(t->certs);
    memset(t, 0, sizeof(*t));
}

int sim_tee_check_id(struct sim_tee *t, const uint8_t *sig, size_t len, char *err, size_t err_size)
{
    if (!sig)
        return 0;
    struct id_info info;
    if (id_block_parse(sig, len, &info, err, err_size) < 0 ||
        id_block_check_launch(&info, t->measurement, t->policy, err, err_size) < 0)
        return -1;
    t->id_signed = true;
    t->author_signed = info.has_author;
    memcpy(t->id_key_digest, info.id_key_digest, sizeof(t->id_key_digest));
    memcpy(t->author_key_digest, info.author_key_digest, sizeof(t->author_key_digest));
    memcpy(t->family_id, info.block.family_id, sizeof(t->family_id));
    memcpy(t->image_id, info.block.image_id, sizeof(t->image_id));
    t->guest_svn = info.block.guest_svn;
    return 0;
}
