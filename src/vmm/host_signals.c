/* Forwarding the host's signals (CL_FORWARDED_SIGNALS) to the workload (host_signals.h). */
#include "vmm/host_signals.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <cloister/cloister.h>

/* CL_FORWARDED_SIGNALS, but for one this process ignores (a shell's background job
 * ignores SIGINT and SIGQUIT: the terminal's keys are not meant for it, nor for its
 * workload) */
static sigset_t forwarded(void)
{
    sigset_t s;
    sigemptyset(&s);
    for (int sig = 1; sig < 32; sig++) {
        struct sigaction old;
        if (!(CL_FORWARDED_SIGNALS & (1u << sig)) ||
            (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN))
            continue;
        sigaddset(&s, sig);
    }
    return s;
}

/* the caller's mask, restored after the run (one run at a time per calling thread) */
static __thread sigset_t saved_mask;

int host_signals_prepare(struct vm *vm)
{
    vm->sig_fd = vm->sig_wake_fd = -1;
    if (!(vm->flags & CLOISTER_FORWARD_SIGNALS))
        return 0;
    sigset_t set = forwarded();
    pthread_sigmask(SIG_BLOCK, &set, &saved_mask);
    vm->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    vm->sig_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event wake = {.events = EPOLLIN, .data.u64 = (uint64_t)CL_EV_KIND_SIGNAL << 32};
    if (vm->sig_fd < 0 || vm->sig_wake_fd < 0 ||
        epoll_ctl(vm->events_fd, EPOLL_CTL_ADD, vm->sig_wake_fd, &wake) < 0)
        return vm_fail(vm, "cannot forward signals to the workload: %s", strerror(errno));
    return 0;
}

static void forward(struct vm *vm, int sig)
{
    atomic_fetch_or(&vm->host_signals, 1u << sig);
    uint64_t one = 1;
    if (write(vm->sig_wake_fd, &one, sizeof(one)) < 0) {
        /* the counter is full: the guest has a wake pending anyway */
    }
}

bool host_signals_read(struct vm *vm, bool *sigint_seen)
{
    struct signalfd_siginfo si;
    while (read(vm->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGINT && *sigint_seen)
            return true;
        if (si.ssi_signo == SIGINT)
            *sigint_seen = true;
        forward(vm, (int)si.ssi_signo);
    }
    return false;
}

bool host_signals_pending(struct vm *vm)
{
    return atomic_load(&vm->host_signals) != 0;
}

int host_signals_take(struct vm *vm, struct cl_event *out, int max)
{
    uint64_t count;
    if (vm->sig_wake_fd >= 0 && read(vm->sig_wake_fd, &count, sizeof(count)) < 0) {
        /* nothing to drain */
    }
    unsigned bits = atomic_exchange(&vm->host_signals, 0);
    int n = 0;
    for (int sig = 1; sig < 32 && bits; sig++) {
        if (!(bits & (1u << sig)))
            continue;
        bits &= ~(1u << sig);
        if (n == max) { /* no room: keep the rest for the next wait */
            atomic_fetch_or(&vm->host_signals, 1u << sig);
            continue;
        }
        out[n++] = (struct cl_event){.kind = CL_EV_KIND_SIGNAL, .handle = (uint32_t)sig};
    }
    return n;
}

void host_signals_finish(struct vm *vm)
{
    if (vm->sig_fd >= 0) {
        struct signalfd_siginfo si;
        while (read(vm->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
            /* came after the workload ended: nobody to forward it to */
        }
    }
    int *fds[] = {&vm->sig_fd, &vm->sig_wake_fd};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
    if (vm->flags & CLOISTER_FORWARD_SIGNALS)
        pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}
