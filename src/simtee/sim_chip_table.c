/* What the host hands out from a chip: the GHCB certificate table guests receive with
 * an extended report, and the ARK's fingerprint a verifier is told to trust. */
#include "simtee/sim_chip.h"
#include "common/error_line.h"
#include "common/hex.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* The GHCB specification's GUIDs, stored in their string's byte order (as Linux, AMD's
 * tools and go-sev-guest read them). */
static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                     0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
static const uint8_t guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                     0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int sim_chip_cert_table(const struct sim_chip *c, uint8_t **out, size_t *len, char *err,
                        size_t err_size)
{
    const struct {
        const uint8_t *guid;
        X509 *cert;
    } entries[] = {{guid_vcek, c->vcek}, {guid_ask, c->ask}, {guid_ark, c->ark}};
    enum { N = sizeof(entries) / sizeof(entries[0]) };
    unsigned char *der[N] = {0};
    int der_len[N];
    size_t total = (N + 1) * SIM_CERT_TABLE_ENTRY_SIZE;
    int rc = -1;

    *out = NULL;
    *len = 0;
    for (int i = 0; i < N; i++) {
        if (entries[i].cert == NULL || (der_len[i] = i2d_X509(entries[i].cert, &der[i])) <= 0) {
            crypto_error_line(err, err_size, "cannot encode the chip's certificates");
            goto out;
        }
        total += (size_t)der_len[i];
    }
    uint8_t *table = calloc(1, total); /* the zero entry after the last is the terminator */
    if (table == NULL) {
        crypto_error_line(err, err_size, "out of memory");
        goto out;
    }
    size_t at = (N + 1) * SIM_CERT_TABLE_ENTRY_SIZE;
    for (int i = 0; i < N; i++) {
        uint8_t *e = table + i * SIM_CERT_TABLE_ENTRY_SIZE;
        memcpy(e, entries[i].guid, 16);
        put_le32(e + 16, (uint32_t)at);
        put_le32(e + 20, (uint32_t)der_len[i]);
        memcpy(table + at, der[i], (size_t)der_len[i]);
        at += (size_t)der_len[i];
    }
    *out = table;
    *len = total;
    rc = 0;
out:
    for (int i = 0; i < N; i++)
        OPENSSL_free(der[i]);
    return rc;
}

int sim_chip_ark_fingerprint(const struct sim_chip *c, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    if (c->ark == NULL || X509_digest(c->ark, EVP_sha256(), md, &n) != 1 || n != sizeof(md))
        return crypto_error_line(NULL, 0, "no ARK");
    hex_encode(md, sizeof(md), hex);
    return 0;
}
