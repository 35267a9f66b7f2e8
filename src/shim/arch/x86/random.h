/* Randomness from the CPU (RDRAND, falling back to RDSEED), never from the host. */
#ifndef SHIM_RANDOM_H
#define SHIM_RANDOM_H

#include "lib/types.h"

/* One random 64-bit value; panics if the CPU gives none after retries. */
u64 random_u64(void);
void random_fill(void *buf, size_t n);

#endif
