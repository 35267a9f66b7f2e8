/*
 * What a process and each of its threads own of the state Linux keeps per process or per
 * thread (docs/processes.md, step 2), with a second thread to tell the two apart:
 *   names   prctl's name (per thread, inherited by a new thread, shown in /proc's comm,
 *           status and stat), no_new_privs and pdeathsig (per thread), dumpable and
 *           the child subreaper flag (per process), the nice value (per thread),
 *           another thread named through its task/TID/comm (pthread_setname_np)
 *   proc    /proc/self and /proc/thread-self as links to /proc/PID and PID/task/TID,
 *           /proc/PID's files read through the pid, task/ listing the threads, pids
 *           that do not exist, /proc's listing, a working directory in /proc/PID
 *   timer   a POSIX timer that signals one thread (SIGEV_THREAD_ID), made by another
 *   family  a forked child seen from its parent: /proc/CHILD's ppid, group, session,
 *           name, descriptors and zombie state, its comm not writable from another
 *           process, its own nice value and group, timers not inherited, futexes in
 *           shared memory meeting across the fork and private ones at one address not
 *   groups  root's supplementary groups: set to none, to gid 0, to gid 0 twice, each
 *           given back by getgroups (the count first, EINVAL for a short list), and
 *           inherited by a forked child
 *   futex   futex keys: a tmpfs file mapped shared twice, a waiter on one mapping's word
 *           woken through the other's (a shared futex is the page's), not by a private
 *           wake (keyed by the address), and private waits and wakes as before
 * Pids differ between runs: only relations between them are printed, so the output is
 * the same on any machine.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#endif
#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid /* glibc before 2.37 names it only so */
#endif

static const char *yes(int b)
{
    return b ? "yes" : "NO";
}

static pid_t tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* The first line of a small file, without its newline; "" if it cannot be read. */
static const char *first_line(const char *path)
{
    static char buf[4096];
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return buf;
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = 0;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return buf;
}

/* The value of "Key:" in a /proc status file, or "". */
static const char *status_field(const char *path, const char *key)
{
    static char val[256];
    char line[512];
    val[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return val;
    size_t n = strlen(key);
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, key, n) && line[n] == ':') {
            char *v = line + n + 1;
            v += strspn(v, " \t");
            v[strcspn(v, "\n")] = 0;
            snprintf(val, sizeof(val), "%s", v);
            break;
        }
    }
    fclose(f);
    return val;
}

static int prctl_int(int option)
{
    return prctl(option, 0, 0, 0, 0);
}

/* ---- names ---- */

struct worker {
    pthread_t thread;
    pid_t tid;
    int base_prio; /* getpriority of the main thread before anything changed it */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stage; /* main and worker take turns: the worker acts on odd stages */
};

