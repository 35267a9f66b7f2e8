/*
 * Fetching one resource from a Confidential Containers key broker (trustee's protocol,
 * version 0.4.0; src/kbs/kbs_protocol.h has the broker's side): authenticate, prove
 * this launch with an SEV-SNP report that binds the broker's nonce and a key made here,
 * then receive the resource encrypted to that key (ECDH-ES+A256KW, A256GCM) and decrypt
 * it. The key never leaves the shim; the host relays only ciphertext.
 */
#ifndef SHIM_KBS_CLIENT_H
#define SHIM_KBS_CLIENT_H

#include "lib/types.h"

/*
 * Fetches resource "REPO/TYPE/TAG" from the broker of manifest secret `index` (host is
 * its HOST:PORT, for the Host header), over TLS to a broker whose certificate's DER hashes
 * to pin (SHA-256), or plain HTTP if pin is NULL. On success 0, *out a kmalloc'ed plaintext of *len
 * bytes. On failure -1 and why holds one line saying what failed or what the broker said.
 */
int kbs_fetch(u32 index, const char *host, const u8 *pin, const char *resource, u8 **out,
              size_t *len, char *why, size_t why_size);

#endif
