/*
 * Processes (issue 12): fork, exit and wait, as a shell or a server's master uses them.
 * One subcommand per run (argv[1]); tests/lib/procs_cases.sh runs each in a VM and
 * natively and compares. The output never shows a pid or a time, only relations
 * ("ppid matches: yes"), counts and statuses, so both runs print the same bytes.
 *
 * Children report through their exit status, pipes, or their own lines printed while
 * the parent is blocked in a wait: the order of the lines never depends on scheduling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case ECHILD:
        return "ECHILD";
    case EAGAIN:
        return "EAGAIN";
    case EINTR:
        return "EINTR";
    case EINVAL:
        return "EINVAL";
    case ESRCH:
        return "ESRCH";
    case EPIPE:
        return "EPIPE";
    case EPERM:
        return "EPERM";
    default:
        return "other";
    }
}

static const char *sig_name(int s)
{
    switch (s) {
    case SIGTERM:
        return "SIGTERM";
    case SIGSTOP:
        return "SIGSTOP";
    case SIGKILL:
        return "SIGKILL";
    case SIGSEGV:
        return "SIGSEGV";
    case SIGABRT:
        return "SIGABRT";
    case SIGCHLD:
        return "SIGCHLD";
    case SIGUSR1:
        return "SIGUSR1";
    default:
        return "other";
    }
}

static const char *code_name(int c)
{
    switch (c) {
    case CLD_EXITED:
        return "CLD_EXITED";
    case CLD_KILLED:
        return "CLD_KILLED";
    case CLD_DUMPED:
        return "CLD_DUMPED";
    default:
        return "other";
    }
}

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

/* "exited 42" or "killed by SIGTERM" (never the core-dump bit: natively it depends on
 * the host's core_pattern). */
static void show_status(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %s\n", what, sig_name(WTERMSIG(st)));
    else
        printf("%s: status other\n", what);
}

static void die(const char *what)
{
    printf("%s failed: %s\n", what, err_name(errno));
    exit(99);
}

static pid_t xfork(void)
{
    fflush(stdout); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    return pid;
}

static void xpipe(int p[2])
{
    if (pipe(p) < 0)
        die("pipe");
}

static void put_byte(int fd, char c)
{
    if (write(fd, &c, 1) != 1)
        die("write");
}

static char get_byte(int fd)
{
    char c = 0;
    if (read(fd, &c, 1) != 1)
        return 0;
    return c;
}

/* The status of pid, reaped with waitpid. */
static int reap(pid_t pid)
{
    int st = 0;
    pid_t r;
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r != pid)
        die("waitpid");
    return st;
}

static void no_core(void)
{
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
}

/* ---- many: 100 children, reaped with wait4(-1) and waitpid(pid) ---- */

static int cmd_many(void)
{
    enum { N = 100 };
    pid_t pids[N];
    int seen[N] = {0};
    for (int i = 0; i < N; i++) {
        pid_t pid = xfork();
        if (pid == 0)
            _exit(i);
        pids[i] = pid;
    }
    int distinct = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < i; j++)
            if (pids[i] == pids[j] || pids[i] == getpid())
                distinct = 0;
    printf("forked %d, pids distinct: %s\n", N, yes(distinct));
    /* the odd ones by pid, then the rest with wait4(-1) */
    int by_pid = 0, by_any = 0, right = 0;
    for (int i = 1; i < N; i += 2) {
        int st = reap(pids[i]);
        by_pid++;
        right += WIFEXITED(st) && WEXITSTATUS(st) == i;
        seen[i]++;
    }
    for (;;) {
        int st;
        struct rusage ru;
        pid_t r = wait4(-1, &st, 0, &ru);
        if (r < 0) {
            printf("wait4 after the last: %s\n", err_name(errno));
            break;
        }
        int i = 0;
        while (i < N && pids[i] != r)
            i++;
        if (i == N) {
            printf("wait4 returned a pid not forked\n");
            continue;
        }
        by_any++;
        seen[i]++;
        right += WIFEXITED(st) && WEXITSTATUS(st) == i;
    }
    int once = 1;
    for (int i = 0; i < N; i++)
        once &= seen[i] == 1;
    printf("reaped by pid %d, by wait4(-1) %d, each once: %s, statuses right: %d\n", by_pid, by_any,
           yes(once), right);
    return 0;
}

