/* Signals the shim raises itself (not from a CPU fault). */
#include "kernel/signal.h"
#include "kernel/process.h"

void signal_broken_pipe(void)
{
    /* Linux sends SIGPIPE; its default action ends the process. Ignored, handled (no
     * delivery yet) or blocked, the write just fails with EPIPE. */
    const struct k_sigaction *a = &current_process()->sigactions[SIGPIPE - 1];
    if (a->handler == 0 && !(current_task()->sigmask & (1ull << (SIGPIPE - 1))))
        kill_workload(SIGPIPE, CL_KILLED_NO_VECTOR, 0, 0, 0, 0);
}

bool signal_pending(void)
{
    /* handlers are not run yet (sys_signal.c), so nothing interrupts a wait */
    return false;
}

void signal_from_host(int sig)
{
    /* no forwarding yet: the monitor sends none */
    (void)sig;
}
