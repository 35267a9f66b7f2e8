/* AMD's published SEV-SNP root (ARK) and signing (ASK) certificates, built in. */
#ifndef CLOISTER_VERIFY_AMD_ROOTS_H
#define CLOISTER_VERIFY_AMD_ROOTS_H

#include <stddef.h>

/*
 * One processor generation's certificate pair, as served by AMD's key distribution
 * service at https://kdsintf.amd.com/vcek/v1/<product>/cert_chain. The ARK is
 * self-signed; the ASK is signed by the ARK and signs that generation's VCEKs.
 */
struct amd_root {
    const char *product; /* "Milan", "Genoa" */
    const char *ark_pem;
    const char *ask_pem;
};

/* The built-in pairs, and how many there are. */
extern const struct amd_root amd_roots[];
extern const size_t amd_roots_count;

#endif
