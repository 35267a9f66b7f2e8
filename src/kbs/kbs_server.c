/* The key broker's HTTP front end over libmicrohttpd (see kbs_server.h). */
#include "kbs/kbs_server.h"

#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include <microhttpd.h>

#define MHD_SONAME        "libmicrohttpd.so.12"
#define CONNECTION_MEMORY (32 * 1024) /* request line and headers must fit in this */
#define LISTEN_BACKLOG    64
#define LOG_PATH_MAX      200

/* ---- libmicrohttpd, loaded on first use ---- */

/* The header may mark some of these deprecated in later versions; the ABI stays. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static struct {
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_lookup_connection_value) *lookup;
    __typeof__(MHD_get_connection_info) *connection_info;
    __typeof__(MHD_create_response_from_buffer) *response_from_buffer;
    __typeof__(MHD_add_response_header) *add_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
    __typeof__(MHD_is_feature_supported) *feature;
} mhd;
#pragma GCC diagnostic pop

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_error[300];

static void *mhd_symbol(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    if (p == NULL && mhd_error[0] == '\0')
        snprintf(mhd_error, sizeof(mhd_error), "%s has no %s", MHD_SONAME, name);
    return p;
}

/* Loads the library once per process; it stays loaded (servers may start again). */
static void mhd_load(void)
{
    void *lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(mhd_error, sizeof(mhd_error), "cannot load %s (%s): install libmicrohttpd12",
                 MHD_SONAME, dlerror());
        return;
    }
#define LOAD(field, name) *(void **)&mhd.field = mhd_symbol(lib, name)
    LOAD(start_daemon, "MHD_start_daemon");
    LOAD(stop_daemon, "MHD_stop_daemon");
    LOAD(lookup, "MHD_lookup_connection_value");
    LOAD(connection_info, "MHD_get_connection_info");
    LOAD(response_from_buffer, "MHD_create_response_from_buffer");
    LOAD(add_header, "MHD_add_response_header");
    LOAD(queue_response, "MHD_queue_response");
    LOAD(destroy_response, "MHD_destroy_response");
    LOAD(feature, "MHD_is_feature_supported");
#undef LOAD
}

/* ---- the server ---- */