/* ---- status: exit codes through _exit, exit and return from main's caller ---- */

static int cmd_status(void)
{
    static const int codes[] = {0, 1, 42, 255, 256, 257};
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        pid_t pid = xfork();
        if (pid == 0) {
            if (i % 2)
                exit(codes[i]);
            _exit(codes[i]);
        }
        char what[32];
        snprintf(what, sizeof(what), "%s(%d)", i % 2 ? "exit" : "_exit", codes[i]);
        show_status(what, reap(pid));
    }
    return 0;
}

/* ---- signaled: children killed by signals ---- */

static int cmd_signaled(void)
{
    int p[2];
    /* SIGTERM and SIGKILL sent by the parent to a child blocked in read */
    static const int sent[] = {SIGTERM, SIGKILL};
    for (unsigned i = 0; i < 2; i++) {
        xpipe(p);
        pid_t pid = xfork();
        if (pid == 0) {
            close(p[1]);
            get_byte(p[0]);
            _exit(0);
        }
        close(p[0]);
        printf("kill %s: %s\n", sig_name(sent[i]), err_name(kill(pid, sent[i]) ? errno : 0));
        show_status(sig_name(sent[i]), reap(pid));
        close(p[1]);
    }
    /* a child that signals itself */
    pid_t pid = xfork();
    if (pid == 0) {
        kill(getpid(), SIGTERM);
        _exit(0);
    }
    show_status("kill(getpid(), SIGTERM)", reap(pid));
    pid = xfork();
    if (pid == 0) {
        no_core();
        *(volatile int *)8 = 1; /* a null-page write */
        _exit(0);
    }
    show_status("null write", reap(pid));
    pid = xfork();
    if (pid == 0) {
        no_core();
        abort();
    }
    show_status("abort", reap(pid));
    pid = xfork();
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        kill(getpid(), SIGTERM);
        _exit(7);
    }
    show_status("SIGTERM ignored", reap(pid));
    return 0;
}

/* ---- wnohang: WNOHANG with a child alive, none exited, none at all; ECHILD ---- */

static int cmd_wnohang(void)
{
    int p[2], st = -1;
    xpipe(p);
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[1]);
        get_byte(p[0]);
        _exit(3);
    }
    close(p[0]);
    pid_t r = waitpid(-1, &st, WNOHANG);
    printf("WNOHANG, child alive: %d\n", (int)r);
    r = waitpid(pid, &st, WNOHANG);
    printf("WNOHANG on its pid, alive: %d\n", (int)r);
    r = waitpid(pid + 100000, &st, WNOHANG); /* beyond pid_max: no such child */
    printf("WNOHANG on a pid not a child: %d %s\n", (int)r, r < 0 ? err_name(errno) : "");
    close(p[1]); /* the child reads EOF and exits */
    /* WNOHANG until the zombie is there: bounded, the child only has to run */
    for (int i = 0; i < 10000; i++) {
        r = waitpid(-1, &st, WNOHANG);
        if (r != 0)
            break;
        usleep(1000);
    }
    printf("WNOHANG, child exited: pid matches: %s\n", yes(r == pid));
    show_status("status", st);
    r = waitpid(-1, &st, WNOHANG);
    printf("WNOHANG, no children: %d %s\n", (int)r, r < 0 ? err_name(errno) : "");
    r = wait(&st);
    printf("wait, no children: %d %s\n", (int)r, r < 0 ? err_name(errno) : "");
    r = waitpid(getpid(), &st, 0);
    printf("waitpid of itself: %d %s\n", (int)r, r < 0 ? err_name(errno) : "");
    /* waitpid of one given pid while another child has already exited */
    pid_t quick = xfork();
    if (quick == 0)
        _exit(1);
    xpipe(p);
    pid_t slow = xfork();
    if (slow == 0) {
        close(p[1]);
        get_byte(p[0]);
        _exit(2);
    }
    close(p[0]);
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    waitid(P_PID, quick, &si, WEXITED | WNOWAIT); /* quick is a zombie now */
    close(p[1]);
    st = reap(slow);
    printf("waitpid(slow) with quick a zombie: exited %d\n", WEXITSTATUS(st));
    st = reap(quick);
    printf("then waitpid(quick): exited %d\n", WEXITSTATUS(st));
    return 0;
}

