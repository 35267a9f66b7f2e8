/* Reading small files and the PEM certificates in them (file_read.h). */
#include "common/file_read.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error_line.h"

char *file_read_small(const char *path, size_t max, size_t *len, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        error_line(err, err_size, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool bad = buf == NULL || ferror(f) || n > max;
    fclose(f);
    if (bad) {
        error_line(err, err_size, "cannot read %s: %s", path,
                   buf == NULL ? "out of memory"
                   : n > max   ? "too large"
                               : "read error");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

STACK_OF(X509) * pem_read_certs(const char *path, size_t max, char *err, size_t err_size)
{
    size_t len;
    char *data = file_read_small(path, max, &len, err, err_size);
    if (data == NULL)
        return NULL;
    STACK_OF(X509) *certs = sk_X509_new_null();
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    X509 *c;
    while (certs && bio && (c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(certs, c) <= 0) {
            X509_free(c);
            break;
        }
    }
    /* Reading stops at the end of the input (no further PEM block) or at a bad block. */
    unsigned long e = ERR_peek_last_error();
    bool clean_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
    if (certs == NULL || sk_X509_num(certs) == 0 || !clean_end) {
        error_line(err, err_size, "%s: %s", path,
                   certs && sk_X509_num(certs) > 0 ? "malformed PEM certificate"
                                                   : "no PEM certificate");
        sk_X509_pop_free(certs, X509_free);
        certs = NULL;
    }
    ERR_clear_error();
    BIO_free(bio);
    free(data);
    return certs;
}
