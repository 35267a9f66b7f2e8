/*
 * TLS 1.2 to a key broker whose certificate is pinned (x509_pin.h), over a broker
 * connection (broker_conn.h). BearSSL's client, with only constant-time portable code: ECDHE
 * (X25519, P-256, P-384, P-521); an ECDSA or RSA certificate; AES-GCM records. The shim runs it in
 * whatever ring the system-call code runs in, so nothing here may need SSE or AES-NI.
 */
#ifndef SHIM_TLS_CLIENT_H
#define SHIM_TLS_CLIENT_H

#include "lib/types.h"

struct tls_client;

/*
 * Runs the handshake on connection h with a server whose leaf certificate's DER hashes
 * to pin. Returns the session, or NULL with one line in why.
 */
struct tls_client *tls_client_open(s64 h, const u8 pin[32], char *why, size_t why_size);
s64 tls_client_send_all(struct tls_client *t, const void *p, size_t n);
/* Up to n bytes of application data; 0 at the end of the stream; -errno. */
s64 tls_client_recv(struct tls_client *t, void *p, size_t n);
/* Frees the session; the connection itself stays the caller's to close. */
void tls_client_free(struct tls_client *t);

#endif