/* ---- waitid: P_ALL and P_PID, WEXITED, WNOHANG, WNOWAIT, the siginfo fields ---- */

static void show_info(const char *what, int rc, const siginfo_t *si, pid_t want)
{
    if (rc < 0) {
        printf("%s: %s\n", what, err_name(errno));
        return;
    }
    printf("%s: si_signo %s, si_code %s, si_status %d, si_pid matches: %s\n", what,
           si->si_signo ? sig_name(si->si_signo) : "0", code_name(si->si_code),
           si->si_code == CLD_KILLED ? 0 : si->si_status, yes(si->si_pid == want));
    if (si->si_code == CLD_KILLED)
        printf("%s: killed by %s\n", what, sig_name(si->si_status));
}

static int cmd_waitid(void)
{
    int p[2];
    siginfo_t si;
    xpipe(p);
    pid_t a = xfork();
    if (a == 0) {
        close(p[1]);
        get_byte(p[0]);
        _exit(42);
    }
    close(p[0]);
    memset(&si, 0x55, sizeof(si));
    int rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
    printf("P_ALL WNOHANG, alive: %d, si_pid %d, si_signo %d\n", rc, (int)si.si_pid, si.si_signo);
    close(p[1]);
    memset(&si, 0, sizeof(si));
    rc = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
    show_info("P_ALL WNOWAIT", rc, &si, a);
    memset(&si, 0, sizeof(si));
    rc = waitid(P_PID, a, &si, WEXITED | WNOWAIT);
    show_info("P_PID WNOWAIT again", rc, &si, a);
    memset(&si, 0, sizeof(si));
    rc = waitid(P_PID, a, &si, WEXITED);
    show_info("P_PID", rc, &si, a);
    memset(&si, 0, sizeof(si));
    rc = waitid(P_PID, a, &si, WEXITED | WNOHANG);
    show_info("P_PID reaped already", rc, &si, a);

    xpipe(p);
    pid_t b = xfork();
    if (b == 0) {
        close(p[1]);
        get_byte(p[0]);
        _exit(0);
    }
    close(p[0]);
    kill(b, SIGKILL);
    memset(&si, 0, sizeof(si));
    rc = waitid(P_PID, b, &si, WEXITED);
    show_info("P_PID of a killed child", rc, &si, b);
    close(p[1]);
    memset(&si, 0, sizeof(si));
    rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
    show_info("P_ALL, no children", rc, &si, 0);
    rc = waitid(P_ALL, 0, &si, WNOHANG);
    printf("waitid without WEXITED: %d %s\n", rc, rc < 0 ? err_name(errno) : "");
    return 0;
}

/* ---- sigchld: a SA_SIGINFO handler; SA_NOCLDWAIT and SIG_IGN reap at once ---- */

static volatile sig_atomic_t chld_count, chld_code[8], chld_status[8], chld_pid_ok[8];
static volatile pid_t chld_expect;

static void on_chld(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    int n = chld_count;
    if (sig == SIGCHLD && n < 8) {
        chld_code[n] = si->si_code;
        chld_status[n] = si->si_status;
        chld_pid_ok[n] = si->si_pid == chld_expect;
    }
    chld_count = n + 1;
}

