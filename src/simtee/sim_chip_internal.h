/*
 * What the chip's files (sim_chip.c, sim_chip_ext.c, sim_chip_certs.c, sim_chip_write.c,
 * sim_chip_load.c, sim_chip_table.c) share among themselves and no one else: the VCEK's
 * extensions, which making and loading must agree on byte for byte, and a chip being made
 * before it is written. Everyone else's interface is sim_chip.h.
 */
#ifndef CLOISTER_SIMTEE_SIM_CHIP_INTERNAL_H
#define CLOISTER_SIMTEE_SIM_CHIP_INTERNAL_H

#include "simtee/sim_chip.h"

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* chip.json's "format": written by sim_chip_certs.c, required by sim_chip_load.c. */
#define CHIP_JSON_FORMAT 1

/* AMD's VCEK extensions (AMD KDS specification), in the order AMD's certificates hold them. */
enum vcek_ext {
    EXT_STRUCT_VERSION,
    EXT_PRODUCT_NAME,
    EXT_BL_SPL,
    EXT_TEE_SPL,
    EXT_SPL_4,
    EXT_SPL_5,
    EXT_SPL_6,
    EXT_SPL_7,
    EXT_SNP_SPL,
    EXT_UCODE_SPL,
    EXT_HWID,
    EXT_COUNT
};

/* sim_chip_ext.c: each extension's OID, in dotted form. */
extern const char *const sim_chip_ext_oid[EXT_COUNT];

/* An extension's value: the DER bytes inside its OCTET STRING. */
struct ext_value {
    unsigned char der[SNP_CHIP_ID_SIZE];
    int len;
};

/* Everything a new chip is made of, before it is written. */
struct new_chip {
    EVP_PKEY *ark_key, *ask_key, *vcek_key;
    X509 *ark, *ask, *vcek;
    json_t *json;
};

/* sim_chip.c: out = "dir/name"; -1 when it does not fit in size. */
int sim_chip_join(char *out, size_t size, const char *dir, const char *name);

/*
 * sim_chip_ext.c: the values of the VCEK's extensions for a chip: the same bytes
 * sim_chip_init writes and sim_chip_load expects. Returns 0 or -1.
 */
int sim_chip_ext_values(const uint8_t chip_id[SNP_CHIP_ID_SIZE], uint64_t reported_tcb,
                        struct ext_value v[EXT_COUNT]);

/* sim_chip_certs.c: generates the keys, the chip ID, the certificates and chip.json into
 * *n; -1 with err filled (what it made so far is left for sim_chip_certs_free). */
int sim_chip_certs_make(const struct sim_chip_params *p, struct new_chip *n, char *err,
                        size_t err_size);
/* sim_chip_certs.c: frees what *n holds. */
void sim_chip_certs_free(struct new_chip *n);

#endif
