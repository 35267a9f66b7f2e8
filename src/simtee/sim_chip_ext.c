/* The VCEK's AMD extensions (AMD KDS specification): their OIDs, and the DER values a
 * chip's ID and TCB give them. */
#include "simtee/sim_chip_internal.h"

#include <string.h>

#include <openssl/asn1.h>

#define PRODUCT_NAME "Cloister-Sim"

const char *const sim_chip_ext_oid[EXT_COUNT] = {
    [EXT_STRUCT_VERSION] = "1.3.6.1.4.1.3704.1.1", [EXT_PRODUCT_NAME] = "1.3.6.1.4.1.3704.1.2",
    [EXT_BL_SPL] = "1.3.6.1.4.1.3704.1.3.1",       [EXT_TEE_SPL] = "1.3.6.1.4.1.3704.1.3.2",
    [EXT_SPL_4] = "1.3.6.1.4.1.3704.1.3.4",        [EXT_SPL_5] = "1.3.6.1.4.1.3704.1.3.5",
    [EXT_SPL_6] = "1.3.6.1.4.1.3704.1.3.6",        [EXT_SPL_7] = "1.3.6.1.4.1.3704.1.3.7",
    [EXT_SNP_SPL] = "1.3.6.1.4.1.3704.1.3.3",      [EXT_UCODE_SPL] = "1.3.6.1.4.1.3704.1.3.8",
    [EXT_HWID] = "1.3.6.1.4.1.3704.1.4",
};

/* A security patch level as AMD encodes it: a DER INTEGER (0x73 is 02 01 73). */
static int spl_der(long v, struct ext_value *out)
{
    ASN1_INTEGER *ai = ASN1_INTEGER_new();
    unsigned char *p = out->der;
    out->len = ai && ASN1_INTEGER_set(ai, v) == 1 ? i2d_ASN1_INTEGER(ai, NULL) : -1;
    if (out->len <= 0 || out->len > (int)sizeof(out->der) || i2d_ASN1_INTEGER(ai, &p) != out->len)
        out->len = -1;
    ASN1_INTEGER_free(ai);
    return out->len > 0 ? 0 : -1;
}

static int ia5_der(const char *s, struct ext_value *out)
{
    ASN1_IA5STRING *str = ASN1_IA5STRING_new();
    unsigned char *p = out->der;
    out->len = str && ASN1_STRING_set(str, s, -1) == 1 ? i2d_ASN1_IA5STRING(str, NULL) : -1;
    if (out->len <= 0 || out->len > (int)sizeof(out->der) ||
        i2d_ASN1_IA5STRING(str, &p) != out->len)
        out->len = -1;
    ASN1_IA5STRING_free(str);
    return out->len > 0 ? 0 : -1;
}

/*
 * The values of the VCEK's extensions for a chip: the same bytes sim_chip_init writes
 * and sim_chip_load expects. The hwID is the 64 raw bytes of the chip ID, as AMD's
 * key distribution service issues it; structVersion is 0, as in AMD's VCEKs.
 */
int sim_chip_ext_values(const uint8_t chip_id[SNP_CHIP_ID_SIZE], uint64_t reported_tcb,
                        struct ext_value v[EXT_COUNT])
{
    struct snp_tcb t = snp_tcb_decode(reported_tcb);
    if (spl_der(0, &v[EXT_STRUCT_VERSION]) || ia5_der(PRODUCT_NAME, &v[EXT_PRODUCT_NAME]) ||
        spl_der(t.bootloader, &v[EXT_BL_SPL]) || spl_der(t.tee, &v[EXT_TEE_SPL]) ||
        spl_der(0, &v[EXT_SPL_4]) || spl_der(0, &v[EXT_SPL_5]) || spl_der(0, &v[EXT_SPL_6]) ||
        spl_der(0, &v[EXT_SPL_7]) || spl_der(t.snp, &v[EXT_SNP_SPL]) ||
        spl_der(t.microcode, &v[EXT_UCODE_SPL]))
        return -1;
    memcpy(v[EXT_HWID].der, chip_id, SNP_CHIP_ID_SIZE);
    v[EXT_HWID].len = SNP_CHIP_ID_SIZE;
    return 0;
}
