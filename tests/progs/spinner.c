/*
 * A thread that spins without a system call must not starve the others: the main
 * thread sleeps (giving the spinner the CPU), and can only wake, stop the spinner and
 * print if the spinner is preempted. Then several spinners at once, and a timed
 * condition wait that must time out while they spin.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;
static atomic_long spins;

static void *spin(void *p)
{
    (void)p;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        atomic_fetch_add_explicit(&spins, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_t t[4];
    pthread_create(&t[0], NULL, spin, NULL);
    usleep(20000);
    atomic_store(&stop, 1);
    pthread_join(t[0], NULL);
    printf("one spinner: stopped, it ran: %s\n", atomic_load(&spins) > 0 ? "yes" : "no");

    atomic_store(&stop, 0);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, spin, NULL);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 30000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&m);
    int rc = pthread_cond_timedwait(&c, &m, &ts);
    pthread_mutex_unlock(&m);
    atomic_store(&stop, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("four spinners: timed wait %s, all stopped\n", rc == ETIMEDOUT ? "timed out" : "failed");
    return 0;
}
