/* Base64 for the key broker (see kbs_crypto.h): base64url for JOSE, the standard
 * alphabet for trustee's nonces, and base64url members of JSON objects. */
#include "kbs/kbs_crypto.h"
#include "kbs/kbs_jose_internal.h"
#include "common/error_line.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64_encode(const uint8_t *p, size_t n, const char *alphabet, bool pad)
{
    size_t full = n / 3, rest = n % 3;
    size_t out_len = 4 * full + (rest == 0 ? 0 : pad ? 4 : rest + 1);
    char *out = malloc(out_len + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < full; i++, p += 3) {
        uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (rest != 0) {
        uint32_t v = (uint32_t)p[0] << 16 | (rest == 2 ? (uint32_t)p[1] << 8 : 0);
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        if (rest == 2)
            *o++ = alphabet[(v >> 6) & 63];
        else if (pad)
            *o++ = '=';
        if (pad)
            *o++ = '=';
    }
    *o = '\0';
    return out;
}

char *kbs_b64url_encode(const uint8_t *p, size_t n)
{
    return b64_encode(p, n, url_alphabet, false);
}

char *kbs_b64_encode(const uint8_t *p, size_t n)
{
    return b64_encode(p, n, std_alphabet, true);
}

/* The 6-bit value of c in the alphabet (0 standard, 1 URL-safe), or -1. */
static int b64_value(char c, int url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

uint8_t *kbs_b64_decode(const char *s, size_t len, enum kbs_b64 form, size_t *out_len)
{
    /* Which alphabet: the URL-safe one unless a standard-only character appears. */
    int url = 1;
    if (form == KBS_B64_ANY) {
        bool has_std = memchr(s, '+', len) || memchr(s, '/', len);
        bool has_url = memchr(s, '-', len) || memchr(s, '_', len);
        if (has_std && has_url)
            return NULL;
        url = !has_std;
    }
    size_t data = len;
    while (data > 0 && s[data - 1] == '=')
        data--;
    size_t pads = len - data;
    if (pads > 0 && (form == KBS_B64_URL || len % 4 != 0 || pads > 2 || (data + pads) % 4 != 0 ||
                     (4 - data % 4) % 4 != pads))
        return NULL;
    if (data % 4 == 1)
        return NULL;

    uint8_t *out = malloc(data / 4 * 3 + 3);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data; i++) {
        int v = b64_value(s[i], url);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    /* The bits past the last whole byte must be zero, or two texts mean the same bytes. */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}

/* Decodes a JSON string member as base64url; NULL (why filled) if absent or not. */
uint8_t *kbs_b64url_member(const json_t *obj, const char *name, size_t *len, char *err,
                           size_t err_size)
{
    const json_t *v = json_object_get(obj, name);
    if (!json_is_string(v)) {
        crypto_error_line(err, err_size, "has no \"%s\" string", name);
        return NULL;
    }
    uint8_t *b = kbs_b64_decode(json_string_value(v), json_string_length(v), KBS_B64_URL, len);
    if (b == NULL)
        crypto_error_line(err, err_size, "\"%s\" is not base64url", name);
    return b;
}