static int cmd_sigchld(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    /* one child at a time, each signal awaited before the next fork: SIGCHLD is not
     * queued, so two children ending together could give one signal */
    for (int i = 0; i < 4; i++) {
        int p[2];
        xpipe(p);
        pid_t pid = xfork();
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            close(p[1]);
            get_byte(p[0]);
            _exit(10 + i);
        }
        close(p[0]);
        chld_expect = pid;
        if (i == 3)
            kill(pid, SIGKILL);
        close(p[1]);
        int before = chld_count;
        while (chld_count == before)
            sigsuspend(&old);
        reap(pid);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("SIGCHLD handler ran %d times\n", (int)chld_count);
    for (int i = 0; i < 4; i++) {
        if (chld_code[i] == CLD_KILLED)
            printf("  %d: %s %s, si_pid matches: %s\n", i, code_name(chld_code[i]),
                   sig_name(chld_status[i]), yes(chld_pid_ok[i]));
        else
            printf("  %d: %s %d, si_pid matches: %s\n", i, code_name(chld_code[i]),
                   (int)chld_status[i], yes(chld_pid_ok[i]));
    }
    /* a handler interrupting a blocking read: SA_RESTART restarts it */
    int p[2], q[2];
    xpipe(p);
    xpipe(q);
    chld_count = 0;
    pid_t pid = xfork();
    if (pid == 0) {
        close(q[0]);
        close(p[1]);
        get_byte(p[0]); /* until the parent is in read (cannot know: just exit) */
        put_byte(q[1], 'x');
        _exit(0);
    }
    close(p[0]);
    close(q[1]);
    chld_expect = pid;
    close(p[1]);
    char c = get_byte(q[0]);
    printf("read across SIGCHLD: got %c\n", c ? c : '0');
    reap(pid);
    close(q[0]);

    /* SA_NOCLDWAIT: children are reaped at exit; wait sleeps until none is left, then
     * ECHILD */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
    for (int i = 0; i < 3; i++)
        if (xfork() == 0)
            _exit(i);
    int st;
    pid_t r = wait(&st);
    printf("SA_NOCLDWAIT, wait: %d %s\n", (int)r, r < 0 ? err_name(errno) : "");
    /* SIGCHLD ignored: the same */
    signal(SIGCHLD, SIG_IGN);
    for (int i = 0; i < 3; i++)
        if (xfork() == 0)
            _exit(i);
    r = waitpid(-1, &st, 0);
    printf("SIGCHLD SIG_IGN, waitpid: %d %s\n", (int)r, r < 0 ? err_name(errno) : "");
    signal(SIGCHLD, SIG_DFL);
    pid = xfork();
    if (pid == 0)
        _exit(5);
    show_status("SIG_DFL again, reaped", reap(pid));
    return 0;
}

/* ---- cow: what a parent and a child write after fork is theirs alone, except in a
 * MAP_SHARED|MAP_ANONYMOUS region ---- */

#define BIG  (64u << 20)
#define PAGE 4096u

struct regions {
    char *stack, *heap, *file, *shared;
    unsigned char *big;
};

static void fill(const struct regions *r, const char *word, unsigned char big_base)
{
    strcpy(r->stack, word);
    strcpy(r->heap, word);
    strcpy(r->file, word);
    strcpy(r->shared, word);
    for (size_t off = 0; off < BIG; off += PAGE)
        r->big[off] = (unsigned char)(big_base + off / PAGE);
}

/* prints what each region holds, as seen by WHO */
static void look(const struct regions *r, const char *who, unsigned char big_base)
{
    printf("%s sees: stack %s, heap %s, MAP_PRIVATE file %s, MAP_SHARED anon %s\n", who, r->stack,
           r->heap, r->file, r->shared);
    size_t wrong = 0;
    for (size_t off = 0; off < BIG; off += PAGE)
        wrong += r->big[off] != (unsigned char)(big_base + off / PAGE);
    printf("%s sees: 64 MiB region, pages not its own: %zu of %u\n", who, wrong, BIG / PAGE);
}

static int cmd_cow(void)
{
    char stack_word[16];
    struct regions r = {.stack = stack_word};
    r.heap = malloc(16);
    r.big = malloc(BIG);
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open /proc/self/exe");
    r.file = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    r.shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!r.heap || !r.big || r.file == MAP_FAILED || r.shared == MAP_FAILED)
        die("allocate");
    close(fd);
    fill(&r, "before", 0);
    int go[2], done[2];
    xpipe(go);
    xpipe(done);
    pid_t pid = xfork();
    if (pid == 0) {
        close(go[1]);
        close(done[0]);
        look(&r, "child at fork", 0);
        put_byte(done[1], 'a'); /* the parent may now write */
        get_byte(go[0]);        /* it has */
        look(&r, "child after the parent wrote", 0);
        fill(&r, "child", 7);
        look(&r, "child after its writes", 7);
        fflush(stdout);
        put_byte(done[1], 'b');
        get_byte(go[0]); /* the parent has looked */
        _exit(0);
    }
    close(go[0]);
    close(done[1]);
    get_byte(done[0]);
    fill(&r, "parent", 3);
    fflush(stdout);
    put_byte(go[1], 'a');
    get_byte(done[0]); /* the child has written */
    look(&r, "parent after the child wrote", 3);
    fflush(stdout);
    put_byte(go[1], 'b');
    show_status("child", reap(pid));
    return 0;
}

