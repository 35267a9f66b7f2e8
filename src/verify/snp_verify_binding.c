/* The VCEK's AMD extensions: read, and held to the chip ID and TCB the report names. */
#include "verify/snp_verify_internal.h"

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

/* AMD's VCEK extensions, under 1.3.6.1.4.1.3704.1 (AMD KDS specification). */
#define OID_PRODUCT_NAME "1.3.6.1.4.1.3704.1.2"
#define OID_BL_SPL       "1.3.6.1.4.1.3704.1.3.1"
#define OID_TEE_SPL      "1.3.6.1.4.1.3704.1.3.2"
#define OID_SNP_SPL      "1.3.6.1.4.1.3704.1.3.3"
#define OID_UCODE_SPL    "1.3.6.1.4.1.3704.1.3.8"
#define OID_HWID         "1.3.6.1.4.1.3704.1.4"

/* CPUID family of Turin (Zen 5), whose TCB_VERSION layout differs from Milan/Genoa's. */
#define CPUID_FAMILY_TURIN 0x1a

/*
 * Finds the single extension oid in cert. Returns 1 with its value, 0 if absent, -1 if
 * present twice (a certificate that says two things is not trusted to mean either).
 */
static int find_ext(X509 *cert, const char *oid, const ASN1_OCTET_STRING **value)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    if (obj == NULL)
        return -1;
    int i = X509_get_ext_by_OBJ(cert, obj, -1);
    int again = i >= 0 ? X509_get_ext_by_OBJ(cert, obj, i) : -1;
    ASN1_OBJECT_free(obj);
    if (i < 0)
        return 0;
    if (again >= 0)
        return -1;
    *value = X509_EXTENSION_get_data(X509_get_ext(cert, i));
    return *value != NULL ? 1 : -1;
}

/*
 * Reads a security patch level extension: its value is a DER INTEGER (e.g. 02 01 08),
 * not a raw byte. Returns true with *spl in 0..255, or false with why filled.
 */
static bool read_spl(X509 *vcek, const char *oid, const char *what, int *spl, char *err,
                     size_t err_size)
{
    const ASN1_OCTET_STRING *value = NULL;
    int found = find_ext(vcek, oid, &value);
    if (found <= 0) {
        snprintf(err, err_size, "the VCEK has %s %s extension (%s)", found ? "more than one" : "no",
                 what, oid);
        return false;
    }
    const unsigned char *p = ASN1_STRING_get0_data(value);
    long len = ASN1_STRING_length(value);
    ASN1_INTEGER *ai = d2i_ASN1_INTEGER(NULL, &p, len);
    int64_t v = -1;
    bool ok = ai != NULL && p == ASN1_STRING_get0_data(value) + len &&
              ASN1_INTEGER_get_int64(&v, ai) == 1 && v >= 0 && v <= 255;
    ASN1_INTEGER_free(ai);
    if (!ok) {
        snprintf(err, err_size, "the VCEK's %s extension is not a DER INTEGER in 0..255", what);
        return false;
    }
    *spl = (int)v;
    return true;
}

/*
 * Reads the hwID extension, the chip's 64-byte CHIP_ID. AMD's KDS has issued it both
 * as the 64 raw bytes and as a DER OCTET STRING around them; the lengths (64 and 66)
 * tell the two apart. Returns true with id filled, or false with why.
 */
