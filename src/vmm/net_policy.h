/*
 * The workload's declared network on the monitor's side (docs/network.md): the
 * manifest's LISTEN and CONNECT records, checked again here for every socket hypercall
 * (the shim checks them first; a hostile guest skips the shim), and `cloister run -p`,
 * which publishes a declared port on a host address. Published ports are bound before
 * the VM starts, so a port in use is one line at start and the sandbox needs no bind().
 */
#ifndef CLOISTER_VMM_NET_POLICY_H
#define CLOISTER_VMM_NET_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cloister/cwi.h>

struct vm;

#define NET_HEARD_MAX 16 /* sources a UDP socket remembers to answer */

/* One -p: the guest's port, where it is bound on the host, the host socket. */
struct net_publish {
    uint8_t proto; /* CWI_NET_TCP or CWI_NET_UDP */
    uint16_t guest_port;
    struct sockaddr_storage host;
    socklen_t host_len;
    int fd;      /* bound before the sandbox; -1 until then */
    bool in_use; /* a guest socket holds the port (one at a time, as a bind would) */
};

/* An address as both sides compare it: IPv4-mapped IPv6 addresses count as IPv4. */
struct net_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port; /* host order */
};

/* Parses "[HOSTIP:]HOSTPORT:PORT[/udp|/tcp]" (HOSTIP IPv4 or [IPv6], 127.0.0.1 by
 * default); NULL if good, else what is wrong. */
const char *net_publish_parse(const char *spec, struct net_publish *out);
/* Checks each -p against the declarations and binds its host socket; 0 or -1 with
 * vm->err naming the -p. Before the sandbox. */
int net_publish_open(struct vm *vm, const char *const *specs);
void net_publish_close(struct vm *vm);

/* A guest's sockaddr of a socket of `family` (AF_INET, AF_INET6): 0 with *out, or
 * -errno (EINVAL for a bad length, EAFNOSUPPORT for another family). */
int net_addr_from_guest(int family, const void *sa, size_t len, struct net_addr *out);
bool net_listen_declared(const struct vm *vm, uint8_t proto, uint16_t port);
bool net_connect_declared(const struct vm *vm, uint8_t proto, const struct net_addr *a);
/* The declared publish of (proto, port), or NULL: declared but not published. */
struct net_publish *net_publish_find(struct vm *vm, uint8_t proto, uint16_t port);

#endif
