/*
 * Threads that come and go all day, as in a server that starts a thread per
 * connection: N threads (default 20000) created and joined one after another, each
 * with its own stack and kernel state, in a VM whose memory holds a small fraction of
 * what they would take together. Every thread's memory must come back for the next.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *work(void *arg)
{
    return (void *)((long)arg * 2);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000, sum = 0;
    for (long i = 0; i < n; i++) {
        pthread_t t;
        void *r;
        int err = pthread_create(&t, NULL, work, (void *)i);
        if (err) {
            printf("thread %ld: pthread_create failed (%d)\n", i, err);
            return 1;
        }
        pthread_join(t, &r);
        sum += (long)r;
    }
    printf("%ld threads came and went; sum %ld\n", n, sum);
    return 0;
}