static bool read_hwid(X509 *vcek, uint8_t id[SNP_CHIP_ID_SIZE], char *err, size_t err_size)
{
    const ASN1_OCTET_STRING *value = NULL;
    int found = find_ext(vcek, OID_HWID, &value);
    if (found <= 0) {
        snprintf(err, err_size, "the VCEK has %s hwID extension (%s)",
                 found ? "more than one" : "no", OID_HWID);
        return false;
    }
    const unsigned char *data = ASN1_STRING_get0_data(value);
    long len = ASN1_STRING_length(value);
    if (len == SNP_CHIP_ID_SIZE) {
        memcpy(id, data, SNP_CHIP_ID_SIZE);
        return true;
    }
    const unsigned char *p = data;
    ASN1_OCTET_STRING *inner = d2i_ASN1_OCTET_STRING(NULL, &p, len);
    bool ok = inner != NULL && p == data + len && ASN1_STRING_length(inner) == SNP_CHIP_ID_SIZE;
    if (ok)
        memcpy(id, ASN1_STRING_get0_data(inner), SNP_CHIP_ID_SIZE);
    ASN1_OCTET_STRING_free(inner);
    if (!ok)
        snprintf(err, err_size, "the VCEK's hwID extension is not a 64-byte chip ID");
    return ok;
}

/* The productName extension (an IA5String, e.g. "Milan-B0"), for display; "" if absent. */
void snp_verify_binding_product(X509 *vcek, char *out, size_t outlen)
{
    const ASN1_OCTET_STRING *value = NULL;
    out[0] = '\0';
    if (find_ext(vcek, OID_PRODUCT_NAME, &value) != 1)
        return;
    const unsigned char *p = ASN1_STRING_get0_data(value);
    long len = ASN1_STRING_length(value);
    ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &p, len);
    if (s != NULL && p == ASN1_STRING_get0_data(value) + len)
        snp_verify_sanitize(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), out, outlen);
    ASN1_IA5STRING_free(s);
    ERR_clear_error();
}

/*
 * The VCEK is derived from the chip's secret and the TCB it reports: its extensions
 * must name the same chip and the same reported_tcb, or a report from a patched-out
 * firmware could be passed off under a current certificate.
 */
enum snp_verify_status snp_verify_binding_check(const struct snp_report *r, X509 *vcek,
                                                struct snp_verify_result *res)
{
    char why[WHY_SIZE];
    if (r->version >= 3 && r->cpuid_fam_id == CPUID_FAMILY_TURIN)
        return snp_verify_failf(
            res, SNP_VERIFY_TCB_BINDING,
            "the report is from CPUID family 0x%x (Turin), whose TCB layout is not "
            "supported",
            r->cpuid_fam_id);

    struct snp_tcb t = snp_tcb_decode(r->reported_tcb);
    const struct {
        const char *oid, *what;
        int reported;
    } spl[] = {
        {OID_BL_SPL, "bootloader", t.bootloader},
        {OID_TEE_SPL, "tee", t.tee},
        {OID_SNP_SPL, "snp", t.snp},
        {OID_UCODE_SPL, "ucode", t.microcode},
    };
    for (size_t i = 0; i < sizeof(spl) / sizeof(spl[0]); i++) {
        int cert_spl;
        if (!read_spl(vcek, spl[i].oid, spl[i].what, &cert_spl, why, sizeof(why)))
            return snp_verify_failf(res, SNP_VERIFY_TCB_BINDING, "%s", why);
        if (cert_spl != spl[i].reported)
            return snp_verify_failf(res, SNP_VERIFY_TCB_BINDING,
                                    "reported_tcb has %s=%d but the VCEK is for %s=%d", spl[i].what,
                                    spl[i].reported, spl[i].what, cert_spl);
    }

    uint8_t hwid[SNP_CHIP_ID_SIZE];
    if (!read_hwid(vcek, hwid, why, sizeof(why)))
        return snp_verify_failf(res, SNP_VERIFY_TCB_BINDING, "%s", why);
    if (snp_verify_all_zero(r->chip_id, sizeof(r->chip_id)))
        return snp_verify_failf(
            res, SNP_VERIFY_TCB_BINDING,
            "the report's chip_id is masked (all zero), so it cannot be matched to "
            "the VCEK");
    if (memcmp(hwid, r->chip_id, sizeof(hwid)) != 0)
        return snp_verify_failf(
            res, SNP_VERIFY_TCB_BINDING,
            "the report's chip_id differs from the VCEK's hwID (another chip's VCEK)");
    return SNP_VERIFY_OK;
}