struct kbs_server {
    struct MHD_Daemon *daemon;
    struct kbs_broker *broker;
    size_t max_body;
    unsigned port;
    char address[INET6_ADDRSTRLEN + 16];
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

/* What one request has sent so far. */
struct request_state {
    char *body;
    size_t len, cap;
    bool too_large;
};

static void log_to_stderr(void *ctx, const char *line)
{
    flockfile(stderr);
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
    funlockfile(stderr);
}

/* Copies s as printable ASCII (a client chooses paths), cut at max characters. */
static void printable(const char *s, char *out, size_t max)
{
    size_t i = 0;
    for (; s != NULL && s[i] != '\0' && i < max; i++)
        out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s != NULL && s[i] != '\0') {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

static void format_address(const struct sockaddr *sa, char *out, size_t outlen)
{
    char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
    socklen_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    getnameinfo(sa, len, host, sizeof(host), port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, outlen, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* The current time as the log shows it: ISO 8601, UTC, to the second. */
static void utc_now(char *out, size_t outlen)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void log_request(struct kbs_server *srv, struct MHD_Connection *c, const char *method,
                        const char *url, int status, const char *decision)
{
    char when[32], client[INET6_ADDRSTRLEN + 16] = "?", m[24], p[LOG_PATH_MAX + 4];
    char line[sizeof(when) + sizeof(client) + sizeof(m) + sizeof(p) + 800];
    utc_now(when, sizeof(when));
    const union MHD_ConnectionInfo *ci = mhd.connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL)
        format_address(ci->client_addr, client, sizeof(client));
    printable(method, m, 16);
    printable(url, p, LOG_PATH_MAX);
    snprintf(line, sizeof(line), "%s %s %s %s %d %s", when, client, m, p, status, decision);
    srv->log(srv->log_ctx, line);
}

static enum MHD_Result send_response(struct kbs_server *srv, struct MHD_Connection *c,
                                     const char *method, const char *url,
                                     const struct kbs_response *res)
{
    /* Logged first: the decision is made, and a client that has its answer must be able
     * to rely on the line being there. */
    log_request(srv, c, method, url, res->status, res->decision);
    const char *body = res->body ? res->body : "";
    struct MHD_Response *r =
        mhd.response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    mhd.add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    mhd.add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (res->set_cookie[0] != '\0')
        mhd.add_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
    enum MHD_Result ok = mhd.queue_response(c, (unsigned)res->status, r);
    mhd.destroy_response(r);
    return ok;
}

/* Answers 413 without handing anything to the broker. */
static enum MHD_Result too_large(struct kbs_server *srv, struct MHD_Connection *c,
                                 const char *method, const char *url)
{
    struct kbs_response res = {.status = 413};
    snprintf(res.decision, sizeof(res.decision), "refused: body larger than %zu bytes",
             srv->max_body);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":\"https://github.com/confidential-containers/kbs/errors/SerdeError\","
             "\"detail\":\"body larger than %zu bytes\"}",
             srv->max_body);
    res.body = body;
    return send_response(srv, c, method, url, &res);
}

/*
 * libmicrohttpd would decode %XX escapes in the path in place, and a decoded %00 ends
 * the C string the handler is given: ".../key/db%00x" would ask for ".../key/db". No
 * valid path needs an escape (docs/kbs.md, "Resources"), so none is decoded: the broker
 * sees the path as sent and refuses any '%' by name.
 */
static size_t keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

/*
 * libmicrohttpd calls this once when the headers are in, once per piece of body, and
 * once more when the body is complete; the answer is queued on that last call.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct kbs_server *srv = cls;
    struct request_state *st = *req_cls;
    if (st == NULL) {
        if ((st = calloc(1, sizeof(*st))) == NULL)
            return MHD_NO;
        *req_cls = st;
        /* Refuse an announced oversized body before reading any of it. */
        const char *cl = mhd.lookup(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno != 0 || n > srv->max_body) {
                st->too_large = true;
                return too_large(srv, c, method, url);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st->too_large)
            return MHD_YES;
        if (st->len + n > srv->max_body) {
            st->too_large = true; /* chunked, no Content-Length: found out while reading */
            free(st->body);
            st->body = NULL;
            st->len = st->cap = 0;
            return MHD_YES;
        }
        if (st->len + n + 1 > st->cap) {
            size_t cap = st->len + n + 1 < 4096 ? 4096 : 2 * (st->len + n + 1);
            char *p = realloc(st->body, cap);
            if (p == NULL)
                return MHD_NO;
            st->body = p;
            st->cap = cap;
        }
        memcpy(st->body + st->len, upload_data, n);
        st->len += n;
        st->body[st->len] = '\0';
        return MHD_YES;
    }
    if (st->too_large)
        return too_large(srv, c, method, url);

    struct kbs_request req = {
        .method = method,
        .path = url,
        .path_len = strlen(url),
        .cookie = mhd.lookup(c, MHD_COOKIE_KIND, KBS_COOKIE_NAME),
        .body = st->body ? st->body : "",
        .body_len = st->len,
    };
    struct kbs_response res;
    kbs_handle(srv->broker, &req, &res);
    enum MHD_Result ok = send_response(srv, c, method, url, &res);
    kbs_response_clear(&res);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request_state *st = *req_cls;
    if (st != NULL) {
        free(st->body);
        free(st);
        *req_cls = NULL;
    }
}

/* libmicrohttpd's own complaints (malformed requests, resource limits) go to the log. */
static void on_mhd_message(void *cls, const char *fmt, va_list ap)
{
    struct kbs_server *srv = cls;
    char msg[512], line[600], when[32];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    utc_now(when, sizeof(when));
    snprintf(line, sizeof(line), "%s http: %s", when, msg);
    srv->log(srv->log_ctx, line);
}

