/* The key broker client (kbs_client.h): the RCAR exchange and the JWE it ends with. */
#include "tee/kbs_client.h"
#include "tee/attest.h"
#include "lib/b64.h"
#include "uapi/errno.h"
#include "tee/http.h"
#include "tee/json_lite.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "tee/broker_conn.h"
#include "arch/x86/random.h"
#include "tee/tls_client.h"

#include <bearssl.h>

#define ALG      "ECDH-ES+A256KW"
#define JSON_MAX (64 * 1024)

struct session {
    s64 h;
    struct tls_client *tls; /* NULL: plain HTTP */
    struct http_transport io;
    const char *host;
    char cookie[128];
    br_ec_private_key sk;
    u8 sk_buf[BR_EC_KBUF_PRIV_MAX_SIZE];
    char x[64], y[64]; /* the public point, base64url */
};

static int failf(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int failf(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* The broker's reason for a refusal: trustee puts it in "detail". */
static void refusal(const struct http_response *r, char *out, size_t size)
{
    const char *v;
    size_t vl;
    if (r->body && json_member(r->body, r->body_len, "detail", &v, &vl) &&
        json_string(v, vl, out, size) >= 0)
        return;
    snprintf(out, size, "%.120s", r->body ? r->body : "");
}

static int call(struct session *s, const char *method, const char *path, const char *body,
                struct http_response *r, char *why, size_t size)
{
    s64 err = http_request(&s->io, s->host, method, path, s->cookie, body, r);
    if (err)
        return failf(why, size, "%s %s: %s (error %ld)", method, path,
                     err == -EPROTO ? "malformed HTTP answer" : broker_error_text(err), -err);
    if (r->cookie[0])
        memcpy(s->cookie, r->cookie, sizeof(s->cookie));
    if (r->status != 200) {
        char reason[200];
        refusal(r, reason, sizeof(reason));
        kfree(r->body);
        return failf(why, size, "the broker refused %s: %d %s", path, r->status, reason);
    }
    return 0;
}

/* A P-256 key made here from the CPU's randomness. */
static int make_key(struct session *s)
{
    u8 seed[48];
    random_fill(seed, sizeof(seed));
    br_hmac_drbg_context rng;
    br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof(seed));
    if (!br_ec_keygen(&rng.vtable, &br_ec_p256_m31, &s->sk, s->sk_buf, BR_EC_secp256r1))
        return -1;
    br_ec_public_key pk;
    u8 pub[BR_EC_KBUF_PUB_MAX_SIZE];
    if (br_ec_compute_pub(&br_ec_p256_m31, &pk, pub, &s->sk) != 65)
        return -1;
    b64_encode(pub + 1, 32, s->x, sizeof(s->x), true);
    b64_encode(pub + 33, 32, s->y, sizeof(s->y), true);
    return 0;
}

/* The tee-pubkey JWK, members in JCS order (RFC 8785: sorted keys, no spaces). */
static int jwk(const struct session *s, char *out, size_t size)
{
    return snprintf(out, size,
                    "{\"alg\":\"" ALG "\",\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\","
                    "\"y\":\"%s\"}",
                    s->x, s->y);
}

static bool b64_chars(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '+' || *s == '/' || *s == '=' || *s == '-' || *s == '_'))
            return false;
    return true;
}

/* GHCB certificate table entries: GUID (as stored), offset, length; zero entry last. */
static const struct {
    u8 guid[16];
    const char *type;
} cert_types[] = {
    {{0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac,
      0xcd},
     "VCEK"},
    {{0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7,
      0x82},
     "ASK"},
    {{0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0,
      0xae},
     "ARK"},
};

