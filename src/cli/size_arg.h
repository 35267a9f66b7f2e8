/* Command-line sizes with an optional K/M/G suffix (binary units). */
#ifndef CLOISTER_CLI_SIZE_ARG_H
#define CLOISTER_CLI_SIZE_ARG_H

#include <stdint.h>

/* 0 and *out set, or -1 if s is not a size. */
int parse_size(const char *s, uint64_t *out);

#endif
