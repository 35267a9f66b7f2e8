/*
 * Connections for the shim's secret fetching: to the key brokers the image's manifest
 * declares, and nowhere else. The guest names a SECRET by its index; the address comes
 * from the monitor's own copy of the manifest, so a hostile guest cannot reach any other
 * host. Bytes pass through as they are (the broker's answers are encrypted to a key only
 * the guest holds); every call is bounded by a timeout so a dead broker cannot hang the
 * run. With --net-log the relayed bytes are copied to a file, for the tests that check
 * no secret crosses in clear.
 */
#include <errno.h>
#include <stdbool.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "vmm/hypercall.h"

#define NET_TIMEOUT_S 10

static int net_fail(struct hc_ctx *c, int64_t err)
{
    c->ret = err;
    return 0;
}

static int *handle_fd(struct vm *vm, uint64_t h)
{
    return h < VM_MAX_NET && vm->net_fds[h] >= 0 ? &vm->net_fds[h] : NULL;
}

static void net_log(struct vm *vm, const char *dir, const void *p, size_t n)
{
    if (!vm->net_log)
        return;
    fprintf(vm->net_log, "%s %zu\n", dir, n);
    fwrite(p, 1, n, vm->net_log);
    fputc('\n', vm->net_log);
    fflush(vm->net_log);
}

/* "HOST:PORT|..." was checked when the image was opened */
static int broker_address(const char *spec, char host[256], char port[8])
{
    const char *colon = strchr(spec, ':'), *bar = strchr(spec, '|');
    if (!colon || !bar || colon > bar || (size_t)(colon - spec) >= 256 ||
        (size_t)(bar - colon - 1) >= 8)
        return -1;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = 0;
    memcpy(port, colon + 1, (size_t)(bar - colon - 1));
    port[bar - colon - 1] = 0;
    return 0;
}

/* Name resolution reads files, loads NSS modules and may talk to a local daemon: all
 * done here, before the sandbox (sandbox.c), which then needs only TCP sockets. */
int hc_net_resolve(struct vm *vm)
{
    if (!vm->secrets || !vm->nsecrets)
        return 0;
    vm->broker_ai = calloc(vm->nsecrets, sizeof(*vm->broker_ai));
    if (!vm->broker_ai)
        return vm_fail(vm, "out of memory");
    for (size_t i = 0; i < vm->nsecrets; i++) {
        char host[256], port[8];
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
        /* a name that does not resolve stays NULL: the guest's connect fails, as it
         * would have at connect time */
        if (broker_address(vm->secrets[i], host, port) == 0 &&
            getaddrinfo(host, port, &hints, &vm->broker_ai[i]) != 0)
            vm->broker_ai[i] = NULL;
    }
    return 0;
}

int hc_net_connect(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    uint64_t i = c->req.args[0];
    if (!vm->secrets || i >= vm->nsecrets)
        return net_fail(c, -EPERM);
    char host[256], port[8];
    if (broker_address(vm->secrets[i], host, port) < 0)
        return net_fail(c, -EINVAL);
    int slot = -1;
    for (int k = 0; k < VM_MAX_NET && slot < 0; k++)
        if (vm->net_fds[k] < 0)
            slot = k;
    if (slot < 0)
        return net_fail(c, -EMFILE);
    const struct addrinfo *res = vm->broker_ai ? vm->broker_ai[i] : NULL;
    if (!res)
        return net_fail(c, -EHOSTUNREACH);
    int fd = -1, err = ECONNREFUSED;
    for (const struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval tv = {NET_TIMEOUT_S, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        /* the shim writes a request's head and body as separate sends; with Nagle the
         * body waits for the broker's delayed ACK, 40 ms per request on Linux */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0)
        return net_fail(c, -err);
    vm->net_fds[slot] = fd;
    c->ret = slot;
    return 0;
}

/* NET_SEND and NET_RECV: args[0] the handle, args[1] the length, the bytes in the
 * request's data area. A timeout (SO_SNDTIMEO/SO_RCVTIMEO) is -ETIMEDOUT. */
static int transfer(struct hc_ctx *c, bool sending)
{
    struct vm *vm = c->vcpu->vm;
    int *fd = handle_fd(vm, c->req.args[0]);
    uint64_t len = c->req.args[1];
    if (!fd)
        return net_fail(c, -EBADF);
    if (len > CL_HC_DATA_SIZE)
        return vm_fail(vm, "shim %s %llu bytes: out of bounds", sending ? "sent" : "asked for",
                       (unsigned long long)len);
    ssize_t n = sending ? send(*fd, c->data, len, MSG_NOSIGNAL) : recv(*fd, c->data, len, 0);
    if (n > 0)
        net_log(vm, sending ? ">" : "<", c->data, (size_t)n);
    c->ret = n >= 0 ? n : errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
    return 0;
}

int hc_net_send(struct hc_ctx *c)
{
    return transfer(c, true);
}

int hc_net_recv(struct hc_ctx *c)
{
    return transfer(c, false);
}

int hc_net_close(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    int *fd = handle_fd(vm, c->req.args[0]);
    if (!fd)
        return net_fail(c, -EBADF);
    close(*fd);
    *fd = -1;
    c->ret = 0;
    return 0;
}
