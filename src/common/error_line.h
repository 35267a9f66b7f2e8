/*
 * The one-line error messages of the host library: every function that can fail takes
 * (char *err, size_t err_size) and fills it through these. What goes in may come from
 * host file names or untrusted images, so control bytes become '?': a message stays one
 * printable line.
 */
#ifndef CLOISTER_COMMON_ERROR_LINE_H
#define CLOISTER_COMMON_ERROR_LINE_H

#include <stdarg.h>
#include <stddef.h>

/* Formats into err (if err_size > 0) and returns -1, for `return error_line(...)`. */
__attribute__((format(printf, 3, 4))) int error_line(char *err, size_t err_size, const char *fmt,
                                                     ...);

/* The same with a fixed prefix ("image: ") and a va_list, for wrappers. */
int verror_line(char *err, size_t err_size, const char *prefix, const char *fmt, va_list ap);

/* error_line for code that calls OpenSSL: its errors queue per thread, and a failure
 * must not leave them behind for the next caller to misread. */
__attribute__((format(printf, 3, 4))) int crypto_error_line(char *err, size_t err_size,
                                                            const char *fmt, ...);

#endif
