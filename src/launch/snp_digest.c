/*
 * The SEV-SNP launch digest: the PAGE_INFO SHA-384 chain of SNP_LAUNCH_UPDATE.
 */
#include "launch/snp_digest.h"

#include "common/hex.h"
#include "common/md.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/*
 * PAGE_INFO, SEV-SNP firmware ABI spec (SNP_LAUNCH_UPDATE, "PAGE_INFO Structure"):
 *   0x00 DIGEST_CUR[48]  0x30 CONTENTS[48]  0x60 LENGTH u16  0x62 PAGE_TYPE u8
 *   0x63 IMI_PAGE u8     0x64 VMPL3_PERMS   0x65 VMPL2_PERMS 0x66 VMPL1_PERMS
 *   0x67 reserved        0x68 GPA u64       (all little-endian; 0x70 bytes in all)
 * Built byte by byte so that neither padding nor host endianness can leak in.
 */
#define PI_DIGEST_CUR 0x00
#define PI_CONTENTS   0x30
#define PI_LENGTH     0x60
#define PI_PAGE_TYPE  0x62
#define PI_IMI_PAGE   0x63
#define PI_VMPL3      0x64
#define PI_VMPL2      0x65
#define PI_VMPL1      0x66
#define PI_GPA        0x68
#define PI_SIZE       0x70

static void sha384(const void *data, size_t len, uint8_t out[SNP_DIGEST_SIZE])
{
    unsigned int out_len = 0;

    /* A failure here means libcrypto is broken; returning a wrong digest would be
     * worse than stopping. */
    if (!EVP_Digest(data, len, out, &out_len, md_sha384(), NULL) || out_len != SNP_DIGEST_SIZE) {
        fprintf(stderr, "cloister: SHA-384 failed in libcrypto\n");
        abort();
    }
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void snp_digest_init(struct snp_digest *d)
{
    memset(d->value, 0, sizeof(d->value));
}

int snp_digest_add_page(struct snp_digest *d, uint64_t gpa, enum snp_page_type type,
                        const uint8_t *contents)
{
    uint8_t info[PI_SIZE];

    if (gpa % SNP_PAGE_SIZE != 0)
        return -1;
    memset(info, 0, sizeof(info));
    switch (type) {
    case SNP_PAGE_NORMAL:
    case SNP_PAGE_VMSA:
        if (contents == NULL)
            return -1;
        sha384(contents, SNP_PAGE_SIZE, info + PI_CONTENTS);
        break;
    case SNP_PAGE_ZERO:
    case SNP_PAGE_UNMEASURED:
    case SNP_PAGE_SECRETS:
    case SNP_PAGE_CPUID:
        break; /* CONTENTS stays zero: the firmware does not measure these pages' bytes */
    default:
        return -1;
    }
    memcpy(info + PI_DIGEST_CUR, d->value, SNP_DIGEST_SIZE);
    put_le(info + PI_LENGTH, PI_SIZE, 2);
    info[PI_PAGE_TYPE] = (uint8_t)type;
    /* Cloister launches no IMI pages and grants no VMPL1-3 permissions. */
    info[PI_IMI_PAGE] = 0;
    info[PI_VMPL3] = info[PI_VMPL2] = info[PI_VMPL1] = 0;
    put_le(info + PI_GPA, gpa, 8);
    sha384(info, sizeof(info), d->value);
    return 0;
}

void snp_digest_hex(const struct snp_digest *d, char out[2 * SNP_DIGEST_SIZE + 1])
{
    hex_encode(d->value, SNP_DIGEST_SIZE, out);
}
