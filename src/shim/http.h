/* A small HTTP/1.1 client over a broker connection: JSON requests, one at a time. */
#ifndef SHIM_HTTP_H
#define SHIM_HTTP_H

#include "types.h"

struct http_response {
    int status;
    char *body; /* NUL-terminated, kmalloc'ed; free with kfree */
    size_t body_len;
    char cookie[128]; /* the value of a kbs-session-id cookie it set, or "" */
};

/* Sends method path (with cookie if not "", and body as JSON if not NULL) on h and reads
 * the response. 0, or -errno (-EPROTO for a malformed response). */
s64 http_request(s64 h, const char *host, const char *method, const char *path, const char *cookie,
                 const char *body, struct http_response *r);

#endif