/* ---- threads: fork while 4 threads run; the child has one ---- */

static volatile int threads_stop;
static volatile unsigned long spins[4];

static void *spin(void *arg)
{
    long i = (long)arg;
    while (!threads_stop) {
        spins[i]++;
        if (i % 2)
            sched_yield();
    }
    return NULL;
}

/* the Threads: line of /proc/self/status, or -1 */
static int thread_count(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    int n = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    fclose(f);
    return n;
}

static int cmd_threads(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, spin, (void *)i))
            die("pthread_create");
    printf("parent threads: %d\n", thread_count());
    pid_t pid = xfork();
    if (pid == 0) {
        printf("child threads: %d\n", thread_count());
        char *m = malloc(1 << 20);
        memset(m, 1, 1 << 20);
        free(m);
        pthread_t one;
        int rc = pthread_create(&one, NULL, spin, (void *)0);
        threads_stop = 1;
        if (rc == 0)
            pthread_join(one, NULL);
        printf("child: malloc, printf and a new thread after fork: %s\n", yes(rc == 0));
        exit(0);
    }
    show_status("child", reap(pid));
    threads_stop = 1;
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    /* Linux clears a thread's id (what join waits for) a moment before the thread
     * leaves its group: the count may say 2 for that moment */
    int n = thread_count();
    for (int tries = 0; n != 1 && tries < 1000; tries++) {
        usleep(1000);
        n = thread_count();
    }
    printf("parent threads after join: %d\n", n);
    return 0;
}

/* ---- ppid: getppid in the child is the parent's getpid ---- */

static int cmd_ppid(void)
{
    pid_t parent = getpid();
    int p[2];
    xpipe(p);
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[0]);
        put_byte(p[1], getppid() == parent ? 'y' : 'n');
        put_byte(p[1], getpid() != parent ? 'y' : 'n');
        pid_t me = getpid();
        if (write(p[1], &me, sizeof(me)) != sizeof(me))
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    char a = get_byte(p[0]), b = get_byte(p[0]);
    pid_t child_said = 0;
    if (read(p[0], &child_said, sizeof(child_said)) != sizeof(child_said))
        child_said = -1;
    printf("child's getppid is the parent's getpid: %c\n", a);
    printf("child's getpid differs from the parent's: %c\n", b);
    printf("child's getpid is what fork returned: %s\n", yes(child_said == pid));
    printf("child's pid positive: %s\n", yes(pid > 0));
    show_status("child", reap(pid));
    return 0;
}

/* ---- orphan: a grandchild whose parent exits is reparented to the subreaper ---- */

static int cmd_orphan(void)
{
    pid_t top = getpid();
    int rc = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    printf("PR_SET_CHILD_SUBREAPER: %s\n", err_name(rc ? errno : 0));
    int p[2];
    xpipe(p);
    pid_t mid = xfork();
    if (mid == 0) {
        pid_t me = getpid();
        pid_t g = xfork();
        if (g == 0) {
            /* wait until the parent is gone and this process is reparented */
            int i;
            for (i = 0; i < 10000 && getppid() == me; i++)
                usleep(1000);
            put_byte(p[1], getppid() == top ? 'y' : 'n');
            _exit(9);
        }
        if (write(p[1], &g, sizeof(g)) != sizeof(g))
            _exit(1);
        _exit(4);
    }
    close(p[1]);
    pid_t g = 0;
    if (read(p[0], &g, sizeof(g)) != sizeof(g))
        die("read the grandchild's pid");
    show_status("middle child", reap(mid));
    char c = get_byte(p[0]);
    printf("orphan's getppid is the top's getpid: %c\n", c ? c : '0');
    int st;
    pid_t r = waitpid(-1, &st, 0);
    printf("top reaped the orphan: %s\n", yes(r == g));
    show_status("orphan", st);
    r = waitpid(-1, &st, WNOHANG);
    printf("then no children: %s\n", r < 0 ? err_name(errno) : "no");
    return 0;
}

