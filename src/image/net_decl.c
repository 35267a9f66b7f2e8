/* Declared listening ports and destinations: text <-> struct cwi_net_decl. */
#include "image/net_decl.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1".."65535", decimal, no sign, no leading zero */
static int parse_port(const char *s, uint16_t *port)
{
    size_t n = strlen(s);
    if (n == 0 || n > 5 || strspn(s, "0123456789") != n || s[0] == '0')
        return -1;
    long v = strtol(s, NULL, 10);
    if (v < 1 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

/* Takes "tcp:" or "udp:" off the front; tcp when neither is there. */
static const char *parse_proto(const char *text, uint8_t *proto)
{
    *proto = CWI_NET_TCP;
    if (!strncmp(text, "tcp:", 4))
        return text + 4;
    if (!strncmp(text, "udp:", 4)) {
        *proto = CWI_NET_UDP;
        return text + 4;
    }
    return text;
}

static const char *parse_host(const char *host, size_t n, struct cwi_net_decl *out)
{
    char buf[INET6_ADDRSTRLEN + 2];
    if (n >= sizeof(buf))
        return "has a host that is no IP address";
    memcpy(buf, host, n);
    buf[n] = 0;
    if (buf[0] == '[' && n > 2 && buf[n - 1] == ']') {
        buf[n - 1] = 0;
        out->family = 6;
        return inet_pton(AF_INET6, buf + 1, out->addr) == 1 ? NULL : "has a bad IPv6 address in []";
    }
    out->family = 4;
    if (inet_pton(AF_INET, buf, out->addr) == 1)
        return NULL;
    if (strchr(buf, ':'))
        return "has an IPv6 address without [brackets]";
    return "has a host that is no IP address (names are not resolved: the host would choose "
           "the address)";
}

const char *net_decl_parse(const char *text, bool listen, struct cwi_net_decl *out)
{
    memset(out, 0, sizeof(*out));
    const char *rest = parse_proto(text, &out->proto);
    if (listen)
        return parse_port(rest, &out->port) ? "is not [tcp:|udp:]PORT (1..65535)" : NULL;
    const char *colon = strrchr(rest, ':');
    if (!colon || colon == rest)
        return "is not [tcp:|udp:]HOST:PORT";
    if (parse_port(colon + 1, &out->port))
        return "has no port in 1..65535";
    return parse_host(rest, (size_t)(colon - rest), out);
}

void net_decl_format(const struct cwi_net_decl *d, char out[NET_DECL_TEXT_MAX])
{
    const char *proto = d->proto == CWI_NET_UDP ? "udp" : "tcp";
    if (d->family == 0) {
        snprintf(out, NET_DECL_TEXT_MAX, "%s:%u", proto, d->port);
        return;
    }
    char a[INET6_ADDRSTRLEN] = "?";
    inet_ntop(d->family == 6 ? AF_INET6 : AF_INET, d->addr, a, sizeof(a));
    snprintf(out, NET_DECL_TEXT_MAX, d->family == 6 ? "%s:[%s]:%u" : "%s:%s:%u", proto, a, d->port);
}

const char *net_decl_problem(const struct cwi_net_decl *d, bool listen)
{
    if (d->proto != CWI_NET_TCP && d->proto != CWI_NET_UDP)
        return "has a protocol other than tcp or udp";
    if (d->port == 0)
        return "has port 0";
    static const uint8_t zero[16];
    if (listen)
        return d->family == 0 && !memcmp(d->addr, zero, 16) ? NULL
                                                            : "has an address (a listen has none)";
    if (d->family == 4)
        return memcmp(d->addr + 4, zero, 12) ? "has bytes past its IPv4 address" : NULL;
    return d->family == 6 ? NULL : "has a family other than 4 or 6";
}

bool net_decl_equal(const struct cwi_net_decl *a, const struct cwi_net_decl *b)
{
    return a->proto == b->proto && a->family == b->family && a->port == b->port &&
           !memcmp(a->addr, b->addr, 16);
}
