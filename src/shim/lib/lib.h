/* Freestanding replacements for the bits of libc the shim needs. */
#ifndef SHIM_LIB_H
#define SHIM_LIB_H

#include "lib/types.h"

/* These are plain loops: no string instructions (PLATFORM.md). The compiler may call
 * memcpy/memset for struct copies, so the names are the standard ones. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void memzero(void *dst, size_t n);
/* Does byte c occur in p[0..n)? */
bool memchr_u8(const void *p, u8 c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strrchr(const char *s, int c);
/* The first c in s, or NULL (no builtin strchr in the shim). */
char *strchr_lite(const char *s, int c);
/* Copies at most size-1 bytes and always terminates (if size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* printf-style formatting: %d %i %u %x %lx %ld %lu %llx %p %s %c %%, width, '-', '0',
 * and precision for strings (%.*s). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
