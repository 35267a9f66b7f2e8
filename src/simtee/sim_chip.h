/*
 * The simulated AMD secure processor of `--tee sim`: a chip made once on this host (an
 * ARK and an ASK, RSA-4096, and a P-384 VCEK carrying AMD's VCEK extensions for the
 * chip's ID and TCB), kept in a directory, and loaded by whoever signs reports with it.
 *
 * Its reports are real SEV-SNP ATTESTATION_REPORTs and its certificates follow AMD's
 * profile exactly, so the relying party's verifier runs unchanged; only the root is
 * different, and no verifier trusts it unless told to (`cloister verify --trust sim`).
 * The directory layout is documented in docs/sim-tee.md. Nothing here prints.
 */
#ifndef CLOISTER_SIMTEE_SIM_CHIP_H
#define CLOISTER_SIMTEE_SIM_CHIP_H

#include "verify/snp_report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The files of a chip directory. Certificates are PEM, keys PKCS#8 PEM (unencrypted). */
#define SIM_CHIP_ARK_CERT  "ark.pem"
#define SIM_CHIP_ASK_CERT  "ask.pem"
#define SIM_CHIP_VCEK_CERT "vcek.pem"
#define SIM_CHIP_ARK_KEY   "ark.key"
#define SIM_CHIP_ASK_KEY   "ask.key"
#define SIM_CHIP_VCEK_KEY  "vcek.key"
#define SIM_CHIP_JSON      "chip.json"

/* sim_chip_init's result when the directory already holds a chip and force is false. */
#define SIM_CHIP_EXISTS (-2)

/* One GHCB certificate table entry: a GUID, then offset and length (little-endian). */
#define SIM_CERT_TABLE_ENTRY_SIZE 24

/*
 * A loaded chip. Only the VCEK's private key is loaded: signing reports needs nothing
 * else, and a monitor that never holds the ARK or ASK keys cannot mint another chip.
 */
struct sim_chip {
    X509 *ark, *ask, *vcek;
    EVP_PKEY *vcek_key;
    uint8_t chip_id[SNP_CHIP_ID_SIZE];
    uint64_t reported_tcb; /* TCB_VERSION (Milan/Genoa layout) the VCEK was made for */
    /* The firmware version the chip reports as current and committed. */
    uint8_t fw_major, fw_minor, fw_build;
};

/* How to make a chip. sim_chip_init uses sim_chip_default_params. */
struct sim_chip_params {
    /*
     * RSA size of the ARK and ASK. AMD's are 4096 bits, and so are `cloister sim init`'s;
     * tests that make many chips use 2048 because a 4096-bit key takes seconds to find.
     */
    unsigned rsa_bits;
    struct snp_tcb tcb; /* the TCB the chip reports, and its VCEK certifies */
    uint8_t fw_major, fw_minor, fw_build;
};

extern const struct sim_chip_params sim_chip_default_params;

/*
 * Where the chip lives by default: $CLOISTER_SIM_DIR if set, else
 * $XDG_DATA_HOME/cloister/sim (when XDG_DATA_HOME is absolute, as the XDG base
 * directory specification requires), else $HOME/.local/share/cloister/sim. Returns a
 * static buffer (overwritten by the next call), or NULL when none of these is set.
 */
const char *sim_chip_default_dir(void);

/*
 * Makes a new chip in dir (NULL: the default directory): creates dir and its parents
 * (mode 0700), makes dir itself 0700 if it was looser, generates the keys, the chip ID
 * (64 random bytes) and the certificates, and writes the files: private keys 0600,
 * certificates and chip.json 0644. Each file is written under a temporary name and
 * renamed, chip.json last. Refuses with SIM_CHIP_EXISTS, touching nothing, when any
 * chip file already exists and force is false; with force they are replaced. Returns
 * 0, SIM_CHIP_EXISTS, or -1 with a one-line reason in err.
 */
int sim_chip_init(const char *dir, bool force, char *err, size_t err_size);
int sim_chip_init_with(const char *dir, bool force, const struct sim_chip_params *p, char *err,
                       size_t err_size);

/*
 * Loads the chip in dir (NULL: the default directory) into *c, and checks that its
 * files belong together: the ARK is self-signed, the ASK signed by the ARK, the VCEK by
 * the ASK, vcek.key is the VCEK's private key, and the VCEK's hwID and TCB extensions
 * are chip.json's chip ID and TCB. Returns 0, or -1 with err naming the file at fault;
 * on failure *c is left empty (sim_chip_free is harmless on it).
 */
int sim_chip_load(const char *dir, struct sim_chip *c, char *err, size_t err_size);

/* Frees what *c holds and zeroes it. Safe on a zeroed or already freed chip. */
void sim_chip_free(struct sim_chip *c);

/*
 * The certificate table the host hands a guest with an extended report (GHCB
 * specification, SNP extended guest request; Linux's SNP_GET_EXT_REPORT passes it on
 * unchanged): entries of SIM_CERT_TABLE_ENTRY_SIZE bytes, {GUID in its string's byte
 * order, offset, length} with offsets from the start of the table, for the VCEK, ASK
 * and ARK in that order; an all-zero entry ends the table; then the DER certificates.
 * Sets *out to a malloc'd buffer (the caller frees it) and *len. Returns 0 or -1.
 */
int sim_chip_cert_table(const struct sim_chip *c, uint8_t **out, size_t *len, char *err,
                        size_t err_size);

/* The SHA-256 fingerprint of the ARK's DER encoding, as 64 hex digits. Returns 0 or -1. */
int sim_chip_ark_fingerprint(const struct sim_chip *c, char hex[65]);

#endif
