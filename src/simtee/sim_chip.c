/*
 * The simulated AMD secure processor's keys and certificates: made once by
 * sim_chip_init (the certificates in sim_chip_certs.c, their AMD extensions in
 * sim_chip_ext.c, the files in sim_chip_write.c), kept as files (docs/sim-tee.md),
 * loaded and cross-checked by sim_chip_load (sim_chip_load.c), and handed to guests as a
 * GHCB certificate table (sim_chip_table.c). This file holds the chip's defaults and
 * where it lives.
 */
#include "simtee/sim_chip.h"
#include "simtee/sim_chip_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * A Milan chip on SEV firmware 1.52 build 4 with the TCB of the genuine report in
 * tests/fixtures: a combination real hardware has shown, and one whose reports are
 * version 2 (firmware 1.55 and later add the CPUID fields of version 3).
 */
const struct sim_chip_params sim_chip_default_params = {
    .rsa_bits = 4096,
    .tcb = {.bootloader = 3, .tee = 0, .snp = 8, .microcode = 115},
    .fw_major = 1,
    .fw_minor = 52,
    .fw_build = 4,
};

int sim_chip_join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

const char *sim_chip_default_dir(void)
{
    static char buf[PATH_MAX];
    const char *env;
    int n;
    if ((env = getenv("CLOISTER_SIM_DIR")) != NULL && env[0] != '\0')
        n = snprintf(buf, sizeof(buf), "%s", env);
    else if ((env = getenv("XDG_DATA_HOME")) != NULL && env[0] == '/')
        n = snprintf(buf, sizeof(buf), "%s/cloister/sim", env);
    else if ((env = getenv("HOME")) != NULL && env[0] != '\0')
        n = snprintf(buf, sizeof(buf), "%s/.local/share/cloister/sim", env);
    else
        return NULL;
    return n > 0 && (size_t)n < sizeof(buf) ? buf : NULL;
}
