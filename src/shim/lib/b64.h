/* base64 in both alphabets, for the key broker protocol (JOSE uses base64url). */
#ifndef SHIM_B64_H
#define SHIM_B64_H

#include "lib/types.h"

/* Encodes n bytes; url: the URL-safe alphabet without padding, else the standard one
 * with padding. Returns the length written (always NUL-terminated), or -1 if out is
 * too small. */
s64 b64_encode(const u8 *in, size_t n, char *out, size_t cap, bool url);
/* Decodes either alphabet (padding optional); the byte count, or -1 on a bad
 * character or if out is too small. */
s64 b64_decode(const char *in, size_t n, u8 *out, size_t cap);

#endif
