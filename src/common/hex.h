/* Hexadecimal text of bytes, lowercase out, either case in. */
#ifndef CLOISTER_COMMON_HEX_H
#define CLOISTER_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes the 2n lowercase digits of p[0..n-1] and a NUL to out (2n + 1 bytes). */
void hex_encode(const uint8_t *p, size_t n, char *out);

/* The value of one hex digit, or -1 if c is not one. */
int hex_digit(char c);

/* Decodes s, which must be exactly 2n hex digits, into out[0..n-1]. 0, or -1. */
int hex_decode(const char *s, uint8_t *out, size_t n);

/* Decodes s, an even number of hex digits (none allowed) for at most max bytes, into
 * out, zeroing the rest of out[0..max-1]: how SEV-SNP pads short REPORT_DATA and
 * HOST_DATA. The number of bytes decoded, or -1. */
long hex_decode_padded(const char *s, uint8_t *out, size_t max);

#endif