/* ---- exits: exit vs a thread's SYS_exit vs exit_group in a child ---- */

static int exits_pipe[2];

static void *thread_exit_only(void *arg)
{
    (void)arg;
    syscall(SYS_exit, 0); /* this thread only */
    return NULL;
}

static void *thread_then_exit_group(void *arg)
{
    (void)arg;
    get_byte(exits_pipe[0]);
    syscall(SYS_exit_group, 5);
    return NULL;
}

static void *thread_outlives_main(void *arg)
{
    (void)arg;
    get_byte(exits_pipe[0]); /* until main has gone */
    usleep(20000);
    printf("  the thread runs after main's SYS_exit\n");
    exit(6);
}

static void on_exit_handler(void)
{
    printf("  atexit handler ran\n");
}

static int cmd_exits(void)
{
    /* exit(): atexit handlers and stdio buffers */
    pid_t pid = xfork();
    if (pid == 0) {
        atexit(on_exit_handler);
        printf("  buffered line flushed by exit\n");
        exit(1);
    }
    show_status("exit()", reap(pid));
    pid = xfork();
    if (pid == 0) {
        atexit(on_exit_handler);
        _exit(2);
    }
    show_status("_exit() without handlers", reap(pid));
    /* a thread's SYS_exit: the process goes on */
    pid = xfork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, thread_exit_only, NULL);
        /* not pthread_join: musl's waits for its own exit path, which SYS_exit skips */
        int i;
        for (i = 0; i < 10000 && thread_count() != 1; i++)
            usleep(1000);
        printf("  the process goes on after a thread's SYS_exit, threads left: %d\n",
               thread_count());
        exit(3);
    }
    show_status("thread SYS_exit, then exit(3)", reap(pid));
    /* a thread's exit_group ends every thread */
    xpipe(exits_pipe);
    pid = xfork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, thread_then_exit_group, NULL);
        close(exits_pipe[1]); /* the thread reads EOF once the parent closes too */
        for (;;)
            pause();
    }
    close(exits_pipe[0]);
    close(exits_pipe[1]);
    show_status("a thread's exit_group(5)", reap(pid));
    /* main's SYS_exit: the process lives while another thread does */
    xpipe(exits_pipe);
    pid = xfork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, thread_outlives_main, NULL);
        close(exits_pipe[1]);
        fflush(stdout);
        syscall(SYS_exit, 0);
    }
    close(exits_pipe[0]);
    close(exits_pipe[1]);
    show_status("main SYS_exit, a thread's exit(6)", reap(pid));
    return 0;
}

/* ---- pipes: across fork both ways, EOF, 1 MiB checksummed ---- */

static uint32_t fnv(uint32_t h, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static void pattern(unsigned char *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (unsigned char)(seed >> 16);
    }
}

