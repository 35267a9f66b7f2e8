/* The pinned-certificate check (x509_pin.h). */
#include "tee/x509_pin.h"
#include "lib/lib.h"

static void start_chain(const br_x509_class **ctx, const char *server_name)
{
    struct x509_pin *x = (struct x509_pin *)ctx;
    x->certs = 0;
    x->mismatch = false;
}

static void start_cert(const br_x509_class **ctx, u32 length)
{
    struct x509_pin *x = (struct x509_pin *)ctx;
    if (x->certs++ == 0) {
        br_x509_decoder_init(&x->dec, NULL, NULL);
        br_sha256_init(&x->sha);
    }
}

/* Only the leaf matters; the rest of the chain (the server's to send) is ignored. */
static void append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    struct x509_pin *x = (struct x509_pin *)ctx;
    if (x->certs != 1)
        return;
    br_x509_decoder_push(&x->dec, buf, len);
    br_sha256_update(&x->sha, buf, len);
}

static void end_cert(const br_x509_class **ctx)
{
}

static unsigned end_chain(const br_x509_class **ctx)
{
    struct x509_pin *x = (struct x509_pin *)ctx;
    if (x->certs == 0)
        return BR_ERR_X509_EMPTY_CHAIN;
    br_sha256_out(&x->sha, x->seen);
    /* the hash is of public data: no need for a constant-time comparison */
    if (memcmp(x->seen, x->pin, 32)) {
        x->mismatch = true;
        return BR_ERR_X509_NOT_TRUSTED;
    }
    int err = br_x509_decoder_last_error(&x->dec);
    if (err)
        return (unsigned)err;
    return br_x509_decoder_get_pkey(&x->dec) ? 0 : BR_ERR_X509_UNSUPPORTED;
}

/* The pinned key is the server's for whatever the suite asks of it (tls_client.c offers ECDHE
 * suites only, where it signs). */
static const br_x509_pkey *get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    struct x509_pin *x = (struct x509_pin *)ctx;
    if (usages)
        *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return x->mismatch ? NULL : br_x509_decoder_get_pkey(&x->dec);
}

static const br_x509_class pin_class = {
    .context_size = sizeof(struct x509_pin),
    .start_chain = start_chain,
    .start_cert = start_cert,
    .append = append,
    .end_cert = end_cert,
    .end_chain = end_chain,
    .get_pkey = get_pkey,
};

void x509_pin_init(struct x509_pin *x, const u8 pin[32])
{
    memzero(x, sizeof(*x));
    x->vtable = &pin_class;
    memcpy(x->pin, pin, 32);
}
