/* The pinned TLS client (tls_client.h). */
#include "tee/tls_client.h"
#include "uapi/errno.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "tee/broker_conn.h"
#include "arch/x86/random.h"
#include "tee/x509_pin.h"

#include <bearssl.h>

struct tls_client {
    br_ssl_client_context cc;
    struct x509_pin x509;
    br_sslio_context io;
    s64 h;
    s64 conn_err; /* the connection's own failure, kept apart from BearSSL's */
    /* read-ahead: BearSSL asks for a record's 5-byte header, then its body; one
     * hypercall fetches both (and often the next record) */
    u32 rpos, rlen;
    u8 rbuf[4096];
    u8 buf[BR_SSL_BUFSIZE_BIDI];
};

/*
 * ECDHE only: every session gets fresh keys, and the pinned key only signs. GCM only:
 * what GnuTLS (libmicrohttpd's TLS) prefers, and one record layer fewer to carry.
 */
static const u16 suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384};

/*
 * BearSSL's system seeder, which its own rand/sysrng.c would build from RDRAND
 * intrinsics or /dev/urandom: here it is the shim's RDRAND/RDSEED (random.h), never
 * the host. The engine asks for it when it is reset.
 */
static int seed_from_cpu(const br_prng_class **ctx)
{
    u8 seed[32];
    random_fill(seed, sizeof(seed));
    (*ctx)->update(ctx, seed, sizeof(seed));
    memzero(seed, sizeof(seed));
    return 1;
}

br_prng_seeder br_prng_seeder_system(const char **name)
{
    if (name)
        *name = "cpu";
    return seed_from_cpu;
}

/* BearSSL's low-level I/O: -1 fails the engine; the reason stays in conn_err. */
static int low_read(void *ctx, unsigned char *buf, size_t len)
{
    struct tls_client *t = ctx;
    if (t->rpos == t->rlen) {
        s64 k = broker_recv(t->h, t->rbuf, sizeof(t->rbuf));
        if (k <= 0) {
            t->conn_err = k < 0 ? k : -ECONNRESET;
            return -1;
        }
        t->rpos = 0;
        t->rlen = (u32)k; /* broker_recv bounds it by what it was asked */
    }
    size_t n = MIN(len, (size_t)(t->rlen - t->rpos));
    memcpy(buf, t->rbuf + t->rpos, n);
    t->rpos += (u32)n;
    return (int)n;
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
    struct tls_client *t = ctx;
    s64 err = broker_send_all(t->h, buf, len);
    if (!err)
        return (int)len;
    t->conn_err = err;
    return -1;
}

static void hex(const u8 *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = 0;
}

static void setup(struct tls_client *t, const u8 pin[32])
{
    br_ssl_client_context *cc = &t->cc;
    br_ssl_engine_context *eng = &cc->eng;
    br_ssl_client_zero(cc);
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, suites, ARRAY_SIZE(suites));
    br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
    br_ssl_engine_set_aes_ctr(eng, &br_aes_ct64_ctr_vtable);
    br_ssl_engine_set_ghash(eng, br_ghash_ctmul64);
    /* P-256 by its own constant-time code, P-384 and P-521 by the generic i31 one (so
     * the broker's certificate may be on any of them), X25519 for the key exchange */
    br_ssl_engine_set_ec(eng, &br_ec_all_m31);
    br_ssl_engine_set_ecdsa(eng, br_ecdsa_i31_vrfy_asn1);
    br_ssl_engine_set_rsavrfy(eng, br_rsa_i31_pkcs1_vrfy);
    x509_pin_init(&t->x509, pin);
    br_ssl_engine_set_x509(eng, &t->x509.vtable);
    br_ssl_engine_set_buffer(eng, t->buf, sizeof(t->buf), 1);
}

struct tls_client *tls_client_open(s64 h, const u8 pin[32], char *why, size_t why_size)
{
    struct tls_client *t = kmalloc(sizeof(*t));
    if (!t) {
        snprintf(why, why_size, "out of memory for TLS");
        return NULL;
    }
    t->h = h;
    setup(t, pin);
    /* no server name: the pin, not a name, is the broker's identity */
    if (!br_ssl_client_reset(&t->cc, NULL, 0)) {
        snprintf(why, why_size, "cannot start TLS (BearSSL error %d)",
                 br_ssl_engine_last_error(&t->cc.eng));
        tls_client_free(t);
        return NULL;
    }
    br_sslio_init(&t->io, &t->cc.eng, low_read, t, low_write, t);
    /* flushing with nothing to send runs the handshake to its end */
    if (br_sslio_flush(&t->io) < 0 || br_ssl_engine_current_state(&t->cc.eng) == BR_SSL_CLOSED) {
        int err = br_ssl_engine_last_error(&t->cc.eng);
        char want[65], got[65];
        if (t->x509.mismatch) {
            hex(t->x509.pin, 32, want);
            hex(t->x509.seen, 32, got);
            snprintf(why, why_size,
                     "the key broker's certificate does not match the pinned sha256:%s "
                     "(it presented sha256:%s)",
                     want, got);
        } else if (t->conn_err) {
            snprintf(why, why_size, "TLS handshake with the key broker failed: %s (error %ld)",
                     broker_error_text(t->conn_err), -t->conn_err);
        } else {
            snprintf(why, why_size, "TLS handshake with the key broker failed (BearSSL error %d)",
                     err);
        }
        tls_client_free(t);
        return NULL;
    }
    return t;
}

/* After the handshake: the connection's own error, or -EBADMSG when BearSSL refused a
 * record (its tag fails: the bytes were changed on the way), never a parse error of
 * the HTTP the record would have carried. */
static s64 failed(struct tls_client *t)
{
    if (t->conn_err)
        return t->conn_err;
    return br_ssl_engine_last_error(&t->cc.eng) != BR_ERR_OK ? -EBADMSG : -EPROTO;
}

s64 tls_client_send_all(struct tls_client *t, const void *p, size_t n)
{
    /* buffered into records; tls_client_recv flushes, so a request's head and body share one */
    return br_sslio_write_all(&t->io, p, n) < 0 ? failed(t) : 0;
}

s64 tls_client_recv(struct tls_client *t, void *p, size_t n)
{
    if (br_sslio_flush(&t->io) < 0)
        return failed(t);
    int k = br_sslio_read(&t->io, p, MIN(n, (size_t)1 << 30));
    if (k > 0)
        return k;
    /* a close_notify is the end of the stream; anything else is a failure */
    if (br_ssl_engine_current_state(&t->cc.eng) == BR_SSL_CLOSED &&
        br_ssl_engine_last_error(&t->cc.eng) == BR_ERR_OK)
        return 0;
    return failed(t);
}

void tls_client_free(struct tls_client *t)
{
    if (!t)
        return;
    memzero(t, sizeof(*t)); /* session keys */
    kfree(t);
}
