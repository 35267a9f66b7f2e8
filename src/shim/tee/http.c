/*
 * HTTP/1.1 requests to a key broker. Responses are untrusted input: header lines and the
 * body have fixed caps, Content-Length is parsed strictly, and anything else ends the
 * exchange with -EPROTO.
 */
#include "tee/http.h"
#include "uapi/errno.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"

#define HEADER_MAX 8192
#define BODY_MAX   (2u << 20)

static char req[HEADER_MAX + 64];

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_cookie_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

/* Case-insensitive prefix match of a header line. */
static bool header_is(const char *line, const char *name)
{
    for (; *name; name++, line++) {
        char a = *line, b = *name;
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

s64 http_request(const struct http_transport *t, const char *host, const char *method,
                 const char *path, const char *cookie, const char *body, struct http_response *r)
{
    memzero(r, sizeof(*r));
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n",
                     method, path, host);
    if (body)
        n += snprintf(req + n, sizeof(req) - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", blen);
    if (cookie && cookie[0])
        n += snprintf(req + n, sizeof(req) - (size_t)n, "Cookie: kbs-session-id=%s\r\n", cookie);
    n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
    if (n >= (int)sizeof(req))
        return -EINVAL;
    s64 err = t->send_all(t->ctx, req, (size_t)n);
    if (!err && body)
        err = t->send_all(t->ctx, body, blen);
    if (err)
        return err;

    /* the header, up to the blank line */
    static char head[HEADER_MAX + 1];
    size_t got = 0, end = 0;
    while (!end) {
        if (got == HEADER_MAX)
            return -EPROTO;
        s64 k = t->recv(t->ctx, head + got, HEADER_MAX - got);
        if (k <= 0)
            return k < 0 ? k : -EPROTO;
        got += (size_t)k;
        head[got] = 0;
        for (size_t i = 3; i < got && !end; i++)
            if (head[i - 3] == '\r' && head[i - 2] == '\n' && head[i - 1] == '\r' &&
                head[i] == '\n')
                end = i + 1;
    }
    if (got < 12 || memcmp(head, "HTTP/1.", 7) || head[8] != ' ' || !is_digit(head[9]) ||
        !is_digit(head[10]) || !is_digit(head[11]))
        return -EPROTO;
    r->status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    if (r->status < 100 || r->status > 599)
        return -EPROTO;
    s64 length = -1;
    for (char *line = strchr_lite(head, '\n'); line && (size_t)(line - head) < end;) {
        line++;
        if (header_is(line, "content-length:")) {
            const char *p = line + 15;
            while (*p == ' ')
                p++;
            length = 0;
            for (; *p >= '0' && *p <= '9' && length <= BODY_MAX; p++)
                length = length * 10 + (*p - '0');
            if (length > BODY_MAX || (*p != '\r' && *p != ' '))
                return -EPROTO;
        } else if (header_is(line, "set-cookie: kbs-session-id=")) {
            const char *p = line + 27;
            size_t k = 0;
            /* it goes back into our next request's header: token characters only */
            while (is_cookie_char(p[k]) && k + 1 < sizeof(r->cookie))
                k++;
            memcpy(r->cookie, p, k);
            r->cookie[k] = 0;
        } else if (header_is(line, "transfer-encoding:")) {
            return -EPROTO; /* the brokers we speak to send a length */
        }
        line = strchr_lite(line, '\n');
    }
    if (length < 0)
        return -EPROTO;
    r->body = kmalloc((size_t)length + 1);
    if (!r->body)
        return -ENOMEM;
    size_t have = MIN(got - end, (size_t)length);
    memcpy(r->body, head + end, have);
    while (have < (size_t)length) {
        s64 k = t->recv(t->ctx, r->body + have, (size_t)length - have);
        if (k <= 0) {
            kfree(r->body);
            r->body = NULL;
            return k < 0 ? k : -EPROTO;
        }
        have += (size_t)k;
    }
    r->body[length] = 0;
    r->body_len = (size_t)length;
    return 0;
}
