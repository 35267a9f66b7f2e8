/* <string.h> for third-party code built into the shim (BearSSL): the shim's own
 * loop-only implementations, no string instructions (src/shim/lib/lib.h). */
#ifndef SHIM_LIBC_STRING_H
#define SHIM_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
