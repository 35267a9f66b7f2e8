/*
 * TLS 1.2 to a key broker whose certificate is pinned (x509_pin.h), over a broker
 * connection (net.h). BearSSL's client, with only constant-time portable code: ECDHE
 * (X25519, P-256, P-384, P-521); an ECDSA or RSA certificate; AES-GCM records. The shim runs it in
 * whatever ring the system-call code runs in, so nothing here may need SSE or AES-NI.
 */
#ifndef SHIM_TLS_H
#define SHIM_TLS_H

#include "lib/types.h"

struct tls;

/*
 * Runs the handshake on connection h with a server whose leaf certificate's DER hashes
 * to pin. Returns the session, or NULL with one line in why.
 */
struct tls *tls_open(s64 h, const u8 pin[32], char *why, size_t why_size);
s64 tls_send_all(struct tls *t, const void *p, size_t n);
/* Up to n bytes of application data; 0 at the end of the stream; -errno. */
s64 tls_recv(struct tls *t, void *p, size_t n);
/* Frees the session; the connection itself stays the caller's to close. */
void tls_free(struct tls *t);

#endif
