/* The calling thread's wait during a run (supervise.h). */
#include "vmm/supervise.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm/host_events.h"
#include "vmm/host_signals.h"

enum { EV_DONE = 1, EV_SIGNAL, EV_HOST };

static int add(int epfd, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int supervise_prepare(struct vm *vm)
{
    vm->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    vm->supervise_fd = epoll_create1(EPOLL_CLOEXEC);
    if (vm->done_fd < 0 || vm->supervise_fd < 0 ||
        add(vm->supervise_fd, vm->done_fd, EPOLLIN, EV_DONE) < 0 ||
        host_events_watch_busy(vm, vm->supervise_fd, EV_HOST) < 0)
        return vm_fail(vm, "cannot prepare the run's supervision: %s", strerror(errno));
    if (vm->sig_fd >= 0 && add(vm->supervise_fd, vm->sig_fd, EPOLLIN, EV_SIGNAL) < 0)
        return vm_fail(vm, "cannot forward signals to the workload: %s", strerror(errno));
    return 0;
}

void supervise_vcpu_done(struct vm *vm)
{
    uint64_t one = 1;
    if (vm->done_fd >= 0 && write(vm->done_fd, &one, sizeof(one)) < 0) {
        /* a full counter cannot happen: one write per vCPU */
    }
}

/* What is left of --timeout, in ms; -1 without one. */
static int time_left(const struct vm *vm, const struct timespec *start)
{
    if (!vm->timeout_ms)
        return -1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long gone =
        (now.tv_sec - start->tv_sec) * 1000LL + (now.tv_nsec - start->tv_nsec) / 1000000;
    return gone >= vm->timeout_ms ? 0 : (int)(vm->timeout_ms - gone);
}

void supervise(struct vm *vm)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool sigint_seen = false;
    for (;;) {
        struct epoll_event evs[3];
        int n = epoll_wait(vm->supervise_fd, evs, 3, time_left(vm, &start));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            atomic_store(&vm->timed_out, true);
            return;
        }
        for (int i = 0; i < n; i++) {
            switch (evs[i].data.u64) {
            case EV_DONE:
                return;
            case EV_SIGNAL:
                /* a forwarded signal wakes the event loop, and so EV_HOST below */
                if (host_signals_read(vm, &sigint_seen)) {
                    atomic_store(&vm->interrupted, true);
                    return;
                }
                break;
            case EV_HOST:
                host_events_tell_busy_guest(vm);
                break;
            }
        }
    }
}

void supervise_finish(struct vm *vm)
{
    int *fds[] = {&vm->done_fd, &vm->supervise_fd};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}