static int cmd_pipes(void)
{
    int down[2], up[2];
    xpipe(down);
    xpipe(up);
    pid_t pid = xfork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        char buf[64];
        size_t n = 0;
        ssize_t k;
        while ((k = read(down[0], buf + n, sizeof(buf) - 1 - n)) > 0)
            n += (size_t)k;
        buf[n] = 0;
        char reply[128];
        int len = snprintf(reply, sizeof(reply), "child got '%s' then EOF (%zd)", buf, k);
        if (write(up[1], reply, (size_t)len) != len)
            _exit(1);
        _exit(0); /* the last write end of up closes */
    }
    close(down[0]);
    close(up[1]);
    if (write(down[1], "ping", 4) != 4)
        die("write");
    close(down[1]);
    char buf[128];
    size_t n = 0;
    ssize_t k;
    while ((k = read(up[0], buf + n, sizeof(buf) - 1 - n)) > 0)
        n += (size_t)k;
    buf[n] = 0;
    printf("parent got \"%s\", then EOF (%zd)\n", buf, k);
    close(up[0]);
    show_status("child", reap(pid));

    /* EOF only when every write end is closed: a dup kept by the parent holds it off */
    xpipe(up);
    int extra = dup(up[1]);
    pid = xfork();
    if (pid == 0) {
        close(up[0]);
        close(extra);
        put_byte(up[1], 'z');
        _exit(0);
    }
    close(up[1]);
    reap(pid);
    fcntl(up[0], F_SETFL, O_NONBLOCK);
    char c;
    k = read(up[0], &c, 1);
    printf("read the child's byte: %zd\n", k);
    k = read(up[0], &c, 1);
    printf("child gone, a dup still open: %zd %s\n", k, k < 0 ? err_name(errno) : "");
    close(extra);
    k = read(up[0], &c, 1);
    printf("every write end closed: %zd\n", k);
    close(up[0]);

    /* 1 MiB from the child, checksummed on both sides */
    enum { MB = 1 << 20 };
    unsigned char *data = malloc(MB);
    pattern(data, MB, 12345);
    uint32_t want = fnv(2166136261u, data, MB);
    xpipe(up);
    pid = xfork();
    if (pid == 0) {
        close(up[0]);
        size_t off = 0;
        while (off < MB) {
            size_t chunk = MB - off < 5000 ? MB - off : 5000; /* not a page multiple */
            ssize_t w = write(up[1], data + off, chunk);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(up[1]);
    memset(data, 0, MB);
    size_t got = 0;
    uint32_t h = 2166136261u;
    unsigned char chunk[7000];
    while ((k = read(up[0], chunk, sizeof(chunk))) > 0) {
        h = fnv(h, chunk, (size_t)k);
        got += (size_t)k;
    }
    printf("1 MiB through a pipe: %zu bytes, checksum %08x, matches: %s\n", got, h, yes(h == want));
    close(up[0]);
    show_status("writer", reap(pid));

    /* and the other way: the parent writes 1 MiB, the child checks it */
    xpipe(down);
    pid = xfork();
    if (pid == 0) {
        close(down[1]);
        uint32_t hc = 2166136261u;
        size_t total = 0;
        while ((k = read(down[0], chunk, sizeof(chunk))) > 0) {
            hc = fnv(hc, chunk, (size_t)k);
            total += (size_t)k;
        }
        _exit(total == MB && hc == want ? 0 : 1);
    }
    close(down[0]);
    pattern(data, MB, 12345);
    size_t off = 0;
    while (off < MB) {
        ssize_t w = write(down[1], data + off, MB - off);
        if (w <= 0)
            die("write");
        off += (size_t)w;
    }
    close(down[1]);
    show_status("reader (0: it got the same checksum)", reap(pid));
    /* EPIPE: the reader is gone */
    signal(SIGPIPE, SIG_IGN);
    xpipe(down);
    pid = xfork();
    if (pid == 0)
        _exit(0);
    close(down[0]);
    reap(pid);
    k = write(down[1], "x", 1);
    printf("write with no reader left: %zd %s\n", k, k < 0 ? err_name(errno) : "");
    close(down[1]);
    free(data);
    return 0;
}

/* ---- world: another process's limits, groups, stop and continue, its /proc ---- */

/* The value of a "Key:" line of /proc/PID/status, or "" */
static void status_field(pid_t pid, const char *key, char *out, size_t n)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    out[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t k = strlen(key);
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, key, k) && line[k] == ':') {
            char *v = line + k + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = 0;
            snprintf(out, n, "%s", v);
            break;
        }
    fclose(f);
}