static void wait_stage(struct worker *w, int stage)
{
    pthread_mutex_lock(&w->lock);
    while (w->stage < stage)
        pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

static void set_stage(struct worker *w, int stage)
{
    pthread_mutex_lock(&w->lock);
    w->stage = stage;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void *grandchild(void *arg)
{
    struct worker *w = arg;
    char name[16] = "";
    prctl(PR_GET_NAME, name);
    printf("a thread the worker made is named %s\n", name);
    printf("  inherits no_new_privs 1: %s, pdeathsig 0: %s\n",
           yes(prctl_int(PR_GET_NO_NEW_PRIVS) == 1), yes(({
               int s = -1;
               prctl(PR_GET_PDEATHSIG, &s);
               s == 0;
           })));
    printf("  inherits the worker's nice +5: %s\n",
           yes(getpriority(PRIO_PROCESS, 0) == w->base_prio + 5));
    return NULL;
}

static void *names_worker(void *arg)
{
    struct worker *w = arg;
    char name[16] = "";
    w->tid = tid();
    prctl(PR_GET_NAME, name);
    printf("worker starts named %s\n", name);
    set_stage(w, 1);
    wait_stage(w, 2);
    prctl(PR_SET_NAME, "worker-thread");
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    setpriority(PRIO_PROCESS, 0, w->base_prio + 5);
    char path[64];
    snprintf(path, sizeof(path), "/proc/thread-self/comm");
    printf("worker's /proc/thread-self/comm: %s\n", first_line(path));
    pthread_t g;
    pthread_create(&g, NULL, grandchild, w);
    pthread_join(g, NULL);
    set_stage(w, 3);
    wait_stage(w, 4);
    prctl(PR_GET_NAME, name);
    printf("the worker, renamed by main, is named %s\n", name);
    return NULL;
}

static void names(void)
{
    struct worker w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    char name[16] = "", path[96];
    w.base_prio = getpriority(PRIO_PROCESS, 0);
    int nnp0 = prctl_int(PR_GET_NO_NEW_PRIVS);
    prctl(PR_GET_NAME, name);
    printf("main starts named %s, /proc/self/comm %s\n", name, first_line("/proc/self/comm"));
    prctl(PR_SET_NAME, "main-renamed");
    pthread_create(&w.thread, NULL, names_worker, &w);
    wait_stage(&w, 1);
    set_stage(&w, 2);
    wait_stage(&w, 3);
    prctl(PR_GET_NAME, name);
    printf("main still named %s\n", name);
    printf("/proc/self/comm: %s\n", first_line("/proc/self/comm"));
    printf("/proc/self/status Name: %s\n", status_field("/proc/self/status", "Name"));
    snprintf(path, sizeof(path), "/proc/self/task/%d/comm", w.tid);
    printf("the worker's task/TID/comm: %s\n", first_line(path));
    snprintf(path, sizeof(path), "/proc/self/task/%d/status", w.tid);
    printf("the worker's task/TID/status Name: %s\n", status_field(path, "Name"));
    char other[16] = "";
    pthread_getname_np(w.thread, other, sizeof(other));
    printf("pthread_getname_np of the worker: %s\n", other);
    snprintf(path, sizeof(path), "/proc/self/task/%d/stat", w.tid);
    const char *stat = first_line(path);
    printf("the worker's stat names it: %s\n", yes(strstr(stat, "(worker-thread)") != NULL));
    int s = -1;
    prctl(PR_GET_PDEATHSIG, &s);
    printf("per thread: main's no_new_privs unchanged %s, pdeathsig %d\n",
           yes(prctl_int(PR_GET_NO_NEW_PRIVS) == nnp0), s);
    printf("per thread: main's nice unchanged %s, the worker's +5 %s\n",
           yes(getpriority(PRIO_PROCESS, 0) == w.base_prio),
           yes(getpriority(PRIO_PROCESS, w.tid) == w.base_prio + 5));
    printf("per process: dumpable %d\n", prctl_int(PR_GET_DUMPABLE));
    int sub = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &sub);
    printf("per process: child subreaper %d\n", sub);
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    prctl(PR_GET_CHILD_SUBREAPER, &sub);
    printf("cleared: dumpable %d, subreaper %d\n", prctl_int(PR_GET_DUMPABLE), sub);
    prctl(PR_SET_NAME, "a-name-longer-than-fifteen");
    prctl(PR_GET_NAME, name);
    printf("a long name, cut: %s, /proc/self/comm %s\n", name, first_line("/proc/self/comm"));
    /* naming another thread: both C libraries write its task/TID/comm */
    printf("pthread_setname_np of the worker: %d\n", pthread_setname_np(w.thread, "set-by-main"));
    snprintf(path, sizeof(path), "/proc/self/task/%d/comm", w.tid);
    printf("its comm now: %s\n", first_line(path));
    set_stage(&w, 4);
    pthread_join(w.thread, NULL);
}

/* ---- proc ---- */

static void *proc_worker(void *arg)
{
    struct worker *w = arg;
    w->tid = tid();
    char link[64] = "", want[64];
    ssize_t n = readlink("/proc/thread-self", link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof(want), "%d/task/%d", getpid(), w->tid);
    printf("worker: /proc/thread-self is PID/task/TID: %s\n", yes(!strcmp(link, want)));
    set_stage(w, 1);
    wait_stage(w, 2);
    return NULL;
}

static int dir_has(const char *dir, const char *name, int *count)
{
    DIR *d = opendir(dir);
    int found = 0;
    *count = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        (*count)++;
        found |= !strcmp(e->d_name, name);
    }
    closedir(d);
    return found;
}

static int gone(const char *path)
{
    return access(path, F_OK) != 0 && errno == ENOENT;
}

