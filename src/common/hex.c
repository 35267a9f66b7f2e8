/* Hexadecimal text of bytes (hex.h). */
#include "common/hex.h"

#include <string.h>

void hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hex_decode(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

long hex_decode_padded(const char *s, uint8_t *out, size_t max)
{
    size_t digits = strlen(s);
    if (digits % 2 != 0 || digits / 2 > max)
        return -1;
    uint8_t bytes[digits / 2 + 1];
    if (hex_decode(s, bytes, digits / 2) < 0)
        return -1;
    memset(out, 0, max);
    memcpy(out, bytes, digits / 2);
    return (long)(digits / 2);
}
