/*
 * What one kernel lock costs (docs/threads.md): T threads each make N trivial system
 * calls (getppid) at once; prints the calls per second of all of them together. On
 * Linux the calls of different threads run in parallel; in the shim they take turns
 * on the kernel lock, so the total stops growing with T past one vCPU's worth.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long calls;

static void *work(void *arg)
{
    for (long i = 0; i < calls; i++)
        syscall(SYS_getppid);
    return arg;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    calls = argc > 2 ? atol(argv[2]) : 100000;
    if (threads < 1 || threads > 64)
        return 2;
    pthread_t t[64];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%d threads: %.0f calls/s\n", threads, threads * calls / s);
    return 0;
}
