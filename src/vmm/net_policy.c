/* Declarations and published ports (net_policy.h). */
#include "vmm/net_policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/vm.h"

static int parse_port(const char *s, size_t n, uint16_t *port)
{
    if (n == 0 || n > 5 || strspn(s, "0123456789") < n || s[0] == '0')
        return -1;
    long v = strtol(s, NULL, 10);
    if (v < 1 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static const char *parse_host_ip(const char *s, size_t n, uint16_t port, struct net_publish *out)
{
    char buf[INET6_ADDRSTRLEN + 2];
    if (n >= sizeof(buf))
        return "has a host address that is no IP address";
    memcpy(buf, s, n);
    buf[n] = 0;
    if (buf[0] == '[' && n > 2 && buf[n - 1] == ']') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->host;
        buf[n - 1] = 0;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        out->host_len = sizeof(*a);
        return inet_pton(AF_INET6, buf + 1, &a->sin6_addr) == 1 ? NULL : "has a bad IPv6 address";
    }
    struct sockaddr_in *a = (struct sockaddr_in *)&out->host;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    out->host_len = sizeof(*a);
    return inet_pton(AF_INET, buf, &a->sin_addr) == 1 ? NULL
                                                      : "has a host address that is no IP address";
}

const char *net_publish_parse(const char *spec, struct net_publish *out)
{
    memset(out, 0, sizeof(*out));
    out->fd = -1;
    out->proto = CWI_NET_TCP;
    size_t len = strlen(spec);
    const char *slash = strrchr(spec, '/');
    if (slash && strchr(slash, ']') == NULL) {
        if (!strcmp(slash, "/udp"))
            out->proto = CWI_NET_UDP;
        else if (strcmp(slash, "/tcp"))
            return "has a protocol other than /tcp or /udp";
        len = (size_t)(slash - spec);
    }
    char buf[96];
    if (len >= sizeof(buf))
        return "is too long";
    memcpy(buf, spec, len);
    buf[len] = 0;
    char *host = NULL, *rest = buf;
    if (buf[0] == '[') { /* [IPv6]:HOSTPORT:PORT */
        char *close = strchr(buf, ']');
        if (!close || close[1] != ':')
            return "has an IPv6 host address without its closing ']:'";
        close[1] = 0;
        host = buf;
        rest = close + 2;
    }
    char *c1 = strchr(rest, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 && !host) { /* IPv4:HOSTPORT:PORT */
        *c1 = 0;
        host = rest;
        rest = c1 + 1;
        c1 = c2;
        c2 = strchr(c1 + 1, ':');
    }
    uint16_t host_port;
    if (!c1 || c2)
        return "is not [HOSTIP:]HOSTPORT:PORT[/udp]";
    *c1 = 0;
    if (parse_port(rest, strlen(rest), &host_port) ||
        parse_port(c1 + 1, strlen(c1 + 1), &out->guest_port))
        return "has a port outside 1..65535";
    if (!host)
        host = "127.0.0.1";
    return parse_host_ip(host, strlen(host), host_port, out);
}

bool net_listen_declared(const struct vm *vm, uint8_t proto, uint16_t port)
{
    for (size_t i = 0; i < vm->nlisten; i++)
        if (vm->listen[i].proto == proto && vm->listen[i].port == port)
            return true;
    return false;
}

bool net_connect_declared(const struct vm *vm, uint8_t proto, const struct net_addr *a)
{
    for (size_t i = 0; i < vm->nconnect; i++) {
        const struct cwi_net_decl *d = &vm->connect[i];
        if (d->proto == proto && d->family == a->family && d->port == a->port &&
            !memcmp(d->addr, a->addr, a->family == 4 ? 4 : 16))
            return true;
    }
    return false;
}

struct net_publish *net_publish_find(struct vm *vm, uint8_t proto, uint16_t port)
{
    for (size_t i = 0; i < vm->npublish; i++)
        if (vm->publish[i].proto == proto && vm->publish[i].guest_port == port)
            return &vm->publish[i];
    return NULL;
}

int net_addr_from_guest(int family, const void *sa, size_t len, struct net_addr *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    uint16_t fam;
    if (len < sizeof(fam))
        return -EINVAL;
    memcpy(&fam, sa, sizeof(fam));
    memset(out, 0, sizeof(*out));
    if (fam != family)
        return family == AF_INET ? -EAFNOSUPPORT : -EINVAL;
    if (fam == AF_INET) {
        struct sockaddr_in a;
        if (len < sizeof(a))
            return -EINVAL;
        memcpy(&a, sa, sizeof(a));
        out->family = 4;
        memcpy(out->addr, &a.sin_addr, 4);
        out->port = ntohs(a.sin_port);
        return 0;
    }
    struct sockaddr_in6 a;
    if (fam != AF_INET6 || len < 24) /* Linux takes the RFC 2133 size without scope id */
        return -EINVAL;
    memset(&a, 0, sizeof(a));
    memcpy(&a, sa, len < sizeof(a) ? len : sizeof(a));
    out->port = ntohs(a.sin6_port);
    if (!memcmp(&a.sin6_addr, mapped, 12)) {
        out->family = 4;
        memcpy(out->addr, (uint8_t *)&a.sin6_addr + 12, 4);
    } else {
        out->family = 6;
        memcpy(out->addr, &a.sin6_addr, 16);
    }
    return 0;
}

static int publish_fail(struct vm *vm, const char *spec, const char *why)
{
    return vm_fail(vm, "-p %s: %s", spec, why);
}

int net_publish_open(struct vm *vm, const char *const *specs)
{
    for (size_t i = 0; i < vm->npublish; i++) {
        struct net_publish *p = &vm->publish[i];
        const char *proto = p->proto == CWI_NET_UDP ? "udp" : "tcp";
        char why[160];
        if (!net_listen_declared(vm, p->proto, p->guest_port)) {
            snprintf(why, sizeof(why), "%s:%u is not a port this workload declares (--listen)",
                     proto, p->guest_port);
            return publish_fail(vm, specs[i], why);
        }
        for (size_t j = 0; j < i; j++)
            if (vm->publish[j].proto == p->proto && vm->publish[j].guest_port == p->guest_port)
                return publish_fail(vm, specs[i], "publishes a port already published");
        int type = p->proto == CWI_NET_UDP ? SOCK_DGRAM : SOCK_STREAM;
        p->fd = socket(p->host.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (p->fd < 0)
            return publish_fail(vm, specs[i], strerror(errno));
        setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
        if (bind(p->fd, (struct sockaddr *)&p->host, p->host_len) < 0) {
            snprintf(why, sizeof(why), "cannot bind the host port: %s", strerror(errno));
            return publish_fail(vm, specs[i], why);
        }
    }
    return 0;
}

void net_publish_close(struct vm *vm)
{
    for (size_t i = 0; i < vm->npublish; i++)
        if (vm->publish[i].fd >= 0)
            close(vm->publish[i].fd);
    free(vm->publish);
    vm->publish = NULL;
    vm->npublish = 0;
}
