/*
 * Just enough JSON to read a key broker's answers: find a member of an object and read
 * a string value. Input is untrusted: every function stays inside the given span and
 * fails (false) on anything malformed, never reads past it.
 */
#ifndef SHIM_JSON_LITE_H
#define SHIM_JSON_LITE_H

#include "lib/types.h"

/* The value of member `key` of the object text[0..n): its span in *v, *vlen. */
bool json_member(const char *text, size_t n, const char *key, const char **v, size_t *vlen);
/* A JSON string value (with its quotes) decoded into out (NUL-terminated; only ASCII
 * escapes); its length, or -1. */
s64 json_string(const char *v, size_t vlen, char *out, size_t cap);

#endif
