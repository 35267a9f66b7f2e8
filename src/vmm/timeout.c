/*
 * --timeout. The waiting thread (the caller of cloister_run) sleeps until the deadline,
 * then raises vm->timed_out and sends the vCPU thread a signal, again every few
 * milliseconds until it ends: the signal makes KVM_RUN return EINTR whatever the guest
 * is doing, and a handler's read of stdin or its sleep return early too. Repeating it
 * closes the window where the signal lands just before the thread enters KVM_RUN or
 * read(), and so would be lost. Only futex, clock_gettime and tgkill to this process
 * are used after the start: all allowed by the sandbox (sandbox.c).
 */
#include "vmm/timeout.h"
#include <cloister/cloister.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#define KICK_INTERVAL_NS 20000000L /* 20 ms */

static void kicked(int sig)
{
    (void)sig; /* being interrupted is the whole point */
}

/* not a constant in glibc: the first real-time signal it leaves to applications */
#define KICK_SIGNAL SIGRTMIN

int timeout_prepare(struct vm *vm)
{
    if (!vm->timeout_ms && !(vm->flags & CLOISTER_FORWARD_SIGNALS))
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kicked; /* no SA_RESTART: interrupted calls fail with EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(KICK_SIGNAL, &sa, NULL) < 0)
        return vm_fail(vm, "--timeout: sigaction: %s", strerror(errno));
    return 0;
}

void timeout_vcpu_thread_start(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

static struct timespec after_ns(struct timespec t, long long ns)
{
    ns += t.tv_nsec;
    t.tv_sec += (time_t)(ns / 1000000000);
    t.tv_nsec = (long)(ns % 1000000000);
    return t;
}

void timeout_join(struct vm *vm, pthread_t th)
{
    if (!vm->timeout_ms) {
        pthread_join(th, NULL);
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct timespec deadline = after_ns(now, (long long)vm->timeout_ms * 1000000);
    if (pthread_clockjoin_np(th, NULL, CLOCK_MONOTONIC, &deadline) != ETIMEDOUT)
        return;
    atomic_store(&vm->timed_out, true);
    timeout_stop_thread(th);
}

void timeout_kick(pthread_t th)
{
    pthread_kill(th, KICK_SIGNAL);
}

void timeout_stop_thread(pthread_t th)
{
    struct timespec now;
    for (;;) {
        pthread_kill(th, KICK_SIGNAL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        struct timespec next = after_ns(now, KICK_INTERVAL_NS);
        if (pthread_clockjoin_np(th, NULL, CLOCK_MONOTONIC, &next) != ETIMEDOUT)
            return;
    }
}
