/*
 * Unit tests for the SEV-SNP launch digest: known chains, one step at a time, and the
 * inputs it must refuse. The expected digests are the acceptance vectors for the
 * PAGE_INFO layout; a mismatch means the record is wrong, not the vector.
 */
#include "launch/snp_digest.h"
#include "unit.h"

#include <stdint.h>

/* Adds one page and checks both the return value and the resulting digest. */
#define CHECK_STEP(d, gpa, type, contents, expected_hex)                                           \
    do {                                                                                           \
        char hex_[2 * SNP_DIGEST_SIZE + 1];                                                        \
        CHECK_EQ_INT(snp_digest_add_page((d), (gpa), (type), (contents)), 0);                      \
        snp_digest_hex((d), hex_);                                                                 \
        CHECK_STREQ(hex_, (expected_hex));                                                         \
    } while (0)

static void test_init_is_zero(void)
{
    struct snp_digest d;
    char hex[2 * SNP_DIGEST_SIZE + 1];

    memset(&d, 0xa5, sizeof(d));
    snp_digest_init(&d);
    snp_digest_hex(&d, hex);
    CHECK_STREQ(hex, "000000000000000000000000000000000000000000000000"
                     "000000000000000000000000000000000000000000000000");
}

static void test_zero_normal_page(void)
{
    static const uint8_t page[SNP_PAGE_SIZE];
    struct snp_digest d;

    snp_digest_init(&d);
    CHECK_STEP(&d, 0, SNP_PAGE_NORMAL, page,
               "9d13634b6014bb21cf059b2dc694e7bff01a8a7137041100"
               "cd2b695f3d10fb687267b97808b27f8f471d943bc6f53a20");
}

static void test_chain_of_every_type(void)
{
    static const uint8_t zero_page[SNP_PAGE_SIZE];
    uint8_t pattern[SNP_PAGE_SIZE];
    struct snp_digest d;

    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)i;
    snp_digest_init(&d);
    CHECK_STEP(&d, 0xffff0000, SNP_PAGE_NORMAL, pattern,
               "72ffc0bc628c53b13f6dee96f6c3b733f4ad196d4f97c348"
               "5e0851a0a1dc82678cba29be4adbda53bfe6922fb1a95f67");
    CHECK_STEP(&d, 0x800000, SNP_PAGE_ZERO, NULL,
               "390da3fc8eaa30902f9fed94cae418455de37b7de2dd4cae"
               "6cd4ef8449c2446667c82bdbf858a4b3c5bd5f6c7051d30c");
    CHECK_STEP(&d, 0x801000, SNP_PAGE_ZERO, NULL,
               "81cfc3adfecf84882733cb305fd74255b17ab17476dbdc80"
               "f272d0a1a2365c98fa246f931c04632bf6ac98a3ef8c9989");
    CHECK_STEP(&d, 0x810000, SNP_PAGE_SECRETS, NULL,
               "5a679af7fffe4bdeced8c896882e96664e9724fb729c70bc"
               "9e9679677e26ab51c6562f090d5a6b336179b08fd1caa04b");
    CHECK_STEP(&d, 0x811000, SNP_PAGE_CPUID, NULL,
               "8fb4971352c6f197e5f55a63c5075aa259f749c838ca25e0"
               "7c74d3ee580ae731cc8a912cfc4aa4b7cd91e53928b7243c");
    CHECK_STEP(&d, 0x812000, SNP_PAGE_UNMEASURED, NULL,
               "dbb9bd87f760740bd9abdac50b3c804b9f1a36ec4f451aea"
               "d4b1239f628ced7d42100e5f2b53b5247698bd6df769c0b7");
    CHECK_STEP(&d, SNP_VMSA_GPA, SNP_PAGE_VMSA, zero_page,
               "9d5ac436d96f70cdd12e6f24e31950f382e760608cf52664"
               "9edd4737260e6ce9b153a6395c2f3758f6be10c08232e138");
}

/* Contents are ignored for the unmeasured types: passing bytes must not change the
 * digest. */
static void test_contents_ignored_for_zero_types(void)
{
    uint8_t junk[SNP_PAGE_SIZE];
    struct snp_digest with, without;

    memset(junk, 0x5a, sizeof(junk));
    for (int type = SNP_PAGE_ZERO; type <= SNP_PAGE_CPUID; type++) {
        snp_digest_init(&with);
        snp_digest_init(&without);
        CHECK_EQ_INT(snp_digest_add_page(&with, 0x1000, type, junk), 0);
        CHECK_EQ_INT(snp_digest_add_page(&without, 0x1000, type, NULL), 0);
        CHECK(memcmp(with.value, without.value, SNP_DIGEST_SIZE) == 0);
    }
}

/* Each refusal returns -1 and leaves the digest as it was. */
static void test_rejections(void)
{
    static const uint8_t page[SNP_PAGE_SIZE];
    struct snp_digest d, before;

    snp_digest_init(&d);
    CHECK_EQ_INT(snp_digest_add_page(&d, 0, SNP_PAGE_NORMAL, page), 0);
    before = d;

    CHECK_EQ_INT(snp_digest_add_page(&d, 0x1000, (enum snp_page_type)0, page), -1);
    CHECK_EQ_INT(snp_digest_add_page(&d, 0x1000, (enum snp_page_type)7, page), -1);
    CHECK_EQ_INT(snp_digest_add_page(&d, 0x1000, SNP_PAGE_NORMAL, NULL), -1);
    CHECK_EQ_INT(snp_digest_add_page(&d, SNP_VMSA_GPA, SNP_PAGE_VMSA, NULL), -1);
    CHECK_EQ_INT(snp_digest_add_page(&d, 0x1001, SNP_PAGE_NORMAL, page), -1);
    CHECK_EQ_INT(snp_digest_add_page(&d, 0x800, SNP_PAGE_ZERO, NULL), -1);
    CHECK(memcmp(d.value, before.value, SNP_DIGEST_SIZE) == 0);
}

int main(void)
{
    RUN(init_is_zero);
    RUN(zero_normal_page);
    RUN(chain_of_every_type);
    RUN(contents_ignored_for_zero_types);
    RUN(rejections);
    UNIT_EXIT();
}
