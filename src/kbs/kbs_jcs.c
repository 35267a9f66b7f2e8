/*
 * RFC 8785 canonical JSON (JCS), and with it the runtime data an attestation report must
 * bind: the SHA-384 of the canonical {"tee-pubkey", "nonce", "additional-evidence"}
 * object, as trustee's KBS computes it.
 */
#include "kbs/kbs_protocol.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define JCS_MAX_DEPTH 64

struct sbuf {
    char *p;
    size_t len, cap;
    bool bad;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->bad = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* A string the way ECMAScript's JSON.stringify quotes it (RFC 8785 3.2.2.2). */
static void sb_string(struct sbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '\b':
            esc = "\\b";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof(u), "\\u%04x", c);
                esc = u;
            }
        }
        if (esc)
            sb_add(b, esc, strlen(esc));
        else
            sb_add(b, (const char *)&c, 1);
    }
    sb_add(b, "\"", 1);
}

/* The next UTF-16 code unit of valid UTF-8 text at *p (0 at its end). */
static unsigned next_utf16_unit(const unsigned char **p, unsigned *pending)
{
    if (*pending) {
        unsigned u = *pending;
        *pending = 0;
        return u;
    }
    const unsigned char *s = *p;
    if (*s == 0)
        return 0;
    unsigned n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : 4;
    uint32_t cp = n == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> n));
    for (unsigned i = 1; i < n && s[i] != 0; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    for (unsigned i = 0; i < n && **p != 0; i++)
        (*p)++;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *pending = 0xdc00 | (cp & 0x3ff);
        return 0xd800 | (cp >> 10);
    }
    return cp;
}

/* JCS orders members by the UTF-16 code units of their names (RFC 8785 3.2.3). */
static int utf16_cmp(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;
    unsigned px = 0, py = 0;
    for (;;) {
        unsigned ux = next_utf16_unit(&x, &px), uy = next_utf16_unit(&y, &py);
        if (ux != uy)
            return ux < uy ? -1 : 1;
        if (ux == 0)
            return 0;
    }
}

static int jcs_value(struct sbuf *b, const json_t *v, int depth)
{
    if (depth > JCS_MAX_DEPTH)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        const char **keys = malloc((n ? n : 1) * sizeof(*keys));
        if (keys == NULL)
            return -1;
        const char *k;
        json_t *member;
        json_object_foreach((json_t *)v, k, member)
        {
            keys[i++] = k;
        }
        qsort(keys, n, sizeof(*keys), utf16_cmp);
        int rc = 0;
        sb_add(b, "{", 1);
        for (i = 0; i < n && rc == 0; i++) {
            if (i)
                sb_add(b, ",", 1);
            sb_string(b, keys[i], strlen(keys[i]));
            sb_add(b, ":", 1);
            rc = jcs_value(b, json_object_get(v, keys[i]), depth + 1);
        }
        sb_add(b, "}", 1);
        free(keys);
        return rc;
    }
    case JSON_ARRAY:
        sb_add(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                sb_add(b, ",", 1);
            if (jcs_value(b, json_array_get(v, i), depth + 1) != 0)
                return -1;
        }
        sb_add(b, "]", 1);
        return 0;
    case JSON_STRING:
        sb_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER: {
        /* Within 2^53 a JSON number's shortest ECMAScript form is its decimal integer. */
        json_int_t i = json_integer_value(v);
        if (i >= (1LL << 53) || i <= -(1LL << 53))
            return -1;
        char d[32];
        int len = snprintf(d, sizeof(d), "%lld", (long long)i);
        sb_add(b, d, (size_t)len);
        return 0;
    }
    case JSON_REAL:
        return -1; /* ECMAScript number formatting is not reproduced here */
    case JSON_TRUE:
        sb_add(b, "true", 4);
        return 0;
    case JSON_FALSE:
        sb_add(b, "false", 5);
        return 0;
    case JSON_NULL:
        sb_add(b, "null", 4);
        return 0;
    }
    return -1;
}

char *kbs_jcs(const json_t *v)
{
    struct sbuf b = {0};
    if (v == NULL || jcs_value(&b, v, 0) != 0 || b.bad || b.p == NULL) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int kbs_runtime_data_hash(const char *nonce, const json_t *tee_pubkey,
                          const char *additional_evidence,
                          uint8_t report_data[SNP_REPORT_DATA_SIZE])
{
    /* The object trustee's KBS builds for the primary evidence (backend.rs). */
    json_t *rt = json_pack("{s:O, s:s, s:s}", "tee-pubkey", tee_pubkey, "nonce", nonce,
                           "additional-evidence", additional_evidence);
    char *text = kbs_jcs(rt);
    json_decref(rt);
    if (text == NULL)
        return -1;
    unsigned int len = 0;
    memset(report_data, 0, SNP_REPORT_DATA_SIZE);
    int ok = EVP_Digest(text, strlen(text), report_data, &len, EVP_sha384(), NULL) == 1;
    free(text);
    return ok && len == 48 ? 0 : -1;
}
