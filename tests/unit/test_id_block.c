/*
 * The SEV-SNP ID block and ID_AUTH_INFO (src/launch/id_block.c): the layout at the
 * firmware ABI's offsets, a round trip through parse, every field's tampering refused,
 * and r/s in AMD's little-endian layout, checked against OpenSSL's own DER signature
 * decoded here independently of the code under test.
 */
#include "unit.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <string.h>

#include "launch/id_block.h"

static EVP_PKEY *gen(const char *curve)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

static EVP_PKEY *id_key, *author_key;
static struct id_block block;
static uint8_t sig[ID_SIGNATURE_SIZE];

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void setup(void)
{
    id_key = gen("P-384");
    author_key = gen("P-384");
    for (int i = 0; i < 48; i++)
        block.ld[i] = (uint8_t)(0xa0 + i);
    memset(block.family_id, 0x11, 16);
    memset(block.image_id, 0x22, 16);
    block.guest_svn = 0x01020304;
    block.policy = 0x30000;
}

static void test_layout(void)
{
    char err[256];
    CHECK_EQ_INT(id_block_sign(&block, id_key, author_key, sig, err, sizeof(err)), 0);
    const uint8_t *auth = sig + ID_BLOCK_SIZE;
    CHECK(memcmp(sig, block.ld, 48) == 0);
    CHECK(sig[0x30] == 0x11 && sig[0x3f] == 0x11 && sig[0x40] == 0x22 && sig[0x4f] == 0x22);
    CHECK_EQ_INT(le32(sig + 0x50), 1);          /* VERSION */
    CHECK_EQ_INT(le32(sig + 0x54), 0x01020304); /* GUEST_SVN */
    CHECK_EQ_INT(le32(sig + 0x58), 0x30000);    /* POLICY, low half */
    CHECK_EQ_INT(le32(sig + 0x5c), 0);
    CHECK_EQ_INT(le32(auth + 0x0), 1);   /* ID_BLOCK_SIG_ALGO: ECDSA P-384 SHA-384 */
    CHECK_EQ_INT(le32(auth + 0x4), 1);   /* AUTH_KEY_ALGO */
    CHECK_EQ_INT(le32(auth + 0x240), 2); /* ID_KEY curve P-384 */
    CHECK_EQ_INT(le32(auth + 0x880), 2); /* AUTHOR_KEY curve */

    /* ID_KEY's qx: OpenSSL's big-endian X, reversed */
    BIGNUM *x = NULL;
    uint8_t be[48];
    CHECK(EVP_PKEY_get_bn_param(id_key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1);
    CHECK(BN_bn2binpad(x, be, 48) == 48);
    for (int i = 0; i < 48; i++)
        CHECK(auth[0x244 + i] == be[47 - i]);
    BN_free(x);
}

static void test_round_trip(void)
{
    char err[256];
    struct id_info info;
    CHECK_EQ_INT(id_block_sign(&block, id_key, author_key, sig, err, sizeof(err)), 0);
    CHECK_EQ_INT(id_block_parse(sig, sizeof(sig), &info, err, sizeof(err)), 0);
    CHECK(memcmp(info.block.ld, block.ld, 48) == 0);
    CHECK(info.block.guest_svn == block.guest_svn && info.block.policy == block.policy);
    CHECK(info.has_author);
    /* the digests are SHA-384 of the 0x404-byte key structures */
    uint8_t d[48];
    unsigned int n;
    CHECK(EVP_Digest(sig + ID_BLOCK_SIZE + 0x240, 0x404, d, &n, EVP_sha384(), NULL) == 1);
    CHECK(memcmp(d, info.id_key_digest, 48) == 0);
    CHECK(EVP_Digest(sig + ID_BLOCK_SIZE + 0x880, 0x404, d, &n, EVP_sha384(), NULL) == 1);
    CHECK(memcmp(d, info.author_key_digest, 48) == 0);
    CHECK_EQ_INT(id_block_check_launch(&info, block.ld, block.policy, err, sizeof(err)), 0);
    uint8_t other[48];
    memcpy(other, block.ld, 48);
    other[47] ^= 1;
    CHECK_EQ_INT(id_block_check_launch(&info, other, block.policy, err, sizeof(err)), -1);
    CHECK_EQ_INT(id_block_check_launch(&info, block.ld, 0x30001, err, sizeof(err)), -1);

    /* without an author key: no author fields, no author digest */
    CHECK_EQ_INT(id_block_sign(&block, id_key, NULL, sig, err, sizeof(err)), 0);
    CHECK_EQ_INT(id_block_parse(sig, sizeof(sig), &info, err, sizeof(err)), 0);
    CHECK(!info.has_author);
}

/* Every byte that matters, flipped in turn, is refused (each field of the block, the
 * signatures, the keys, the algorithms, the reserved bytes). */
static void test_tamper(void)
{
    char err[256];
    struct id_info info;
    CHECK_EQ_INT(id_block_sign(&block, id_key, author_key, sig, err, sizeof(err)), 0);
    static const unsigned offs[] = {
        0x00,         0x2f,         0x30,         0x40,         0x50,         0x54,
        0x58,         0x5f,         0x60 + 0x0,   0x60 + 0x4,   0x60 + 0x8,   0x60 + 0x40,
        0x60 + 0x88,  0x60 + 0x90,  0x60 + 0x240, 0x60 + 0x244, 0x60 + 0x2d0, 0x60 + 0x300,
        0x60 + 0x650, 0x60 + 0x680, 0x60 + 0x6c8, 0x60 + 0x880, 0x60 + 0x884, 0x60 + 0xfff,
    };
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        uint8_t bad[ID_SIGNATURE_SIZE];
        memcpy(bad, sig, sizeof(bad));
        bad[offs[i]] ^= 0x01;
        if (id_block_parse(bad, sizeof(bad), &info, err, sizeof(err)) != -1) {
            printf("  byte 0x%x flipped and accepted\n", offs[i]);
            CHECK(0);
        }
    }
    CHECK_EQ_INT(id_block_parse(sig, sizeof(sig) - 1, &info, err, sizeof(err)), -1);
}

