/*
 * Waits for Ctrl-C: `cloister run` forwards the host's SIGINT (and SIGTERM, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2) to the workload
 * (tests/lib/signal_cases.sh). "handle": the handler prints and the program exits 3;
 * "read": the same while blocked in a read of a pipe (EINTR); "ignore": a handler that
 * does nothing, forever (a second SIGINT must stop the VM); "default": no handler, so
 * the signal's default action ends it; "spin": the handler's flag awaited in a loop
 * without a system call; "spin2": the same in two threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_int(int sig)
{
    got = sig;
}

static void nothing(int sig)
{
}

static void *spin(void *arg)
{
    while (!got) {
    }
    return arg;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "handle";
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = strcmp(mode, "ignore") ? on_int : nothing;
    if (strcmp(mode, "default")) {
        /* what `cloister run` forwards (abi.h's CL_FORWARDED_SIGNALS) */
        static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
            sigaction(forwarded[i], &sa, NULL);
    }
    printf("ready\n");
    fflush(stdout);
    if (!strcmp(mode, "ignore") || !strcmp(mode, "default"))
        for (;;)
            pause();
    if (!strcmp(mode, "spin")) {
        spin(NULL);
    } else if (!strcmp(mode, "spin2")) {
        pthread_t t;
        if (pthread_create(&t, NULL, spin, NULL))
            return 2;
        spin(NULL);
        pthread_join(t, NULL);
    } else if (!strcmp(mode, "read")) {
        int fds[2];
        char c;
        if (pipe(fds))
            return 2;
        ssize_t n = read(fds[0], &c, 1);
        printf("read: %zd %s\n", n, n < 0 ? strerror(errno) : "");
    } else {
        while (!got)
            pause();
    }
    printf("got %s\n", strsignal(got));
    return 3;
}
