/* A small HTTP/1.1 client over a broker connection: JSON requests, one at a time. */
#ifndef SHIM_HTTP_H
#define SHIM_HTTP_H

#include "lib/types.h"

struct http_response {
    int status;
    char *body; /* NUL-terminated, kmalloc'ed; free with kfree */
    size_t body_len;
    char cookie[128]; /* the value of a kbs-session-id cookie it set, or "" */
};

/* Where the bytes go: a plain broker connection or a TLS session over one. */
struct http_transport {
    s64 (*send_all)(void *ctx, const void *p, size_t n); /* 0 or -errno */
    s64 (*recv)(void *ctx, void *p, size_t n);           /* bytes, 0 at the end, or -errno */
    void *ctx;
};

/* Sends method path (with cookie if not "", and body as JSON if not NULL) on h and reads
 * the response. 0, or -errno (-EPROTO for a malformed response). */
s64 http_request(const struct http_transport *t, const char *host, const char *method,
                 const char *path, const char *cookie, const char *body, struct http_response *r);

#endif
