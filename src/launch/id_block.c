/* The SEV-SNP ID block and ID_AUTH_INFO (id_block.h). */
#include "launch/id_block.h"

#include "verify/amd_sig.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define P384_BYTES 48u

/* One line in err, and OpenSSL's per-thread error queue emptied so that a refusal here
 * does not surface in an unrelated later call; the value is -1. Uses err, err_size. */
#define FAIL(...) (snprintf(err, err_size, __VA_ARGS__), ERR_clear_error(), -1)

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The 0x60 bytes the ID key signs, little-endian as the firmware reads them. */
static void encode_block(const struct id_block *b, uint8_t out[ID_BLOCK_SIZE])
{
    memcpy(out, b->ld, 48);
    memcpy(out + 0x30, b->family_id, 16);
    memcpy(out + 0x40, b->image_id, 16);
    put32(out + 0x50, 1);
    put32(out + 0x54, b->guest_svn);
    put32(out + 0x58, (uint32_t)b->policy);
    put32(out + 0x5c, (uint32_t)(b->policy >> 32));
}

static void decode_block(const uint8_t in[ID_BLOCK_SIZE], struct id_block *b)
{
    memcpy(b->ld, in, 48);
    memcpy(b->family_id, in + 0x30, 16);
    memcpy(b->image_id, in + 0x40, 16);
    b->version = get32(in + 0x50);
    b->guest_svn = get32(in + 0x54);
    b->policy = get64(in + 0x58);
}

static int is_p384(EVP_PKEY *key)
{
    char group[32];
    return key != NULL && EVP_PKEY_is_a(key, "EC") &&
           EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) == 1 &&
           strcmp(group, "secp384r1") == 0;
}

/* The firmware's public key structure: curve 2, then qx and qy little-endian. */
static int encode_pubkey(EVP_PKEY *key, uint8_t out[ID_PUBKEY_SIZE])
{
    BIGNUM *x = NULL, *y = NULL;
    int rc = -1;
    memset(out, 0, ID_PUBKEY_SIZE);
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
        BN_bn2lebinpad(x, out + 4, AMD_SIG_COMPONENT) == AMD_SIG_COMPONENT &&
        BN_bn2lebinpad(y, out + 4 + AMD_SIG_COMPONENT, AMD_SIG_COMPONENT) == AMD_SIG_COMPONENT) {
        put32(out, ID_CURVE_P384);
        rc = 0;
    }
    BN_free(x);
    BN_free(y);
    return rc;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* The public key a firmware key structure holds, or NULL if it is not a P-384 point. */