/* Appends the cert_chain JSON array built from a certificate table. */
static int cert_chain(const u8 *t, u64 len, char *out, size_t size)
{
    size_t o = 0;
    int n = snprintf(out, size, "[");
    o = (size_t)n;
    bool first = true;
    for (u64 e = 0; e + 24 <= len; e += 24) {
        u32 off, l;
        memcpy(&off, t + e + 16, 4);
        memcpy(&l, t + e + 20, 4);
        if (off == 0 && l == 0)
            break;
        if (off > len || l > len - off)
            return -1;
        for (unsigned k = 0; k < ARRAY_SIZE(cert_types); k++) {
            if (memcmp(t + e, cert_types[k].guid, 16))
                continue;
            n = snprintf(out + o, size - o, "%s{\"cert_type\":\"%s\",\"data\":\"", first ? "" : ",",
                         cert_types[k].type);
            o += (size_t)n;
            s64 b = b64_encode(t + off, l, out + o, size - o, false);
            if (b < 0 || o + (size_t)b + 3 >= size)
                return -1;
            o += (size_t)b;
            out[o++] = '"';
            out[o++] = '}';
            first = false;
        }
    }
    if (o + 2 > size)
        return -1;
    out[o++] = ']';
    out[o] = 0;
    return 0;
}

/* The attest request: runtime data, the report binding it, and the certificates. */
static int attest(struct session *s, const char *nonce, char *why, size_t size)
{
    char key[300], *rt = kmalloc(1024), *body = kmalloc(JSON_MAX), *chain = kmalloc(JSON_MAX / 2);
    u8 *certs = kmalloc(SNP_CERTS_MAX);
    static u8 report[SNP_REPORT_SIZE];
    int rc = -1;
    if (!rt || !body || !chain || !certs) {
        failf(why, size, "out of memory");
        goto out;
    }
    jwk(s, key, sizeof(key));
    /* REPORT_DATA: SHA-384 of the canonical runtime data, zero-padded to 64 bytes */
    snprintf(rt, 1024, "{\"additional-evidence\":\"\",\"nonce\":\"%s\",\"tee-pubkey\":%s}", nonce,
             key);
    u8 data[64];
    memzero(data, sizeof(data));
    br_sha384_context h;
    br_sha384_init(&h);
    br_sha384_update(&h, rt, strlen(rt));
    br_sha384_out(&h, data);
    u64 certs_len = 0;
    s64 err = attest_report(0, data, report, certs, SNP_CERTS_MAX, &certs_len);
    if (err) {
        failf(why, size, "no attestation report (error %ld): is this a TEE launch?", -err);
        goto out;
    }
    if (cert_chain(certs, certs_len, chain, JSON_MAX / 2) < 0) {
        failf(why, size, "the certificate table is malformed");
        goto out;
    }
    char rep64[1600];
    b64_encode(report, sizeof(report), rep64, sizeof(rep64), false);
    snprintf(body, JSON_MAX,
             "{\"runtime-data\":{\"nonce\":\"%s\",\"tee-pubkey\":%s},\"tee-evidence\":{"
             "\"primary_evidence\":{\"attestation_report\":\"%s\",\"cert_chain\":%s},"
             "\"additional_evidence\":\"\"}}",
             nonce, key, rep64, chain);
    struct http_response r;
    if (call(s, "POST", "/kbs/v0/attest", body, &r, why, size) == 0) {
        kfree(r.body);
        rc = 0;
    }
out:
    kfree(rt);
    kfree(body);
    kfree(chain);
    kfree(certs);
    return rc;
}

/* A base64url member of a JSON object, decoded; its length or -1. */
static s64 member_b64(const char *json, size_t n, const char *name, u8 *out, size_t cap,
                      char *scratch, size_t scratch_cap)
{
    const char *v;
    size_t vl;
    s64 k;
    if (!json_member(json, n, name, &v, &vl) || (k = json_string(v, vl, scratch, scratch_cap)) < 0)
        return -1;
    return b64_decode(scratch, (size_t)k, out, cap);
}

/* RFC 3394 AES key unwrap with a 256-bit KEK: 40 bytes in, 32 out. */
static bool aes_kw_unwrap(const u8 kek[32], const u8 in[40], u8 out[32])
{
    br_aes_ct64_cbcdec_keys k;
    br_aes_ct64_cbcdec_init(&k, kek, 32);
    u8 a[8], r[4][8], b[16], iv[16];
    memcpy(a, in, 8);
    for (int i = 0; i < 4; i++)
        memcpy(r[i], in + 8 + 8 * i, 8);
    for (int j = 5; j >= 0; j--) {
        for (int i = 4; i >= 1; i--) {
            u64 t = (u64)(4 * j + i);
            for (int q = 0; q < 8; q++)
                b[q] = a[q] ^ (u8)(t >> (56 - 8 * q));
            memcpy(b + 8, r[i - 1], 8);
            memzero(iv, sizeof(iv)); /* one CBC block with a zero IV is one ECB block */
            br_aes_ct64_cbcdec_run(&k, iv, b, 16);
            memcpy(a, b, 8);
            memcpy(r[i - 1], b + 8, 8);
        }
    }
    static const u8 check[8] = {0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6};
    for (int i = 0; i < 4; i++)
        memcpy(out + 8 * i, r[i], 8);
    return memcmp(a, check, 8) == 0;
}