static void proc(int argc, char **argv)
{
    char link[256] = "", want[96], path[96], path2[96];
    pid_t pid = getpid();
    ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof(want), "%d", pid);
    printf("/proc/self is the pid: %s\n", yes(!strcmp(link, want)));
    n = readlink("/proc/thread-self", link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof(want), "%d/task/%d", pid, pid);
    printf("main: /proc/thread-self is PID/task/PID: %s\n", yes(!strcmp(link, want)));

    struct worker w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    pthread_create(&w.thread, NULL, proc_worker, &w);
    wait_stage(&w, 1);

    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    snprintf(want, sizeof(want), "%d", pid);
    int pid_ok = !strcmp(status_field(path, "Pid"), want);
    int tgid_ok = !strcmp(status_field(path, "Tgid"), want);
    printf("/proc/PID/status: Pid %s, Tgid %s, Threads %s\n", yes(pid_ok), yes(tgid_ok),
           status_field(path, "Threads"));
    snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, w.tid);
    snprintf(path2, sizeof(path2), "%d", w.tid);
    pid_ok = !strcmp(status_field(path, "Pid"), path2);
    tgid_ok = !strcmp(status_field(path, "Tgid"), want);
    printf("task/TID/status: Pid is the tid %s, Tgid the pid %s\n", yes(pid_ok), yes(tgid_ok));
    snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, w.tid);
    printf("task/TID/stat starts with the tid: %s\n", yes(atoi(first_line(path)) == w.tid));
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    printf("/proc/PID/stat starts with the pid: %s\n", yes(atoi(first_line(path)) == pid));

    int count;
    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    int has_main = dir_has(path, want, &count);
    printf("task/ lists the main thread %s and the worker %s, %d entries\n", yes(has_main),
           yes(dir_has(path, path2, &count)), count);

    /* the program's own file: a file of the image in the VM, whose path the shim knows */
    char exe[256] = "";
    readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    int fd = open("/proc/self/exe", O_RDONLY);
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
    n = readlink(path, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    printf("/proc/PID/fd/N names the program: %s\n", yes(exe[0] && !strcmp(link, exe)));
    snprintf(path2, sizeof(path2), "%d", fd);
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    printf("/proc/PID/fd lists it: %s\n", yes(dir_has(path, path2, &count)));
    int fd2 = open(({
                       snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
                       path;
                   }),
                   O_RDONLY);
    printf("opening /proc/PID/fd/N works: %s\n", yes(fd2 >= 0));
    close(fd2);
    close(fd);
    printf("closed, /proc/PID/fd/N is gone: %s\n", yes(gone(path)));

    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
    FILE *f = fopen(path, "r");
    char cmd[512] = "";
    size_t len = f ? fread(cmd, 1, sizeof(cmd), f) : 0;
    if (f)
        fclose(f);
    size_t want_len = 0;
    int same = 1;
    for (int i = 0; i < argc; i++) {
        same &= want_len + strlen(argv[i]) < len && !strcmp(cmd + want_len, argv[i]);
        want_len += strlen(argv[i]) + 1;
    }
    printf("/proc/PID/cmdline is argv: %s\n", yes(same && len == want_len));
    char exe1[256] = "", exe2[256] = "";
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    readlink(path, exe1, sizeof(exe1) - 1);
    readlink("/proc/self/exe", exe2, sizeof(exe2) - 1);
    printf("/proc/PID/exe is /proc/self/exe: %s\n", yes(exe1[0] && !strcmp(exe1, exe2)));
    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    printf("/proc/PID/maps has lines: %s\n", yes(first_line(path)[0] != 0));
    snprintf(path, sizeof(path), "/proc/%d/task/%d/maps", pid, w.tid);
    printf("task/TID/maps too: %s\n", yes(first_line(path)[0] != 0));
    snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
    n = readlink(path, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    char cwd[256] = "";
    getcwd(cwd, sizeof(cwd));
    printf("/proc/PID/cwd is the working directory: %s\n", yes(!strcmp(link, cwd)));

    printf("/proc lists the pid %s, self %s, thread-self %s\n", yes(dir_has("/proc", want, &count)),
           yes(dir_has("/proc", "self", &count)), yes(dir_has("/proc", "thread-self", &count)));
    snprintf(path, sizeof(path), "/proc/0%d", pid);
    printf("no such pid: /proc/99999999 %s, /proc/0 %s, /proc/0PID %s\n",
           yes(gone("/proc/99999999")), yes(gone("/proc/0")), yes(gone(path)));
    snprintf(path, sizeof(path), "/proc/%d/task/99999999", pid);
    printf("no such thread: %s\n", yes(gone(path)));

    if (chdir("/proc/self") == 0) {
        getcwd(cwd, sizeof(cwd));
        snprintf(want, sizeof(want), "/proc/%d", pid);
        printf("chdir /proc/self: getcwd is /proc/PID: %s\n", yes(!strcmp(cwd, want)));
        printf("status read through the cwd: %s\n", yes(status_field("status", "Name")[0] != 0));
        chdir("/");
    }

    set_stage(&w, 2);
    pthread_join(w.thread, NULL);
    snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, w.tid);
    int ok = 0;
    for (int i = 0; i < 200 && !(ok = gone(path)); i++)
        usleep(5000); /* Linux frees a thread's task a moment after join returns */
    printf("joined, task/TID is gone: %s\n", yes(ok));
}

