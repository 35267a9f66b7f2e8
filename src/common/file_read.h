/*
 * Reading the small files a user names (reports, certificates, policies) whole, and
 * the PEM certificates in one. Failures leave one line in err naming the file.
 */
#ifndef CLOISTER_COMMON_FILE_READ_H
#define CLOISTER_COMMON_FILE_READ_H

#include <openssl/x509.h>
#include <stddef.h>

/*
 * The whole of path, at most max bytes, malloc'd with a NUL after the *len bytes read
 * (so text can be parsed in place). NULL with err: "cannot open PATH: ..." or "cannot
 * read PATH: too large" (or why else).
 */
char *file_read_small(const char *path, size_t max, size_t *len, char *err, size_t err_size);

/*
 * Every PEM certificate in path (at most max bytes), on a new stack: at least one, and
 * the file must end cleanly after the last. NULL with err: "PATH: no PEM certificate",
 * "PATH: malformed PEM certificate", or a file_read_small failure. OpenSSL's error
 * queue is left empty either way.
 */
STACK_OF(X509) * pem_read_certs(const char *path, size_t max, char *err, size_t err_size);

#endif
