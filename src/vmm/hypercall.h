/*
 * Serving the shim's hypercalls. The guest is not trusted: the request is copied out of
 * guest memory once, the number checked against the table, every length bounded by
 * the bounce buffer, every fd limited to the workload's stdio. Returns 0 to go on
 * (possibly with vm->done set), -1 when the run must stop with an error.
 */
#ifndef CLOISTER_VMM_HYPERCALL_H
#define CLOISTER_VMM_HYPERCALL_H

#include "vmm/vm.h"

struct hc_ctx {
    struct vcpu *vcpu;
    struct cl_hcall req; /* a private copy of the request */
    uint8_t *data;       /* the vCPU's bounce buffer, CL_HC_DATA_SIZE bytes (shared) */
    int64_t ret;
    uint64_t rets[3];
};

int hypercall(struct vcpu *v);

/* Handlers, one per number (hc_*.c). */
int hc_fd_write(struct hc_ctx *c);
int hc_fd_read(struct hc_ctx *c);
int hc_fd_ioctl(struct hc_ctx *c);
int hc_fd_stat(struct hc_ctx *c);
int hc_fd_seek(struct hc_ctx *c);
int hc_attest(struct hc_ctx *c);
int hc_net_connect(struct hc_ctx *c);
int hc_net_send(struct hc_ctx *c);
int hc_net_recv(struct hc_ctx *c);
int hc_net_close(struct hc_ctx *c);

int hc_sock_open(struct hc_ctx *c);
int hc_sock_bind(struct hc_ctx *c);
int hc_sock_listen(struct hc_ctx *c);
int hc_sock_accept(struct hc_ctx *c);
int hc_sock_connect(struct hc_ctx *c);
int hc_sock_send(struct hc_ctx *c);
int hc_sock_recv(struct hc_ctx *c);
int hc_sock_shutdown(struct hc_ctx *c);
int hc_sock_setopt(struct hc_ctx *c);
int hc_sock_getopt(struct hc_ctx *c);
int hc_sock_name(struct hc_ctx *c);
int hc_sock_close(struct hc_ctx *c);
/* Whether handle h is a socket the monitor holds (for the hypercall fuzzer). */
bool hc_sock_live(const struct vm *vm, uint64_t h);
/* Closes every socket the guest left open (at the end of the run). */
void hc_sock_close_all(struct vm *vm);

/* Resolves the manifest's key brokers into vm->broker_ai, before the sandbox. */
int hc_net_resolve(struct vm *vm);

#endif