/* ---- timer ---- */

static volatile pid_t hit_tid;
static volatile int hit_code;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
    hit_tid = tid();
    hit_code = si->si_code;
}

static void *timer_worker(void *arg)
{
    struct worker *w = arg;
    w->tid = tid();
    set_stage(w, 1);
    while (!hit_tid)
        usleep(1000);
    return NULL;
}

static void timer(void)
{
    struct sigaction sa = {.sa_sigaction = on_timer, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    struct worker w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    pthread_create(&w.thread, NULL, timer_worker, &w);
    wait_stage(&w, 1);
    struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1};
    ev.sigev_notify_thread_id = w.tid;
    timer_t t;
    int r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    printf("a timer for another thread of the process: %d\n", r);
    struct itimerspec its = {{0, 0}, {0, 20000000}};
    timer_settime(t, 0, &its, NULL);
    pthread_join(w.thread, NULL);
    printf("it signalled that thread: %s, SI_TIMER: %s\n", yes(hit_tid == w.tid),
           yes(hit_code == SI_TIMER));
    timer_delete(t);
    ev.sigev_notify_thread_id = 99999999;
    errno = 0;
    r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    printf("a timer for no such thread: %d %s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
}

/* ---- futex ---- */

#define FUTEX_WAIT_         0
#define FUTEX_WAKE_         1
#define FUTEX_PRIVATE_FLAG_ 128

static long futex(volatile int *word, int op, int val)
{
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

struct waiter {
    volatile int *word;
    int op;
    volatile int started;
    long result;
};

static void *futex_waiter(void *arg)
{
    struct waiter *w = arg;
    w->started = 1;
    w->result = futex(w->word, w->op, 0);
    return NULL;
}

/* Starts a thread waiting on word with op, gives it time to sleep in the kernel. */
static void start_wait(pthread_t *t, struct waiter *w)
{
    pthread_create(t, NULL, futex_waiter, w);
    while (!w->started)
        usleep(1000);
    usleep(50000);
}

/* Wakes word with op until the waiter is woken (at most 2 s): the wake count of the
 * first call that woke it, or 0 with "never" if none did. */
static long wake_until(volatile int *word, int op, struct waiter *w, pthread_t t)
{
    for (int i = 0; i < 200; i++) {
        long n = futex(word, op, 1);
        if (n > 0) {
            pthread_join(t, NULL);
            return n;
        }
        usleep(10000);
    }
    return 0;
}

static void futexes(void)
{
    char path[] = "/tmp/pstate-futex-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, 4096)) {
        printf("no file in /tmp: %s\n", strerror(errno));
        return;
    }
    unlink(path);
    volatile int *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile int *b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (a == MAP_FAILED || b == MAP_FAILED) {
        printf("mmap: %s\n", strerror(errno));
        return;
    }
    a[16] = 0;
    printf("two mappings, one word: %s\n", yes(b[16] == 0 && a != b && ((a[16] = 5), b[16] == 5)));
    a[16] = 0;

    /* shared wait on a's word, private wake on b's: different keys, nobody woken; then a
     * shared wake on b's word: the same page, the waiter wakes */
    struct waiter w = {.word = &a[16], .op = FUTEX_WAIT_};
    pthread_t t;
    start_wait(&t, &w);
    printf("private wake through the other mapping: %ld\n",
           futex(&b[16], FUTEX_WAKE_ | FUTEX_PRIVATE_FLAG_, 1));
    printf("shared wake through the other mapping: %ld, wait returned %ld\n",
           wake_until(&b[16], FUTEX_WAKE_, &w, t), w.result);

    /* a private wait is keyed by its address: a shared wake of the other mapping misses
     * it, a private wake of its own address finds it */
    w = (struct waiter){.word = &a[32], .op = FUTEX_WAIT_ | FUTEX_PRIVATE_FLAG_};
    start_wait(&t, &w);
    printf("shared wake of the other mapping, private waiter: %ld\n",
           futex(&b[32], FUTEX_WAKE_, 1));
    printf("private wake of its own address: %ld, wait returned %ld\n",
           wake_until(&a[32], FUTEX_WAKE_ | FUTEX_PRIVATE_FLAG_, &w, t), w.result);

    /* private memory: private and shared calls on one address meet (Linux keys both by
     * the address space and the address) */
    static volatile int anon;
    w = (struct waiter){.word = &anon, .op = FUTEX_WAIT_};
    start_wait(&t, &w);
    printf("private memory, shared waiter, shared wake: %ld, wait returned %ld\n",
           wake_until(&anon, FUTEX_WAKE_, &w, t), w.result);
    w = (struct waiter){.word = &anon, .op = FUTEX_WAIT_ | FUTEX_PRIVATE_FLAG_};
    start_wait(&t, &w);
    printf("private memory, private waiter, private wake: %ld, wait returned %ld\n",
           wake_until(&anon, FUTEX_WAKE_ | FUTEX_PRIVATE_FLAG_, &w, t), w.result);
    munmap((void *)a, 4096);
    munmap((void *)b, 4096);
    close(fd);
}

/* ---- family ---- */

/* The n-th field (1-based) of /proc/PID/stat, after the comm's parenthesis. */
static long stat_field(pid_t pid, int n, char *state)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    const char *line = first_line(path), *p = strrchr(line, ')');
    if (!p)
        return -1;
    p += 2; /* field 3, the state */
    if (state)
        *state = *p;
    for (int f = 3; f < n && p; f++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return p ? atol(p) : -1;
}

static void family(void)
{
    int go[2], ready[2];
    pipe(go);
    pipe(ready);
    volatile int *shared =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    static volatile int private_word;
    int base = getpriority(PRIO_PROCESS, 0);
    struct itimerval it = {{0, 0}, {30, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    prctl(PR_SET_NAME, "parent");
    pid_t me = getpid(), child = fork();
    if (child == 0) {
        struct itimerval cur;
        getitimer(ITIMER_REAL, &cur);
        char c = 0;
        prctl(PR_SET_NAME, "kid");
        setpgid(0, 0);
        int fd = open("/proc/self/exe", O_RDONLY);
        dup2(fd, 40);
        close(fd);
        char msg[64];
        int n =
            snprintf(msg, sizeof(msg), "%d", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
        write(ready[1], msg, (size_t)n);
        read(go[0], &c, 1);
        /* the parent wakes these: the shared word meets, the private one does not */
        long r = futex(shared, FUTEX_WAIT_, 0);
        write(ready[1], r == 0 ? "w" : "x", 1);
        read(go[0], &c, 1);
        _exit(7);
    }
    char msg[8] = "";
    read(ready[0], msg, sizeof(msg));
    printf("the child's ITIMER_REAL is not inherited: %s\n", yes(msg[0] == '1'));
    char state;
    printf("/proc/CHILD/stat: ppid is the parent %s, own group %s, parent's session %s\n",
           yes(stat_field(child, 4, &state) == me), yes(stat_field(child, 5, NULL) == child),
           yes(stat_field(child, 6, NULL) == getsid(0)));
    char path[96], want[16];
    snprintf(path, sizeof(path), "/proc/%d/status", child);
    snprintf(want, sizeof(want), "%d", me);
    printf("/proc/CHILD/status PPid is the parent: %s\n",
           yes(!strcmp(status_field(path, "PPid"), want)));
    snprintf(path, sizeof(path), "/proc/%d/comm", child);
    char kid[32];
    snprintf(kid, sizeof(kid), "%s", first_line(path));
    printf("/proc/CHILD/comm: %s, the parent's: %s\n", kid, first_line("/proc/self/comm"));
    int fd = open(path, O_WRONLY);
    errno = 0;
    printf("renaming another process: %s\n",
           write(fd, "x", 1) < 0 && errno == EINVAL ? "EINVAL" : strerror(errno));
    close(fd);
    snprintf(path, sizeof(path), "/proc/%d/fd/40", child);
    printf("the child's fd 40 is in /proc/CHILD/fd: %s, not in the parent's: %s\n",
           yes(access(path, F_OK) == 0), yes(gone("/proc/self/fd/40")));
    int count;
    snprintf(path, sizeof(path), "%d", child);
    printf("/proc lists the child: %s\n", yes(dir_has("/proc", path, &count)));
    snprintf(path, sizeof(path), "/proc/%d/task", child);
    dir_has(path, "", &count);
    printf("the child's task/ has %d entries\n", count);
    int r = setpriority(PRIO_PROCESS, child, base + 5);
    int child_prio = getpriority(PRIO_PROCESS, child), own = getpriority(PRIO_PROCESS, 0);
    printf("setpriority of the child: %d; it has +5 %s, the parent unchanged %s\n", r,
           yes(child_prio == base + 5), yes(own == base));
    printf("its group's priority is its own: %s\n", yes(getpriority(PRIO_PGRP, child) == base + 5));

    write(go[1], "g", 1);
    usleep(100000); /* the child is asleep in FUTEX_WAIT by now, or soon */
    long priv = 0, sh = 0;
    for (int i = 0; i < 200 && !sh; i++) {
        priv += futex(&private_word, FUTEX_WAKE_ | FUTEX_PRIVATE_FLAG_, 1);
        priv += futex(shared, FUTEX_WAKE_ | FUTEX_PRIVATE_FLAG_, 1);
        sh = futex(shared, FUTEX_WAKE_, 1);
        if (!sh)
            usleep(10000);
    }
    read(ready[0], msg, 1);
    printf("futex: private wakes reached the child %ld times; the shared wake %ld, it woke: %s\n",
           priv, sh, yes(msg[0] == 'w'));
    write(go[1], "g", 1);
    siginfo_t si;
    waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT);
    stat_field(child, 4, &state);
    printf("exited, not reaped: state %c\n", state);
    int status;
    waitpid(child, &status, 0);
    snprintf(path, sizeof(path), "/proc/%d", child);
    printf("reaped (status %d): /proc/CHILD is gone: %s\n", WEXITSTATUS(status), yes(gone(path)));
    it = (struct itimerval){0};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void show_groups(const char *when)
{
    gid_t g[8] = {99, 99, 99, 99, 99, 99, 99, 99};
    int n = getgroups(0, NULL), got = getgroups(8, g);
    printf("%s: count %d, list %d:", when, n, got);
    for (int i = 0; i < got; i++)
        printf(" %u", (unsigned)g[i]);
    if (n > 1) { /* a list one short */
        errno = 0;
        int r = getgroups(n - 1, g);
        printf(", short list %d %s", r, strerror(errno));
    }
    printf("\n");
}

static void groups(void)
{
    gid_t zero[2] = {0, 0};
    printf("setgroups none: %d\n", setgroups(0, NULL));
    show_groups("none");
    printf("setgroups [0]: %d\n", setgroups(1, zero));
    show_groups("[0]");
    printf("setgroups [0 0]: %d\n", setgroups(2, zero));
    show_groups("[0 0]");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        show_groups("child");
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("setgroups none again: %d\n", setgroups(0, NULL));
    show_groups("none again");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "names";
    if (!strcmp(mode, "names"))
        names();
    else if (!strcmp(mode, "proc"))
        proc(argc, argv);
    else if (!strcmp(mode, "timer"))
        timer();
    else if (!strcmp(mode, "futex"))
        futexes();
    else if (!strcmp(mode, "family"))
        family();
    else if (!strcmp(mode, "groups"))
        groups();
    else
        return 2;
    return 0;
}