/* Decrypts the broker's JWE (flattened JSON serialization) with our key. */
static int open_jwe(struct session *s, const char *jwe, size_t n, u8 **out, size_t *len, char *why,
                    size_t size)
{
    static char scratch[JSON_MAX], prot[4096], header[4096];
    const char *v;
    size_t vl;
    s64 plen, hlen;
    if (!json_member(jwe, n, "protected", &v, &vl) ||
        (plen = json_string(v, vl, prot, sizeof(prot))) < 0 ||
        (hlen = b64_decode(prot, (size_t)plen, (u8 *)header, sizeof(header) - 1)) < 0)
        return failf(why, size, "the broker's answer has no protected header");
    header[hlen] = 0;
    char alg[32], enc[16];
    if (!json_member(header, (size_t)hlen, "alg", &v, &vl) ||
        json_string(v, vl, alg, sizeof(alg)) < 0 || strcmp(alg, ALG) ||
        !json_member(header, (size_t)hlen, "enc", &v, &vl) ||
        json_string(v, vl, enc, sizeof(enc)) < 0 || strcmp(enc, "A256GCM"))
        return failf(why, size, "the broker's answer is not " ALG "/A256GCM");
    const char *epk;
    size_t epk_len;
    u8 point[65];
    point[0] = 4;
    if (!json_member(header, (size_t)hlen, "epk", &epk, &epk_len) ||
        member_b64(epk, epk_len, "x", point + 1, 32, scratch, sizeof(scratch)) != 32 ||
        member_b64(epk, epk_len, "y", point + 33, 32, scratch, sizeof(scratch)) != 32)
        return failf(why, size, "the broker's ephemeral key is malformed");
    /* Z: the shared x coordinate; a point off the curve makes mul fail */
    if (!br_ec_p256_m31.mul(point, 65, s->sk.x, s->sk.xlen, BR_EC_secp256r1))
        return failf(why, size, "the broker's ephemeral key is not on P-256");
    /* Concat KDF (NIST SP 800-56A), SHA-256, one round: the 256-bit KEK */
    u8 kek[32], otherinfo[4 + 14 + 4 + 4 + 4];
    size_t o = 0;
    static const char alg_id[] = ALG;
    u32 lens[] = {(u32)(sizeof(alg_id) - 1), 0, 0};
    otherinfo[o++] = 0, otherinfo[o++] = 0, otherinfo[o++] = 0, otherinfo[o++] = (u8)lens[0];
    memcpy(otherinfo + o, alg_id, lens[0]);
    o += lens[0];
    for (int i = 0; i < 8; i++)
        otherinfo[o++] = 0; /* PartyUInfo, PartyVInfo: empty */
    otherinfo[o++] = 0, otherinfo[o++] = 0, otherinfo[o++] = 1, otherinfo[o++] = 0; /* 256 */
    br_sha256_context h;
    br_sha256_init(&h);
    static const u8 counter[4] = {0, 0, 0, 1};
    br_sha256_update(&h, counter, 4);
    br_sha256_update(&h, point + 1, 32);
    br_sha256_update(&h, otherinfo, o);
    br_sha256_out(&h, kek);

    u8 wrapped[40], cek[32], iv[12], tag[16];
    if (member_b64(jwe, n, "encrypted_key", wrapped, sizeof(wrapped), scratch, sizeof(scratch)) !=
            40 ||
        !aes_kw_unwrap(kek, wrapped, cek))
        return failf(why, size, "the content key does not unwrap with our key");
    if (member_b64(jwe, n, "iv", iv, sizeof(iv), scratch, sizeof(scratch)) != 12 ||
        member_b64(jwe, n, "tag", tag, sizeof(tag), scratch, sizeof(scratch)) != 16)
        return failf(why, size, "the broker's answer lacks its IV or tag");
    u8 *ct = kmalloc(n);
    s64 clen = ct ? member_b64(jwe, n, "ciphertext", ct, n, scratch, sizeof(scratch)) : -1;
    if (clen < 0) {
        kfree(ct);
        return failf(why, size, "the broker's ciphertext is malformed");
    }
    br_aes_ct64_ctr_keys ctr;
    br_gcm_context gcm;
    br_aes_ct64_ctr_init(&ctr, cek, 32);
    br_gcm_init(&gcm, &ctr.vtable, br_ghash_ctmul64);
    br_gcm_reset(&gcm, iv, sizeof(iv));
    br_gcm_aad_inject(&gcm, prot, (size_t)plen); /* ASCII(BASE64URL(protected header)) */
    br_gcm_flip(&gcm);
    br_gcm_run(&gcm, 0, ct, (size_t)clen);
    if (!br_gcm_check_tag(&gcm, tag)) {
        kfree(ct);
        return failf(why, size, "the resource fails its authentication tag");
    }
    memzero(cek, sizeof(cek));
    memzero(kek, sizeof(kek));
    *out = ct;
    *len = (size_t)clen;
    return 0;
}

