/*
 * futex(2) as one thread sees it: a wait whose value does not match, a wait that times
 * out (relative for FUTEX_WAIT, absolute on CLOCK_MONOTONIC or CLOCK_REALTIME for
 * FUTEX_WAIT_BITSET), wakes with nobody waiting, requeues, and every error Linux gives
 * for bad arguments; then the C library's own users of futexes (mutexes, once, a
 * semaphore and a condition variable with timeouts). Each line is a fact: a result and
 * errno by name, and for a timed wait whether it lasted at least its timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000L

/* Linux's futex operations (<linux/futex.h> is not among musl's headers) */
#define FUTEX_WAIT                0
#define FUTEX_WAKE                1
#define FUTEX_REQUEUE             3
#define FUTEX_CMP_REQUEUE         4
#define FUTEX_WAIT_BITSET         9
#define FUTEX_WAKE_BITSET         10
#define FUTEX_PRIVATE_FLAG        128
#define FUTEX_CLOCK_REALTIME      256
#define FUTEX_WAIT_PRIVATE        (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE        (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE     (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY    0xffffffffu

static const char *err_name(int e)
{
    switch (e) {
    case EAGAIN:
        return "EAGAIN";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    case ENOSYS:
        return "ENOSYS";
    case EINTR:
        return "EINTR";
    default:
        return "other";
    }
}

static long futex(void *uaddr, int op, uint32_t val, const void *ts, void *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, err_name(errno));
    else
        printf("%s: %ld\n", what, r);
}

static long now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static struct timespec at(long ns)
{
    struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
    return ts;
}

/* A wait expected to time out after `ms`: its result and whether it lasted long enough
 * (and not absurdly long). */
static void timed(const char *what, int op, const struct timespec *ts, long ms)
{
    static uint32_t word = 7;
    long t0 = now_ns(CLOCK_MONOTONIC);
    long r = futex(&word, op, 7, ts, NULL, FUTEX_BITSET_MATCH_ANY);
    int e = errno;
    long took = now_ns(CLOCK_MONOTONIC) - t0;
    errno = e;
    show(what, r);
    printf("%s: lasted at least %ld ms: %s, under 5 s: %s\n", what, ms,
           took >= ms * MS ? "yes" : "no", took < 5000 * MS ? "yes" : "no");
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_calls;

static void once_fn(void)
{
    once_calls++;
}

static void libc_users(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    int locked = pthread_mutex_lock(&m);
    int again = pthread_mutex_trylock(&m);
    int unlocked = pthread_mutex_unlock(&m);
    printf("mutex lock: %d, trylock while held: %s, unlock: %d\n", locked,
           again == EBUSY ? "EBUSY" : "other", unlocked);
    pthread_once(&once, once_fn);
    pthread_once(&once, once_fn);
    printf("pthread_once: called %d time(s)\n", once_calls);

    sem_t s;
    sem_init(&s, 0, 0);
    struct timespec ts = at(now_ns(CLOCK_REALTIME) + 30 * MS);
    int r = sem_timedwait(&s, &ts);
    printf("sem_timedwait on 0: %d %s\n", r, r ? err_name(errno) : "");
    sem_post(&s);
    printf("sem_wait after a post: %d\n", sem_wait(&s));

    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    pthread_mutex_lock(&m);
    ts = at(now_ns(CLOCK_REALTIME) + 30 * MS);
    printf("pthread_cond_timedwait: %s\n", err_name(pthread_cond_timedwait(&c, &m, &ts)));
    pthread_cond_signal(&c);
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&m);
    printf("cond signal and broadcast with nobody waiting: done\n");
}

int main(void)
{
    static uint32_t word = 1, other = 2;
    static uint32_t pair[2];
    void *unaligned = (char *)pair + 1;
    void *kernel = (void *)0xffffffff81000000ul;
    struct timespec rel = {0, 50 * MS};

    show("wait, value differs", futex(&word, FUTEX_WAIT, 0, NULL, NULL, 0));
    show("wait private, value differs", futex(&word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0));
    show("wait_bitset, value differs", futex(&word, FUTEX_WAIT_BITSET, 0, NULL, NULL, 1));

    timed("wait 50 ms", FUTEX_WAIT, &rel, 50);
    timed("wait private 50 ms", FUTEX_WAIT_PRIVATE, &rel, 50);
    struct timespec abs = at(now_ns(CLOCK_MONOTONIC) + 40 * MS);
    timed("wait_bitset monotonic +40 ms", FUTEX_WAIT_BITSET_PRIVATE, &abs, 40);
    abs = at(now_ns(CLOCK_REALTIME) + 40 * MS);
    timed("wait_bitset realtime +40 ms", FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, &abs, 40);
    abs = at(now_ns(CLOCK_MONOTONIC) - 1000 * MS);
    timed("wait_bitset, deadline passed", FUTEX_WAIT_BITSET, &abs, 0);
    struct timespec zero = {0, 0};
    timed("wait, zero timeout", FUTEX_WAIT, &zero, 0);

    struct timespec bad_ns = {0, 1000000000L}, neg = {-1, 0};
    show("wait, tv_nsec 1e9", futex(&word, FUTEX_WAIT, 1, &bad_ns, NULL, 0));
    show("wait, negative timeout", futex(&word, FUTEX_WAIT, 1, &neg, NULL, 0));
    show("wait, timeout pointer bad", futex(&word, FUTEX_WAIT, 1, kernel, NULL, 0));
    show("wait, value differs, bad timeout", futex(&word, FUTEX_WAIT, 0, &bad_ns, NULL, 0));
    show("wait_bitset, bitset 0", futex(&word, FUTEX_WAIT_BITSET, 1, NULL, NULL, 0));
    show("wait, unaligned", futex(unaligned, FUTEX_WAIT, 0, NULL, NULL, 0));
    show("wait, NULL", futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0));
    show("wait private, NULL", futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
    show("wait, kernel address", futex(kernel, FUTEX_WAIT, 0, NULL, NULL, 0));
    show("wait realtime (not bitset)",
         futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0));

    show("wake 1, nobody waits", futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0));
    show("wake private all", futex(&word, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0));
    show("wake 0", futex(&word, FUTEX_WAKE, 0, NULL, NULL, 0));
    show("wake_bitset", futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0xff));
    show("wake_bitset, bitset 0", futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
    show("wake, unaligned", futex(unaligned, FUTEX_WAKE, 1, NULL, NULL, 0));
    show("wake private, NULL", futex(NULL, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    show("wake shared, NULL", futex(NULL, FUTEX_WAKE, 1, NULL, NULL, 0));
    show("wake, kernel address", futex(kernel, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    show("wake realtime", futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));

    show("requeue", futex(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)1, &other, 0));
    show("cmp_requeue, value matches", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)1, &other, 1));
    show("cmp_requeue, value differs", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)1, &other, 5));
    show("cmp_requeue, negative count", futex(&word, FUTEX_CMP_REQUEUE, -1, (void *)1, &other, 1));
    show("cmp_requeue, second unaligned",
         futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, unaligned, 1));
    show("unknown operation 99", futex(&word, 99, 0, NULL, NULL, 0));
    show("unknown operation 99, private", futex(&word, 99 | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0));

    libc_users();
    return 0;
}
