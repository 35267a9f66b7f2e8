/*
 * When two sockets may bind one port: Linux's rule, as both the shim (net/inet.c) and
 * the monitor (vmm/hc_sock.c) check it, so a guest that skips the shim gets the same
 * answer. Included by both sides; no libc beyond the integer types.
 *
 * Two binds of one protocol and port clash when the addresses they cover meet, unless
 * both sockets set SO_REUSEPORT before binding. An IPv4 socket covers its address (or
 * every IPv4 address for 0.0.0.0); an IPv6 socket bound to :: covers every IPv6
 * address and, unless it set IPV6_V6ONLY, every IPv4 one too; bound to an IPv4-mapped
 * address it covers that IPv4 address. So a dual-stack server's pair, 0.0.0.0:P and
 * [::]:P with IPV6_V6ONLY (Redis's default `bind * -::*`), is allowed, and a second
 * 0.0.0.0:P is EADDRINUSE. (Linux's SO_REUSEADDR exception for TCP sockets that never
 * listen is left out: servers do not rely on it.)
 */
#ifndef CLOISTER_NET_BIND_H
#define CLOISTER_NET_BIND_H

#include <stdbool.h>
#include <stdint.h>

struct cl_bind {
    uint8_t sock_family; /* 4 or 6: the socket's */
    uint8_t addr_family; /* 4 or 6: the address's; an IPv4-mapped one is 4 */
    uint8_t addr[16];    /* 4 or 16 bytes of it; all zero: the wildcard */
    bool v6only, reuseport;
};

/* Whether the wildcard of the address's family. */
static inline bool cl_bind_any(const struct cl_bind *b)
{
    for (int i = 0; i < (b->addr_family == 4 ? 4 : 16); i++)
        if (b->addr[i])
            return false;
    return true;
}

/* Whether b covers IPv4 (v4) or IPv6 addresses at all. */
static inline bool cl_bind_covers(const struct cl_bind *b, uint8_t family)
{
    if (b->addr_family == 4)
        return family == 4 && !(b->sock_family == 6 && b->v6only);
    if (family == 6)
        return true;
    return cl_bind_any(b) && !b->v6only; /* [::] without IPV6_V6ONLY takes IPv4 too */
}

static inline bool cl_bind_meet(const struct cl_bind *a, const struct cl_bind *b, uint8_t family)
{
    if (!cl_bind_covers(a, family) || !cl_bind_covers(b, family))
        return false;
    if (cl_bind_any(a) || cl_bind_any(b))
        return true;
    if (a->addr_family != b->addr_family)
        return false;
    for (int i = 0; i < (a->addr_family == 4 ? 4 : 16); i++)
        if (a->addr[i] != b->addr[i])
            return false;
    return true;
}

/* Whether binding b on a port a holds (same protocol) is EADDRINUSE. */
static inline bool cl_bind_clash(const struct cl_bind *a, const struct cl_bind *b)
{
    if (a->reuseport && b->reuseport)
        return false;
    return cl_bind_meet(a, b, 4) || cl_bind_meet(a, b, 6);
}

#endif
