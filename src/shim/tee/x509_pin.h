/*
 * Certificate check by pin: the key broker is identified by the SHA-256 of its leaf
 * certificate's DER, which the (measured) manifest carries. No CA chain, no names, no
 * validity dates: the host controls the clock and could pick any CA, so the pin is the
 * whole identity. A br_x509_class for BearSSL's TLS client.
 */
#ifndef SHIM_X509_PIN_H
#define SHIM_X509_PIN_H

#include "lib/types.h"

#include <bearssl.h>

struct x509_pin {
    const br_x509_class *vtable; /* first: BearSSL calls through it */
    br_x509_decoder_context dec; /* the leaf's public key, for the key exchange */
    br_sha256_context sha;
    u8 pin[32];
    u8 seen[32]; /* what the leaf hashed to, for the refusal message */
    u32 certs;   /* certificates started so far; the first is the leaf */
    bool mismatch;
};

void x509_pin_init(struct x509_pin *x, const u8 pin[32]);

#endif