/* Splits "ADDR:PORT" / "[ADDR]:PORT" into host and port. 0 or -1. */
static int split_listen(const char *spec, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *colon;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (end == NULL || end[1] != ':' || (size_t)(end - spec - 1) >= hostlen)
            return -1;
        snprintf(host, hostlen, "%.*s", (int)(end - spec - 1), spec + 1);
        colon = end + 1;
    } else {
        colon = strrchr(spec, ':');
        if (colon == NULL || colon == spec || (size_t)(colon - spec) >= hostlen ||
            memchr(spec, ':', (size_t)(colon - spec)) != NULL)
            return -1;
        snprintf(host, hostlen, "%.*s", (int)(colon - spec), spec);
    }
    const char *p = colon + 1;
    if (*p == '\0' || strlen(p) >= portlen || strspn(p, "0123456789") != strlen(p) ||
        atol(p) > 65535)
        return -1;
    snprintf(port, portlen, "%s", p);
    return 0;
}

/* A listening socket for cfg->listen; -1 with err filled. */
static int open_listener(struct kbs_server *srv, const char *spec, int *family, char *err,
                         size_t err_size)
{
    char host[256], port[8];
    if (split_listen(spec, host, sizeof(host), port, sizeof(port)) != 0) {
        snprintf(err, err_size, "listen address '%.64s' is not ADDR:PORT or [ADDR]:PORT", spec);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, err_size, "listen address %.64s: %s", spec, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = ai; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (a->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
            continue;
        }
        *family = a->ai_family;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        snprintf(err, err_size, "cannot listen on %.64s: %s", spec, strerror(saved));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        format_address((struct sockaddr *)&ss, srv->address, sizeof(srv->address));
        srv->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return fd;
}

struct kbs_server *kbs_server_start(const struct kbs_server_config *cfg, char *err, size_t err_size)
{
    pthread_once(&mhd_once, mhd_load);
    if (mhd_error[0] != '\0') {
        snprintf(err, err_size, "%s", mhd_error);
        return NULL;
    }
    struct kbs_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    srv->broker = cfg->broker;
    srv->max_body = cfg->max_body ? cfg->max_body : KBS_DEFAULT_MAX_BODY;
    srv->log = cfg->log ? cfg->log : log_to_stderr;
    srv->log_ctx = cfg->log_ctx;
    int family = AF_INET;
    int fd = open_listener(srv, cfg->listen ? cfg->listen : "", &family, err, err_size);
    if (fd < 0) {
        free(srv);
        return NULL;
    }
    unsigned flags =
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (family == AF_INET6 ? MHD_USE_IPv6 : 0);
    /* HTTPS when given a certificate: libmicrohttpd copies neither, so they must outlive
     * the server (the caller's) */
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    if (cfg->tls_cert_pem != NULL) {
        if (mhd.feature(MHD_FEATURE_TLS) != MHD_YES) {
            close(fd);
            snprintf(err, err_size, "%s was built without TLS", MHD_SONAME);
            free(srv);
            return NULL;
        }
        flags |= MHD_USE_TLS;
    } else {
        tls[0].option = MHD_OPTION_END;
    }
    /* libmicrohttpd takes the socket over and closes it when stopped. No limit per client
     * address: every workload on a host reaches the broker from that host's address, and
     * with 16 a burst of launches on one host had the 17th and later reset at once (the
     * launch fails). At the overall limit libmicrohttpd stops accepting, so further
     * clients wait in the listen queue instead. */
    srv->daemon = mhd.start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_message, srv,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections ? cfg->max_connections : KBS_DEFAULT_MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout ? cfg->timeout : KBS_DEFAULT_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_UNESCAPE_CALLBACK,
        keep_escapes, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        close(fd);
        snprintf(err, err_size, "libmicrohttpd did not start on %s", srv->address);
        free(srv);
        return NULL;
    }
    return srv;
}

unsigned kbs_server_port(const struct kbs_server *s)
{
    return s->port;
}

const char *kbs_server_address(const struct kbs_server *s)
{
    return s->address;
}

void kbs_server_stop(struct kbs_server *s)
{
    if (s == NULL)
        return;
    mhd.stop_daemon(s->daemon);
    free(s);
}
