/* The monitor's event loop (host_events.h). */
#include "vmm/host_events.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/hypercall.h"
#include "vmm/host_signals.h"

/* A CL_HC_WAIT with no deadline (the shim's "forever") blocks until an event, a kick
 * or a signal: --timeout, the end of the run and a forwarded signal all interrupt the
 * poll (EINTR), so an idle workload never wakes for nothing. 100 idle workloads waking
 * once a second each were enough to stall the nested test machine. */
#define WAIT_FOREVER_NS (1000000ull * 0x7fffffff)

/* The shim's vector for "the host has events" (src/shim/arch/x86/lapic.h's VEC_HOST),
 * sent to vCPU 0 as a fixed, edge-triggered MSI to its local APIC */
#define VEC_HOST      0xf3
#define MSI_ADDR_BASE 0xfee00000u

int host_events_init(struct vm *vm)
{
    vm->events_fd = epoll_create1(EPOLL_CLOEXEC);
    if (vm->events_fd < 0)
        return vm_fail(vm, "cannot create the monitor's event loop: %s", strerror(errno));
    /* stdio: a pipe, terminal or socket is watched, so that the shim waits for input in
     * CL_HC_WAIT beside its timers; epoll refuses regular files and /dev/null (EPERM),
     * which are always ready and read as before */
    for (int fd = 0; fd < 3; fd++)
        vm->stdio_watched[fd] = host_events_watch(vm, fd, CL_EV_KIND_STDIO, (uint32_t)fd) == 0;
    return 0;
}

void host_events_close(struct vm *vm)
{
    if (vm->events_fd >= 0)
        close(vm->events_fd);
    vm->events_fd = -1;
}

int host_events_watch(struct vm *vm, int fd, uint32_t kind, uint32_t handle)
{
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
        .data.u64 = ((uint64_t)kind << 32) | handle,
    };
    return epoll_ctl(vm->events_fd, EPOLL_CTL_ADD, fd, &ev);
}

void host_events_unwatch(struct vm *vm, int fd)
{
    epoll_ctl(vm->events_fd, EPOLL_CTL_DEL, fd, NULL);
}

static uint32_t to_cl_events(uint32_t e)
{
    uint32_t r = 0;
    if (e & EPOLLIN)
        r |= CL_EV_IN;
    if (e & EPOLLOUT)
        r |= CL_EV_OUT;
    if (e & EPOLLERR)
        r |= CL_EV_ERR;
    if (e & EPOLLHUP)
        r |= CL_EV_HUP;
    if (e & EPOLLRDHUP)
        r |= CL_EV_RDHUP;
    return r;
}

/*
 * A busy guest. The shim hears of host events only when a vCPU with nothing to run
 * waits in CL_HC_WAIT; when every vCPU runs workload code, a socket's data or a
 * forwarded Ctrl-C would wait for the next system call that blocks, which a computing
 * thread may never make. So the calling thread watches the event loop too (one-shot:
 * it fires once, and each CL_HC_WAIT re-arms it), and when events come while no vCPU
 * waits, it interrupts vCPU 0, whose shim then asks (sched_host_interrupt). At most
 * one interrupt per CL_HC_WAIT: a busy server is not interrupted for every packet.
 */
int host_events_watch_busy(struct vm *vm, int epfd, uint64_t tag)
{
    /* disarmed until the shim's first CL_HC_WAIT, which it makes once it can take the
     * interrupt: one sent earlier would be lost, and nothing would re-arm the watch */
    struct epoll_event ev = {.events = EPOLLONESHOT, .data.u64 = tag};
    vm->busy_watch_tag = tag;
    atomic_store(&vm->busy_watch_armed, false);
    return epoll_ctl(epfd, EPOLL_CTL_ADD, vm->events_fd, &ev);
}

static void rearm_busy_watch(struct vm *vm)
{
    if (vm->supervise_fd < 0 || atomic_exchange(&vm->busy_watch_armed, true))
        return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = vm->busy_watch_tag};
    epoll_ctl(vm->supervise_fd, EPOLL_CTL_MOD, vm->events_fd, &ev);
}

void host_events_tell_busy_guest(struct vm *vm)
{
    atomic_store(&vm->busy_watch_armed, false);
    if (atomic_load(&vm->idle_vcpus) || vm->msi_failed)
        return; /* a waiting vCPU hears of it itself */
    struct kvm_msi msi = {.address_lo = MSI_ADDR_BASE | (0u << 12), .data = VEC_HOST};
    if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
        vm->msi_failed = true; /* no in-kernel APIC: the guest hears at its next wait */
    else
        vm->stats.host_interrupts++;
}

int hc_wait(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    uint64_t ns = c->req.args[0];
    int ms = ns >= WAIT_FOREVER_NS ? -1 : (int)((ns + 999999) / 1000000);
    enum { MAX = 64 };
    _Static_assert(MAX <= CL_HC_MAX_EVENTS, "events fit the answer");
    _Static_assert(MAX * sizeof(struct cl_event) <= CL_HC_DATA_SIZE, "events fit the buffer");
    struct epoll_event evs[MAX];
    /* the VM's events, or this vCPU's kick (CL_HC_KICK: a task became runnable); no
     * wait at all when a forwarded signal waits for the guest */
    if (host_signals_pending(vm))
        ms = 0;
    struct pollfd fds[2] = {{.fd = vm->events_fd, .events = POLLIN},
                            {.fd = c->vcpu->kick_fd, .events = POLLIN}};
    int got = 0;
    atomic_fetch_add(&vm->idle_vcpus, 1);
    int ready = !vm_stopping(vm) && !atomic_load(&vm->done) ? poll(fds, 2, ms) : 0;
    atomic_fetch_sub(&vm->idle_vcpus, 1);
    if (ready > 0) {
        uint64_t count;
        if (fds[1].revents && read(c->vcpu->kick_fd, &count, sizeof(count)) < 0)
            count = 0; /* nothing to drain: another read took it */
        if (fds[0].revents)
            got = epoll_wait(vm->events_fd, evs, MAX, 0);
    }
    rearm_busy_watch(vm); /* after the drain: what comes later interrupts the guest */
    if (got < 0)
        got = 0; /* EINTR: --timeout or a forwarded signal; the shim asks again */
    struct cl_event out[MAX];
    int n = 0;
    for (int i = 0; i < got; i++) {
        uint32_t kind = (uint32_t)(evs[i].data.u64 >> 32);
        if (kind == CL_EV_KIND_SIGNAL)
            continue; /* the wake of a forwarded signal: taken below */
        out[n++] = (struct cl_event){
            .kind = kind,
            .handle = (uint32_t)evs[i].data.u64,
            .events = to_cl_events(evs[i].events),
        };
    }
    n += host_signals_take(vm, out + n, MAX - n);
    memcpy(c->data, out, (size_t)n * sizeof(out[0]));
    c->ret = n;
    return 0;
}