static s64 plain_send(void *ctx, const void *p, size_t n)
{
    return broker_send_all(((struct session *)ctx)->h, p, n);
}

static s64 plain_recv(void *ctx, void *p, size_t n)
{
    return broker_recv(((struct session *)ctx)->h, p, n);
}

static s64 tls_send(void *ctx, const void *p, size_t n)
{
    return tls_client_send_all(((struct session *)ctx)->tls, p, n);
}

static s64 tls_receive(void *ctx, void *p, size_t n)
{
    return tls_client_recv(((struct session *)ctx)->tls, p, n);
}

int kbs_fetch(u32 index, const char *host, const u8 *pin, const char *resource, u8 **out,
              size_t *len, char *why, size_t why_size)
{
    static struct session s;
    memzero(&s, sizeof(s));
    s.host = host;
    s.h = broker_connect(index);
    if (s.h < 0)
        return failf(why, why_size, "cannot reach the key broker at %s: %s (error %ld)", host,
                     broker_error_text(s.h), -s.h);
    s.io = (struct http_transport){plain_send, plain_recv, &s};
    if (pin) {
        if (!(s.tls = tls_client_open(s.h, pin, why, why_size))) {
            broker_close(s.h);
            return -1;
        }
        s.io = (struct http_transport){tls_send, tls_receive, &s};
    }
    int rc = -1;
    struct http_response r;
    char nonce[128];
    const char *v;
    size_t vl;
    if (make_key(&s) < 0) {
        failf(why, why_size, "cannot make a key");
        goto out;
    }
    if (call(&s, "POST", "/kbs/v0/auth",
             "{\"version\":\"0.4.0\",\"tee\":\"snp\",\"extra-params\":\"\"}", &r, why,
             why_size) < 0)
        goto out;
    bool ok = json_member(r.body, r.body_len, "nonce", &v, &vl) &&
              json_string(v, vl, nonce, sizeof(nonce)) > 0 && b64_chars(nonce);
    kfree(r.body);
    if (!ok) {
        failf(why, why_size,
              "the broker's challenge has no usable nonce (a base64 string of at most %zu "
              "characters)",
              sizeof(nonce) - 1);
        goto out;
    }
    if (attest(&s, nonce, why, why_size) < 0)
        goto out;
    char path[300];
    snprintf(path, sizeof(path), "/kbs/v0/resource/%s", resource);
    if (call(&s, "GET", path, NULL, &r, why, why_size) < 0)
        goto out;
    rc = open_jwe(&s, r.body, r.body_len, out, len, why, why_size);
    kfree(r.body);
out:
    memzero(s.sk_buf, sizeof(s.sk_buf));
    tls_client_free(s.tls);
    broker_close(s.h);
    return rc;
}
