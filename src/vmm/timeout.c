/*
 * Interrupting a vCPU thread, for --timeout and for the end of a run with several
 * vCPUs (vcpus.c): a signal makes KVM_RUN return EINTR whatever the guest is doing, and
 * a handler's read of stdin or its wait return early too. Only futex, clock_gettime and
 * tgkill to this process are used after the start: all allowed by the sandbox
 * (sandbox.c).
 */
#include "vmm/timeout.h"
#include <cloister/cloister.h>

#include <errno.h>
#include <signal.h>
#include <string.h>

static void kicked(int sig)
{
    (void)sig; /* being interrupted is the whole point */
}

/* not a constant in glibc: the first real-time signal it leaves to applications */
#define KICK_SIGNAL SIGRTMIN

int timeout_prepare(struct vm *vm)
{
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

void timeout_kick(pthread_t th)
{
    pthread_kill(th, KICK_SIGNAL);
}
