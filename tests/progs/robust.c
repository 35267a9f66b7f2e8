/*
 * Robust mutexes: a thread that exits holding one leaves it to the next locker with
 * EOWNERDEAD, which makes it consistent and goes on; a lock never made consistent
 * becomes ENOTRECOVERABLE. Covers a locker that was already waiting when the owner
 * died, a priority-inheritance robust mutex, a process-shared one, and several locks
 * held at once (the kernel walks the dead thread's list). Prints what it found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t m[4];

static void init(pthread_mutex_t *mu, int protocol, int pshared)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setprotocol(&a, protocol);
    pthread_mutexattr_setpshared(&a, pshared);
    pthread_mutex_init(mu, &a);
    pthread_mutexattr_destroy(&a);
}

static const char *name(int e)
{
    return e == 0                 ? "0"
           : e == EOWNERDEAD      ? "EOWNERDEAD"
           : e == ENOTRECOVERABLE ? "ENOTRECOVERABLE"
           : e == EBUSY           ? "EBUSY"
                                  : strerror(e);
}

/* Takes locks [0, n) and exits holding them; waits first if asked, so that a
 * locker is already asleep in the kernel when it dies. */
struct job {
    int n;
    int linger_ms;
};

static void *die_holding(void *p)
{
    struct job *j = p;
    for (int i = 0; i < j->n; i++)
        pthread_mutex_lock(&m[i]);
    if (j->linger_ms)
        usleep(j->linger_ms * 1000);
    return NULL; /* no unlock: the thread ends owning them */
}

static void run(const char *what, int n, int linger_ms)
{
    struct job j = {n, linger_ms};
    pthread_t t;
    pthread_create(&t, NULL, die_holding, &j);
    if (linger_ms)
        usleep(20 * 1000); /* let it take the locks; we then wait behind it */
    else
        pthread_join(t, NULL);
    for (int i = 0; i < n; i++) {
        int e = pthread_mutex_lock(&m[i]);
        printf("%s: lock %d after the owner died: %s\n", what, i, name(e));
        if (e == EOWNERDEAD)
            printf("%s: consistent: %s\n", what, name(pthread_mutex_consistent(&m[i])));
        printf("%s: unlock: %s\n", what, name(pthread_mutex_unlock(&m[i])));
    }
    if (linger_ms)
        pthread_join(t, NULL);
}

static void *die_holding_one(void *p)
{
    (void)p;
    pthread_mutex_lock(&m[0]);
    return NULL;
}

int main(void)
{
    struct {
        const char *what;
        int protocol, pshared;
    } kinds[] = {
        {"normal", PTHREAD_PRIO_NONE, PTHREAD_PROCESS_PRIVATE},
        {"pi", PTHREAD_PRIO_INHERIT, PTHREAD_PROCESS_PRIVATE},
        {"shared", PTHREAD_PRIO_NONE, PTHREAD_PROCESS_SHARED},
    };
    for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (int i = 0; i < 4; i++)
            init(&m[i], kinds[k].protocol, kinds[k].pshared);
        char what[64];
        snprintf(what, sizeof(what), "%s/joined", kinds[k].what);
        run(what, 1, 0);
        snprintf(what, sizeof(what), "%s/waiting", kinds[k].what);
        run(what, 1, 100);
        snprintf(what, sizeof(what), "%s/four", kinds[k].what);
        run(what, 4, 0);
        /* never made consistent: the next lock can never succeed */
        pthread_t t;
        pthread_create(&t, NULL, die_holding_one, NULL);
        pthread_join(t, NULL);
        int e = pthread_mutex_lock(&m[0]);
        printf("%s/abandoned: %s\n", kinds[k].what, name(e));
        printf("%s/abandoned: unlock without consistent: %s\n", kinds[k].what,
               name(pthread_mutex_unlock(&m[0])));
        printf("%s/abandoned: lock again: %s\n", kinds[k].what, name(pthread_mutex_lock(&m[0])));
        for (int i = 0; i < 4; i++)
            pthread_mutex_destroy(&m[i]);
    }
    /* the kernel reports the list this thread registered (glibc and musl do register) */
    void *head;
    size_t len;
    long r = syscall(SYS_get_robust_list, 0, &head, &len);
    printf("get_robust_list: %ld, len %zu, head %s\n", r, len, head ? "set" : "unset");
    return 0;
}
