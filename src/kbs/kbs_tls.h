/*
 * The key broker's TLS identity: a certificate and its private key, read and checked
 * with OpenSSL before libmicrohttpd (GnuTLS) is given them, so that a bad file is one
 * clear line at start rather than a handshake failure in every guest. The pin is what
 * an image names to trust this broker (`cloister build --secret ...|sha256:PIN`): the
 * SHA-256 of the leaf certificate's DER.
 */
#ifndef CLOISTER_KBS_KBS_TLS_H
#define CLOISTER_KBS_KBS_TLS_H

#include <stddef.h>

struct kbs_tls {
    char *cert_pem;       /* the first certificate in the file, re-encoded as PEM */
    char *key_pem;        /* the private key, unencrypted PEM (PKCS#8) */
    char pin[7 + 64 + 1]; /* "sha256:<64 lowercase hex>" */
};

/* Fills t from the two PEM files; 0, or -1 with one line in err. */
int kbs_tls_load(struct kbs_tls *t, const char *cert_file, const char *key_file, char *err,
                 size_t err_size);

/* Wipes and frees what kbs_tls_load allocated. */
void kbs_tls_free(struct kbs_tls *t);

#endif
