/*
 * The thread system calls beyond create and join: priority-inheritance mutexes
 * (FUTEX_LOCK_PI, UNLOCK_PI, TRYLOCK_PI), FUTEX_WAKE_OP, CPU affinity and getcpu,
 * membarrier, gettid and tgkill. Prints what it found, identical on any machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Linux's numbers, spelled out: musl ships no Linux headers */
#define FUTEX_WAKE_OP_PRIVATE (5 | 128)
#define FUTEX_WAIT_PRIVATE    (0 | 128)
#define FUTEX_UNLOCK_PI       7
#define FUTEX_OP_ADD          1
#define FUTEX_OP_CMP_EQ       0
#define FUTEX_OP(op, oparg, cmp, cmparg)                                                           \
    ((((op)&0xf) << 28) | (((cmp)&0xf) << 24) | (((oparg)&0xfff) << 12) | ((cmparg)&0xfff))
#define MEMBARRIER_CMD_QUERY                      0
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED          (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)

static pthread_mutex_t pi;
static long pi_count;

static void *pi_worker(void *p)
{
    (void)p;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pi);
        pi_count++;
        if (i % 100 == 0)
            sched_yield(); /* hold it while others want it: they must wait in the kernel */
        pthread_mutex_unlock(&pi);
    }
    return NULL;
}

static void *pi_holder(void *p)
{
    pthread_mutex_lock(&pi);
    atomic_store((atomic_int *)p, 1);
    while (atomic_load((atomic_int *)p) != 2)
        sched_yield();
    pthread_mutex_unlock(&pi);
    return NULL;
}

static long futex(uint32_t *a, int op, uint32_t val, long v2, uint32_t *a2, uint32_t v3)
{
    return syscall(SYS_futex, a, op, val, v2, a2, v3);
}

static uint32_t word1, word2;
static void *wake_op_waiter(void *p)
{
    (void)p;
    futex(&word1, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* PI mutexes under contention */
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi, &a);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, pi_worker, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    printf("pi mutex: count %ld\n", pi_count);
    atomic_int state = 0;
    pthread_create(&t[0], NULL, pi_holder, &state);
    while (atomic_load(&state) != 1)
        sched_yield();
    printf("pi trylock while held: %s\n", strerror(pthread_mutex_trylock(&pi)));
    atomic_store(&state, 2);
    pthread_join(t[0], NULL);
    printf("pi trylock when free: %s\n", strerror(pthread_mutex_trylock(&pi)));
    pthread_mutex_unlock(&pi);
    /* unlock of a PI futex we do not own */
    uint32_t foreign = 12345;
    long r = futex(&foreign, FUTEX_UNLOCK_PI, 0, 0, NULL, 0);
    printf("unlock_pi not owner: %ld %s\n", r, r < 0 ? strerror(errno) : "");

    /* FUTEX_WAKE_OP: word2 += 5, wake word1's waiter, and word2's if old == 0 */
    pthread_create(&t[0], NULL, wake_op_waiter, NULL);
    usleep(20000);
    int woken;
    do {
        woken = (int)futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word2,
                           FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
        if (woken == 0)
            word2 -= 5, usleep(1000); /* the waiter was not asleep yet: undo, retry */
    } while (woken == 0);
    pthread_join(t[0], NULL);
    printf("wake_op: woke %d, word2 %u\n", woken, word2);
    r = futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &word2, (7u << 28));
    printf("wake_op bad op: %s\n", r < 0 ? strerror(errno) : "accepted");

    /* affinity and getcpu */
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    printf("affinity: %s\n", CPU_COUNT(&set) >= 1 && CPU_ISSET(0, &set) ? "includes cpu 0" : "bad");
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    printf("setaffinity cpu 0: %d\n", sched_setaffinity(0, sizeof(set), &set));
    int on0 = 1;
    for (int i = 0; i < 20; i++) {
        sched_yield();
        if (sched_getcpu() != 0)
            on0 = 0;
    }
    printf("getcpu after pinning: %s\n", on0 ? "always 0" : "moved");
    CPU_ZERO(&set);
    int rc = sched_setaffinity(0, sizeof(set), &set);
    printf("setaffinity empty: %d %s\n", rc, strerror(errno));
    rc = sched_getaffinity(999999, sizeof(set), &set);
    printf("getaffinity of a thread that is not: %d %s\n", rc, strerror(errno));

    /* membarrier */
    long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    printf("membarrier query: private expedited %s\n",
           q > 0 && (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) ? "yes" : "no");
    errno = 0;
    r = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    printf("membarrier unregistered: %ld %s\n", r, strerror(errno));
    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
    printf("membarrier registered: %ld\n",
           syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));

    /* ids */
    printf("main thread: tid == pid %s\n", gettid() == getpid() ? "yes" : "no");
    return 0;
}