/* r and s: OpenSSL verifies the DER this test builds from the bytes at 0x40 and 0x88
 * of ID_AUTH, read as 48-byte little-endian numbers with 24 zero bytes above. */
static void test_rs_little_endian(void)
{
    char err[256];
    CHECK_EQ_INT(id_block_sign(&block, id_key, NULL, sig, err, sizeof(err)), 0);
    const uint8_t *rs = sig + ID_BLOCK_SIZE + 0x40;
    uint8_t rbe[48], sbe[48];
    for (int i = 0; i < 48; i++) {
        rbe[i] = rs[47 - i];
        sbe[i] = rs[72 + 47 - i];
    }
    for (int i = 48; i < 72; i++)
        CHECK(rs[i] == 0 && rs[72 + i] == 0);
    ECDSA_SIG *es = ECDSA_SIG_new();
    CHECK(ECDSA_SIG_set0(es, BN_bin2bn(rbe, 48, NULL), BN_bin2bn(sbe, 48, NULL)) == 1);
    unsigned char *der = NULL;
    int len = i2d_ECDSA_SIG(es, &der);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    CHECK(EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, id_key) == 1);
    CHECK(EVP_DigestVerify(md, der, (size_t)len, sig, ID_BLOCK_SIZE) == 1);
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
}

static void test_wrong_curve(void)
{
    char err[256];
    EVP_PKEY *p256 = gen("P-256");
    CHECK_EQ_INT(id_block_sign(&block, p256, NULL, sig, err, sizeof(err)), -1);
    CHECK_EQ_INT(id_block_sign(&block, id_key, p256, sig, err, sizeof(err)), -1);
    CHECK(strstr(err, "author") != NULL);
    EVP_PKEY_free(p256);
}

int main(void)
{
    setup();
    RUN(layout);
    RUN(round_trip);
    RUN(tamper);
    RUN(rs_little_endian);
    RUN(wrong_curve);
    EVP_PKEY_free(id_key);
    EVP_PKEY_free(author_key);
    UNIT_EXIT();
}
