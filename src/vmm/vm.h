/*
 * The monitor's view of one VM: the KVM handles, guest memory, the vCPUs and the run's
 * outcome. Guest memory is touched only through gpa_ptr(), which checks the range.
 */
#ifndef CLOISTER_VMM_VM_H
#define CLOISTER_VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cloister/abi.h>

#include <stdio.h>

#define VM_MAX_NET 4

struct addrinfo;
struct cwi_net_decl;
struct net_publish;
struct vm_sock;
struct kvm_run;
struct sim_tee;

struct vcpu {
    struct vm *vm;
    unsigned id;
    int fd;
    struct kvm_run *run;
    size_t run_size;
    /* its thread (vcpus.c): vCPU 0 runs from the start, the others when the shim asks
     * (CL_HC_CPU_START); the eventfd wakes it from CL_HC_WAIT (CL_HC_KICK) */
    pthread_t thread;
    bool thread_made, started;
    atomic_bool ended;
    int rc;
    int kick_fd;
};

/* Start-up milestones for --stats, in CLOCK_MONOTONIC nanoseconds. */
struct vm_stats {
    int64_t start, image_ready, vm_created, vcpus_ready, shim_start, user_start, end;
    uint64_t exits, hypercalls;
    uint64_t host_interrupts; /* host_events.c: a busy guest told of host events */
};

struct kvm_cpuid2;

struct vm {
    int kvm_fd, vm_fd;
    struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID, asked once (vcpu.c) */
    uint8_t *mem;             /* guest RAM, GPA 0..mem_size */
    uint64_t mem_size;
    unsigned nr_vcpus;
    struct vcpu *vcpus[CL_MAX_VCPUS];
    unsigned flags;      /* CLOISTER_* */
    struct sim_tee *sim; /* the sim TEE's secure processor, for --tee sim */

    /* connections to the manifest's key brokers (hc_net.c) */
    char *const *secrets; /* the manifest's SECRET specs (the monitor's own copy) */
    size_t nsecrets;
    struct addrinfo **broker_ai; /* each SECRET's broker, resolved before the sandbox */
    int net_fds[VM_MAX_NET];
    FILE *net_log;         /* --net-log: every relayed byte, for tests */
    int events_fd;         /* the event loop's epoll instance (host_events.c) */
    bool stdio_watched[3]; /* host fds 0-2 on the event loop (CL_STDIO_EVENTS) */

    /* the workload's declared network and its sockets (net_policy.c, hc_sock.c):
     * the declarations are the monitor's own copy of the manifest's */
    const struct cwi_net_decl *listen, *connect;
    size_t nlisten, nconnect;
    struct net_publish *publish; /* -p, in the order given */
    size_t npublish;
    struct vm_sock *socks; /* CL_SOCK_MAX handles, allocated with the first */

    atomic_bool done;
    /* vcpus.c: the vCPU threads' start and end, under lock */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool any_ended;
    /* --timeout (run.c): the wall-clock limit, and the waiting thread's word that it
     * passed. Once set, the vCPU thread stops at its next exit or interrupted call. */
    unsigned timeout_ms;
    atomic_bool timed_out;
    /* CLOISTER_FORWARD_SIGNALS (host_signals.c): signals waiting for the guest's next
     * CL_HC_WAIT (a bit per number), and the word that a second SIGINT stops the VM */
    atomic_uint host_signals;
    atomic_bool interrupted;
    int sig_fd, sig_wake_fd;
    /* supervise.c: the calling thread's epoll, and the vCPU threads' word they ended */
    int supervise_fd, done_fd;
    /* host_events.c: vCPUs waiting in CL_HC_WAIT, and whether the calling thread
     * watches the event loop for a guest whose vCPUs are all busy */
    atomic_uint idle_vcpus;
    atomic_bool busy_watch_armed;
    uint64_t busy_watch_tag;
    bool msi_failed;
    int exit_status;
    struct vm_stats stats;
    char *err;
    size_t err_size;
};

int64_t now_ns(void);

/* Records a one-line failure in vm->err; returns -1 for `return vm_fail(...)`. */
int vm_fail(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens /dev/kvm and checks what every launch needs of it. */
int vm_open_kvm(struct vm *vm);
/* Creates the VM (after vm_open_kvm) with mem_size bytes of lazily backed RAM. */
int vm_create(struct vm *vm, uint64_t mem_size);
/* Maps size bytes of host memory read-only at guest-physical gpa (slot 1). */
int vm_map_readonly(struct vm *vm, uint64_t gpa, const void *host, uint64_t size);
void vm_destroy(struct vm *vm);

/* The host address of guest RAM [gpa, gpa+len), or NULL if any of it is outside RAM. */
void *gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len);

/* True once --timeout has passed or a second SIGINT came (host_signals.c): the run
 * loop and blocking handlers give up. */
static inline bool vm_stopping(struct vm *vm)
{
    return atomic_load(&vm->timed_out) || atomic_load(&vm->interrupted);
}

/* The one line for a run that --timeout or a second SIGINT ended; returns -1. */
int vm_fail_timeout(struct vm *vm);

#endif
