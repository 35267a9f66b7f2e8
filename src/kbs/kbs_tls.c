/* The broker's certificate and key (kbs_tls.h). */
#include "kbs/kbs_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

/* A memory BIO's contents as a NUL-terminated string; NULL if out of memory. */
static char *bio_string(BIO *b)
{
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        memcpy(s, data, (size_t)n);
        s[n] = '\0';
    }
    return s;
}

static int pin_of(X509 *cert, char pin[7 + 64 + 1])
{
    unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
    int n = i2d_X509(cert, &der);
    if (n <= 0)
        return -1;
    SHA256(der, (size_t)n, md);
    OPENSSL_free(der);
    memcpy(pin, "sha256:", 7);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(pin + 7 + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int kbs_tls_load(struct kbs_tls *t, const char *cert_file, const char *key_file, char *err,
                 size_t err_size)
{
    memset(t, 0, sizeof(*t));
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    BIO *out = NULL;
    FILE *f = fopen(cert_file, "r");
    int rc = -1;
    if (f == NULL) {
        snprintf(err, err_size, "--tls-cert %s: cannot read it", cert_file);
        goto out;
    }
    cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (cert == NULL) {
        snprintf(err, err_size, "--tls-cert %s: no PEM certificate in it", cert_file);
        goto out;
    }
    if ((f = fopen(key_file, "r")) == NULL) {
        snprintf(err, err_size, "--tls-key %s: cannot read it", key_file);
        goto out;
    }
    /* no passphrase callback: a broker that starts unattended cannot ask for one */
    key = PEM_read_PrivateKey(f, NULL, NULL, (void *)"");
    fclose(f);
    if (key == NULL) {
        snprintf(err, err_size, "--tls-key %s: no unencrypted PEM private key in it", key_file);
        goto out;
    }
    if (X509_check_private_key(cert, key) != 1) {
        snprintf(err, err_size, "--tls-key %s is not the key of the certificate in %s", key_file,
                 cert_file);
        goto out;
    }
    if (pin_of(cert, t->pin) != 0 || (out = BIO_new(BIO_s_mem())) == NULL ||
        PEM_write_bio_X509(out, cert) != 1 || (t->cert_pem = bio_string(out)) == NULL ||
        BIO_reset(out) != 1 || PEM_write_bio_PrivateKey(out, key, NULL, NULL, 0, NULL, NULL) != 1 ||
        (t->key_pem = bio_string(out)) == NULL) {
        snprintf(err, err_size, "cannot encode the TLS certificate and key");
        goto out;
    }
    rc = 0;
out:
    ERR_clear_error();
    if (out != NULL) {
        char *data;
        long n = BIO_get_mem_data(out, &data);
        if (n > 0)
            OPENSSL_cleanse(data, (size_t)n);
        BIO_free(out);
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    if (rc != 0)
        kbs_tls_free(t);
    return rc;
}

void kbs_tls_free(struct kbs_tls *t)
{
    if (t->key_pem != NULL) {
        OPENSSL_cleanse(t->key_pem, strlen(t->key_pem));
        free(t->key_pem);
    }
    free(t->cert_pem);
    t->cert_pem = t->key_pem = NULL;
}