static EVP_PKEY *decode_pubkey(const uint8_t in[ID_PUBKEY_SIZE])
{
    const uint8_t *qx = in + 4, *qy = in + 4 + AMD_SIG_COMPONENT;
    if (get32(in) != ID_CURVE_P384 || !all_zero(qx + P384_BYTES, AMD_SIG_COMPONENT - P384_BYTES) ||
        !all_zero(qy + P384_BYTES, AMD_SIG_COMPONENT - P384_BYTES) ||
        !all_zero(in + 4 + 2 * AMD_SIG_COMPONENT, ID_PUBKEY_SIZE - 4 - 2 * AMD_SIG_COMPONENT))
        return NULL;
    /* SEC1 uncompressed point: 04, x and y big-endian */
    uint8_t point[1 + 2 * P384_BYTES];
    point[0] = 4;
    for (unsigned i = 0; i < P384_BYTES; i++) {
        point[1 + i] = qx[P384_BYTES - 1 - i];
        point[1 + P384_BYTES + i] = qy[P384_BYTES - 1 - i];
    }
    EVP_PKEY *key = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (bld && ctx &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return key;
}

static int sha384(const uint8_t *p, size_t n, uint8_t out[48])
{
    unsigned int len = 0;
    return EVP_Digest(p, n, out, &len, EVP_sha384(), NULL) == 1 && len == 48 ? 0 : -1;
}

int id_block_sign(const struct id_block *b, EVP_PKEY *id_key, EVP_PKEY *author_key,
                  uint8_t out[ID_SIGNATURE_SIZE], char *err, size_t err_size)
{
    if (!is_p384(id_key) || (author_key && !is_p384(author_key)))
        return FAIL("the %s key is not an EC P-384 key", is_p384(id_key) ? "author" : "ID");
    memset(out, 0, ID_SIGNATURE_SIZE);
    uint8_t *auth = out + ID_BLOCK_SIZE;
    encode_block(b, out);
    put32(auth + ID_AUTH_ID_KEY_ALGO, ID_ALGO_ECDSA_P384_SHA384);
    if (encode_pubkey(id_key, auth + ID_AUTH_ID_KEY) < 0 ||
        amd_sig_sign(id_key, out, ID_BLOCK_SIZE, auth + ID_AUTH_ID_BLOCK_SIG) < 0)
        return FAIL("cannot sign the ID block with the ID key");
    if (author_key) {
        /* the author key vouches for the ID key: it signs the ID_KEY structure */
        put32(auth + ID_AUTH_AUTH_KEY_ALGO, ID_ALGO_ECDSA_P384_SHA384);
        if (encode_pubkey(author_key, auth + ID_AUTH_AUTHOR_KEY) < 0 ||
            amd_sig_sign(author_key, auth + ID_AUTH_ID_KEY, ID_PUBKEY_SIZE,
                         auth + ID_AUTH_AUTHOR_KEY_SIG) < 0)
            return FAIL("cannot sign the ID key with the author key");
    }
    return 0;
}

/* Reserved ranges of ID_AUTH_INFO that must be zero: a signer that put something there
 * meant something this reader does not know. */
static const struct {
    unsigned off, len;
} reserved[] = {
    {0x008, 0x38},
    {ID_AUTH_ID_BLOCK_SIG + AMD_SIG_RS, ID_SIG_SIZE - AMD_SIG_RS},
    {ID_AUTH_ID_KEY + ID_PUBKEY_SIZE, ID_AUTH_AUTHOR_KEY_SIG - ID_AUTH_ID_KEY - ID_PUBKEY_SIZE},
    {ID_AUTH_AUTHOR_KEY_SIG + AMD_SIG_RS, ID_SIG_SIZE - AMD_SIG_RS},
    {ID_AUTH_AUTHOR_KEY + ID_PUBKEY_SIZE, ID_AUTH_SIZE - ID_AUTH_AUTHOR_KEY - ID_PUBKEY_SIZE},
};

static int check_sig(const uint8_t *keyst, const uint8_t *msg, size_t len, const uint8_t *rs,
                     const char *what, char *err, size_t err_size)
{
    EVP_PKEY *key = decode_pubkey(keyst);
    if (!key)
        return FAIL("signature: the %s key is not a P-384 point", what);
    int ok = amd_sig_verify(key, msg, len, rs);
    EVP_PKEY_free(key);
    if (ok != 1)
        return FAIL("signature: the %s does not verify", what);
    return 0;
}

int id_block_parse(const uint8_t *sig, size_t len, struct id_info *info, char *err, size_t err_size)
{
    memset(info, 0, sizeof(*info));
    if (len != ID_SIGNATURE_SIZE)
        return FAIL("signature: section is %zu bytes, not %u", len, ID_SIGNATURE_SIZE);
    const uint8_t *auth = sig + ID_BLOCK_SIZE;
    decode_block(sig, &info->block);
    if (info->block.version != 1)
        return FAIL("signature: ID block version %u, not 1", info->block.version);
    if (get32(auth + ID_AUTH_ID_KEY_ALGO) != ID_ALGO_ECDSA_P384_SHA384)
        return FAIL("signature: ID block signature algorithm %u, not 1",
                    get32(auth + ID_AUTH_ID_KEY_ALGO));
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (!all_zero(auth + reserved[i].off, reserved[i].len))
            return FAIL("signature: reserved bytes at ID_AUTH 0x%x are not zero", reserved[i].off);
    info->has_author = get32(auth + ID_AUTH_AUTHOR_KEY) != 0;
    if (!info->has_author && (get32(auth + ID_AUTH_AUTH_KEY_ALGO) != 0 ||
                              !all_zero(auth + ID_AUTH_AUTHOR_KEY_SIG, ID_SIG_SIZE) ||
                              !all_zero(auth + ID_AUTH_AUTHOR_KEY, ID_PUBKEY_SIZE)))
        return FAIL("signature: author fields without an author key");
    if (info->has_author && get32(auth + ID_AUTH_AUTH_KEY_ALGO) != ID_ALGO_ECDSA_P384_SHA384)
        return FAIL("signature: author key algorithm %u, not 1",
                    get32(auth + ID_AUTH_AUTH_KEY_ALGO));
    if (check_sig(auth + ID_AUTH_ID_KEY, sig, ID_BLOCK_SIZE, auth + ID_AUTH_ID_BLOCK_SIG,
                  "ID block signature by the ID key", err, err_size) < 0)
        return -1;
    if (info->has_author && check_sig(auth + ID_AUTH_AUTHOR_KEY, auth + ID_AUTH_ID_KEY,
                                      ID_PUBKEY_SIZE, auth + ID_AUTH_AUTHOR_KEY_SIG,
                                      "ID key signature by the author key", err, err_size) < 0)
        return -1;
    if (sha384(auth + ID_AUTH_ID_KEY, ID_PUBKEY_SIZE, info->id_key_digest) < 0 ||
        (info->has_author &&
         sha384(auth + ID_AUTH_AUTHOR_KEY, ID_PUBKEY_SIZE, info->author_key_digest) < 0))
        return FAIL("SHA-384 failed in libcrypto");
    return 0;
}

int id_block_check_launch(const struct id_info *info, const uint8_t measured[48], uint64_t policy,
                          char *err, size_t err_size)
{
    if (memcmp(info->block.ld, measured, 48) != 0)
        return FAIL("signature: the ID block's launch digest is not the measured one "
                    "(the image changed after signing)");
    if (info->block.policy != policy)
        return FAIL("signature: the ID block's policy 0x%llx is not the launch's 0x%llx",
                    (unsigned long long)info->block.policy, (unsigned long long)policy);
    return 0;
}

EVP_PKEY *id_key_load(const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        (void)FAIL("cannot open %s", path);
        return NULL;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!key) {
        (void)FAIL("%s: not a PEM private key", path);
        return NULL;
    }
    if (!is_p384(key)) {
        EVP_PKEY_free(key);
        (void)FAIL("%s: not an EC P-384 key", path);
        return NULL;
    }
    return key;
}