static int cmd_world(void)
{
    pid_t me = getpid();
    int go[2];
    xpipe(go);
    pid_t a = xfork();
    if (a == 0) {
        close(go[1]);
        get_byte(go[0]); /* until the parent has looked */
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        printf("child sees the limit its parent set: %s\n", yes(rl.rlim_cur == 77));
        fflush(stdout);
        _exit(0);
    }
    /* prlimit of another process */
    struct rlimit rl = {77, 88}, old;
    int r = prlimit(a, RLIMIT_NOFILE, &rl, &old);
    printf("prlimit of a child: %s\n", r == 0 ? "ok" : err_name(errno));
    /* its /proc: the parent, the group */
    char v[64];
    status_field(a, "PPid", v, sizeof(v));
    printf("/proc/child/status PPid is the parent: %s\n", yes(atoi(v) == me));
    /* a group of its own, then of two */
    printf("setpgid(child, 0): %s\n", setpgid(a, 0) == 0 ? "ok" : err_name(errno));
    printf("getpgid(child) is the child: %s\n", yes(getpgid(a) == a));
    printf("getsid(child) is ours: %s\n", yes(getsid(a) == getsid(0)));
    pid_t b = xfork();
    if (b == 0) {
        pause();
        _exit(0);
    }
    printf("setpgid(second, first's group): %s\n", setpgid(b, a) == 0 ? "ok" : err_name(errno));
    printf("setpgid into a group that does not exist: %s\n",
           setpgid(b, 999999) == 0 ? "ok" : err_name(errno));
    /* stop and continue the second */
    kill(b, SIGSTOP);
    int st;
    pid_t w = waitpid(b, &st, WUNTRACED);
    printf("stopped: %s %s\n", yes(w == b && WIFSTOPPED(st)),
           WIFSTOPPED(st) ? sig_name(WSTOPSIG(st)) : "");
    status_field(b, "State", v, sizeof(v));
    printf("its /proc state: %c\n", v[0]);
    kill(b, SIGCONT);
    w = waitpid(b, &st, WCONTINUED);
    printf("continued: %s\n", yes(w == b && WIFCONTINUED(st)));
    fflush(stdout); /* before the child's line */
    put_byte(go[1], 'g');
    close(go[1]);
    show_status("first child", reap(a));
    /* the whole group: the first is gone, the second gets it */
    printf("kill of the group: %s\n", kill(-a, SIGTERM) == 0 ? "ok" : err_name(errno));
    show_status("second child", reap(b));
    printf("kill of a group that is gone: %s\n", kill(-a, SIGTERM) == 0 ? "ok" : err_name(errno));
    printf("prlimit of a pid that is gone: %s\n",
           prlimit(a, RLIMIT_NOFILE, NULL, &old) == 0 ? "ok" : err_name(errno));
    return 0;
}

/* ---- cowmem: a fork does not copy the parent's memory ---- */

static long mem_free_kib(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    long v = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemFree: %ld kB", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

static int cmd_cowmem(void)
{
    size_t size = 256 << 20;
    char *m = malloc(size);
    if (!m)
        die("malloc");
    memset(m, 7, size);
    int p[2];
    xpipe(p);
    long before = mem_free_kib();
    pid_t pid = xfork();
    if (pid == 0) {
        long after = mem_free_kib();
        /* a quarter of what the parent has resident is far above the page tables */
        long used = before - after;
        put_byte(p[1], used < (long)(size / 1024 / 4) ? 'y' : 'n');
        /* writing 16 MiB of it copies those pages only */
        memset(m, 9, 16 << 20);
        long wrote = mem_free_kib();
        put_byte(p[1], before - wrote < (long)(size / 1024 / 4) ? 'y' : 'n');
        _exit(m[0] == 9 && m[size - 1] == 7 ? 0 : 1);
    }
    printf("the fork took less than a quarter of the parent's 256 MiB: %s\n",
           yes(get_byte(p[0]) == 'y'));
    printf("16 MiB written by the child took about that: %s\n", yes(get_byte(p[0]) == 'y'));
    show_status("child", reap(pid));
    printf("the parent still sees its own bytes: %s\n", yes(m[0] == 7));
    free(m);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(void);
} commands[] = {
    {"many", cmd_many},       {"status", cmd_status},   {"signaled", cmd_signaled},
    {"wnohang", cmd_wnohang}, {"waitid", cmd_waitid},   {"sigchld", cmd_sigchld},
    {"cow", cmd_cow},         {"threads", cmd_threads}, {"ppid", cmd_ppid},
    {"orphan", cmd_orphan},   {"exits", cmd_exits},     {"pipes", cmd_pipes},
    {"world", cmd_world},     {"cowmem", cmd_cowmem},
};

int main(int argc, char **argv)
{
    for (unsigned i = 0; argc == 2 && i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run();
    fprintf(stderr, "usage: fork COMMAND (");
    for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(stderr, "%s%s", i ? "|" : "", commands[i].name);
    fprintf(stderr, ")\n");
    return 2;
}
