/* One-line error messages (error_line.h). */
#include "common/error_line.h"

#include <openssl/err.h>
#include <stdio.h>

int verror_line(char *err, size_t err_size, const char *prefix, const char *fmt, va_list ap)
{
    if (!err || !err_size)
        return -1;
    int n = snprintf(err, err_size, "%s", prefix);
    if (n >= 0 && (size_t)n < err_size)
        vsnprintf(err + n, err_size - (size_t)n, fmt, ap);
    for (char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return -1;
}

int error_line(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_line(err, err_size, "", fmt, ap);
    va_end(ap);
    return -1;
}

int crypto_error_line(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_line(err, err_size, "", fmt, ap);
    va_end(ap);
    ERR_clear_error();
    return -1;
}
