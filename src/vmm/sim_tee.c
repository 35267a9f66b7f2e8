/* Setting up the sim TEE for a launch (sim_tee.h). */
#include "vmm/sim_tee.h"

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
