/*
 * The key broker's HTTP server: libmicrohttpd in front of kbs_handle(). It owns what
 * is about HTTP and bounds it: the listening socket, a body size limit (checked against
 * Content-Length before anything is read, and again while reading), connection count
 * and idle timeouts, the session cookie, and one log line per request:
 *
 *   <UTC time> <client address:port> <METHOD> <path> <status> <decision>
 *   2026-08-21T09:12:44Z 127.0.0.1:40312 GET /kbs/v0/resource/a/key/db 200 released ...
 *
 * libmicrohttpd is loaded with dlopen() when a server first starts, not linked: linking
 * it (and so GnuTLS and its eight dependencies) would cost every `cloister run` about
 * 3 ms of dynamic loading, more than half of the start-up budget (docs/performance.md).
 */
#ifndef CLOISTER_KBS_KBS_SERVER_H
#define CLOISTER_KBS_KBS_SERVER_H

#include "kbs/kbs_protocol.h"

#include <stddef.h>

/* An attestation with AMD's three certificates is ~8 KiB in base64, ~20 KiB as byte arrays. */
#define KBS_DEFAULT_MAX_BODY        (64 * 1024)
#define KBS_DEFAULT_MAX_CONNECTIONS 64
#define KBS_DEFAULT_TIMEOUT         10 /* seconds a connection may stay idle */

struct kbs_server_config {
    /* "ADDR:PORT": a numeric IPv4 address, "[IPv6]" or a host name; port 0 picks one. */
    const char *listen;
    struct kbs_broker *broker; /* borrowed: outlive the server */
    size_t max_body;           /* 0: KBS_DEFAULT_MAX_BODY */
    unsigned max_connections;  /* 0: KBS_DEFAULT_MAX_CONNECTIONS */
    unsigned timeout;          /* 0: KBS_DEFAULT_TIMEOUT */
    /* PEM certificate and key (kbs_tls.h): serve HTTPS. NULL: plain HTTP. */
    const char *tls_cert_pem, *tls_key_pem;
    /* Where the log lines go, one call per line without '\n'; NULL: stderr. Called from
     * the server's thread. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

struct kbs_server;

/*
 * Binds, listens and starts serving on a thread of the server's own. Returns the
 * server, or NULL with one line in err (libmicrohttpd missing, address in use...).
 */
struct kbs_server *kbs_server_start(const struct kbs_server_config *cfg, char *err,
                                    size_t err_size);

/* The port the server listens on (what port 0 became). */
unsigned kbs_server_port(const struct kbs_server *s);

/* The address it listens on, as "ADDR:PORT" or "[ADDR]:PORT". */
const char *kbs_server_address(const struct kbs_server *s);

/* Stops serving (finishing nothing in flight), closes the socket and frees s. */
void kbs_server_stop(struct kbs_server *s);

#endif
