/*
 * Signed images: the SEV-SNP ID block and its ID authentication information, as
 * SNP_LAUNCH_FINISH takes them (AMD SEV-SNP Firmware ABI, "SNP_LAUNCH_FINISH"; the same
 * layouts as Linux's struct kvm_sev_snp_launch_finish inputs and QEMU's sev_id_block /
 * sev_id_authentication). An image's optional SIGNATURE section holds exactly the
 * 0x60-byte ID block followed by the 0x1000-byte ID_AUTH_INFO.
 *
 * `cloister build` makes it (id_block_sign), `inspect` shows it and the monitor checks
 * it at a sim launch (id_block_parse, then id_block_check_launch) as the PSP would.
 * Nothing here prints; failures leave one line in err.
 */
#ifndef CLOISTER_LAUNCH_ID_BLOCK_H
#define CLOISTER_LAUNCH_ID_BLOCK_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cloister/cwi.h>

#define ID_BLOCK_SIZE     0x60u
#define ID_AUTH_SIZE      0x1000u
#define ID_SIGNATURE_SIZE (ID_BLOCK_SIZE + ID_AUTH_SIZE) /* the SIGNATURE section */
_Static_assert(ID_SIGNATURE_SIZE == CWI_SIGNATURE_SIZE, "the image format fixes the section size");

/* Offsets in ID_AUTH_INFO */
#define ID_AUTH_ID_KEY_ALGO       0x000u
#define ID_AUTH_AUTH_KEY_ALGO     0x004u
#define ID_AUTH_ID_BLOCK_SIG      0x040u
#define ID_AUTH_ID_KEY            0x240u
#define ID_AUTH_AUTHOR_KEY_SIG    0x680u
#define ID_AUTH_AUTHOR_KEY        0x880u
#define ID_SIG_SIZE               0x200u /* r (72 bytes LE), s (72 bytes LE), reserved */
#define ID_PUBKEY_SIZE            0x404u /* u32 curve, qx (72 LE), qy (72 LE), reserved */
#define ID_ALGO_ECDSA_P384_SHA384 1u
#define ID_CURVE_P384             2u

struct id_block {
    uint8_t ld[48]; /* the launch digest this block vouches for */
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t version; /* 1 */
    uint32_t guest_svn;
    uint64_t policy;
};

/* What a parsed and signature-checked SIGNATURE section says. */
struct id_info {
    struct id_block block;
    uint8_t id_key_digest[48];     /* SHA-384 of the ID_KEY structure */
    uint8_t author_key_digest[48]; /* SHA-384 of AUTHOR_KEY, when has_author */
    bool has_author;
};

/*
 * Fills out[ID_SIGNATURE_SIZE] with block b (version forced to 1) signed by id_key and,
 * when author_key is not NULL, the ID key signed by author_key. Both keys must be EC
 * P-384. 0, or -1.
 */
int id_block_sign(const struct id_block *b, EVP_PKEY *id_key, EVP_PKEY *author_key,
                  uint8_t out[ID_SIGNATURE_SIZE], char *err, size_t err_size);

/*
 * Decodes a SIGNATURE section of len bytes and checks what the PSP checks without a
 * launch: the algorithms and curves, version 1, zero reserved bytes, the ID block's
 * signature by ID_KEY and, if AUTHOR_KEY is present (its curve field nonzero), the
 * ID_KEY's signature by AUTHOR_KEY. 0 and info filled, or -1.
 */
int id_block_parse(const uint8_t *sig, size_t len, struct id_info *info, char *err,
                   size_t err_size);

/* The launch checks of SNP_LAUNCH_FINISH: LD equals the measured digest, POLICY the
 * launch's policy. 0, or -1 naming the field that differs. */
int id_block_check_launch(const struct id_info *info, const uint8_t measured[48], uint64_t policy,
                          char *err, size_t err_size);

/* Loads an EC P-384 private key from a PEM file; -1 with one line otherwise. */
EVP_PKEY *id_key_load(const char *path, char *err, size_t err_size);

#endif
