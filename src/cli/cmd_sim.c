/* `cloister sim`: makes the simulated AMD secure processor of `--tee sim`, and shows it. */
#include "cli/sim_commands.h"

#include "simtee/sim_chip.h"
#include "common/hex.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Prefixed: tests compile this file together with cmd_verify.c into one program. */
#define SIM_EXIT_OK     0
#define SIM_EXIT_FAILED 1
#define SIM_EXIT_USAGE  2

static const char sim_usage_text[] =
    "usage: cloister sim init [DIR] [--force]\n"
    "          make a simulated AMD secure processor (ARK, ASK, VCEK, chip ID) in DIR;\n"
    "          --force replaces the chip already there\n"
    "       cloister sim show [DIR]\n"
    "          print its chip ID, TCB and the ARK's SHA-256 fingerprint\n"
    "DIR defaults to $CLOISTER_SIM_DIR, else $XDG_DATA_HOME/cloister/sim, else\n"
    "$HOME/.local/share/cloister/sim. See docs/sim-tee.md.\n";

/* Prints "cloister: sim: <why>" and the usage on stderr; returns the usage status. */
__attribute__((format(printf, 1, 2))) static int sim_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cloister: sim: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", sim_usage_text);
    return SIM_EXIT_USAGE;
}

/* Loads the chip in dir and prints what a relying party needs to know of it. */
static int sim_print_chip(const char *dir)
{
    struct sim_chip c;
    char err[512], id[2 * SNP_CHIP_ID_SIZE + 1], fp[65];
    if (sim_chip_load(dir, &c, err, sizeof(err)) != 0) {
        fprintf(stderr, "cloister: sim: %s\n", err);
        return SIM_EXIT_FAILED;
    }
    struct snp_tcb t = snp_tcb_decode(c.reported_tcb);
    hex_encode(c.chip_id, sizeof(c.chip_id), id);
    if (sim_chip_ark_fingerprint(&c, fp) != 0)
        snprintf(fp, sizeof(fp), "(unavailable)");
    printf("simulated chip in %s\n", dir);
    printf("  chip_id      %s\n", id);
    printf("  reported_tcb bl=%u tee=%u snp=%u ucode=%u (0x%016llx)\n", t.bootloader, t.tee, t.snp,
           t.microcode, (unsigned long long)c.reported_tcb);
    printf("  firmware     %u.%u build %u\n", c.fw_major, c.fw_minor, c.fw_build);
    printf("  ark_sha256   %s\n", fp);
    fflush(stdout);
    sim_chip_free(&c);
    return SIM_EXIT_OK;
}

/*
 * Parses "[DIR] [--force]" (in any order; "--" ends the options) after the action's
 * name. Returns -1 to go on with *dir set (the default when not given), or a status.
 */
static int sim_parse(int argc, char **argv, bool allow_force, const char **dir, bool *force)
{
    bool options = true;
    *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) {
            options = false;
        } else if (options && allow_force && strcmp(a, "--force") == 0) {
            *force = true;
        } else if (options && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            fputs(sim_usage_text, stdout);
            return SIM_EXIT_OK;
        } else if (options && a[0] == '-') {
            return sim_usage("unknown option '%s'", a);
        } else if (*dir != NULL) {
            return sim_usage("unexpected argument '%s'", a);
        } else {
            *dir = a;
        }
    }
    if (*dir == NULL && (*dir = sim_chip_default_dir()) == NULL) {
        fprintf(stderr, "cloister: sim: no directory for the simulated chip: give DIR, or set "
                        "CLOISTER_SIM_DIR or HOME\n");
        return SIM_EXIT_FAILED;
    }
    return -1;
}

static int sim_init(int argc, char **argv)
{
    const char *dir;
    bool force = false;
    char err[512];
    int rc = sim_parse(argc, argv, true, &dir, &force);
    if (rc >= 0)
        return rc;
    rc = sim_chip_init(dir, force, err, sizeof(err));
    if (rc == SIM_CHIP_EXISTS) {
        fprintf(stderr, "cloister: sim: %s; --force replaces it\n", err);
        return SIM_EXIT_FAILED;
    }
    if (rc != 0) {
        fprintf(stderr, "cloister: sim: %s\n", err);
        return SIM_EXIT_FAILED;
    }
    /* Showing the new chip also loads it back, which checks what was written. */
    return sim_print_chip(dir);
}

static int sim_show(int argc, char **argv)
{
    const char *dir;
    bool force = false;
    int rc = sim_parse(argc, argv, false, &dir, &force);
    return rc >= 0 ? rc : sim_print_chip(dir);
}

int cmd_sim(int argc, char **argv)
{
    if (argc < 2)
        return sim_usage("an action is required: init or show");
    const char *action = argv[1];
    if (strcmp(action, "init") == 0)
        return sim_init(argc - 1, argv + 1);
    if (strcmp(action, "show") == 0)
        return sim_show(argc - 1, argv + 1);
    if (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0 || strcmp(action, "help") == 0) {
        fputs(sim_usage_text, stdout);
        return SIM_EXIT_OK;
    }
    return sim_usage("unknown action '%s'", action);
}
