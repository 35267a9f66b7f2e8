/*
 * Signal delivery, one kind per argument: handlers for faults (recovering with
 * siglongjmp or by moving rip), timers (alarm, setitimer, timer_create), SIGPIPE, the
 * alternate stack, restarts and EINTR, sigsuspend, sigtimedwait, signalfd, raise and
 * abort, siginfo fields, FPU registers surviving a handler, delivery order, signals to
 * threads that compute without system calls (on another vCPU: an interrupt). It prints
 * only what is the same on every run and every system (no addresses, no pids).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define PAGE 4096

static sigjmp_buf jump;
static volatile sig_atomic_t hits;
static volatile uintptr_t fault_addr;
static volatile int fault_code, fault_signo;

static void die(const char *what)
{
    printf("FAILED: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL))
        die("sigaction");
}

static void record_and_jump(int sig, siginfo_t *si, void *uc)
{
    fault_signo = sig;
    fault_code = si->si_code;
    fault_addr = (uintptr_t)si->si_addr;
    hits++;
    siglongjmp(jump, 1);
}

static void report(const char *what, uintptr_t expect_addr, int check_addr)
{
    printf("%s: %s code %d%s\n", what, strsignal(fault_signo), fault_code,
           !check_addr                 ? ""
           : fault_addr == expect_addr ? " addr ok"
                                       : " addr WRONG");
}

static void *map(int prot)
{
    void *p = mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap");
    return p;
}

/* SIGSEGV, recovered from with siglongjmp, several times over */
static void segv(void)
{
    on(SIGSEGV, record_and_jump, 0);
    for (int round = 0; round < 3; round++) {
        if (!sigsetjmp(jump, 1))
            *(volatile int *)16 = 1;
        report("null write", 16, 1);
    }
    char *ro = map(PROT_READ);
    if (!sigsetjmp(jump, 1))
        ro[8] = 1;
    report("read-only write", (uintptr_t)ro + 8, 1);
    char *gone = map(PROT_READ | PROT_WRITE);
    munmap(gone, PAGE);
    if (!sigsetjmp(jump, 1))
        (void)*(volatile char *)gone;
    report("unmapped read", (uintptr_t)gone, 1);
    char *none = map(PROT_NONE);
    if (!sigsetjmp(jump, 1))
        (void)*(volatile char *)(none + 100);
    report("PROT_NONE read", (uintptr_t)none + 100, 1);
    printf("handled %d faults\n", (int)hits);
}

/* A handler that moves rip past the faulting instruction and returns. */
extern char fixrip_fault[], fixrip_resume[];
static void skip_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    hits++;
    printf("handler: rip %s, rax %lld\n",
           uc->uc_mcontext.gregs[REG_RIP] == (greg_t)fixrip_fault ? "at the fault" : "WRONG",
           (long long)uc->uc_mcontext.gregs[REG_RAX]);
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fixrip_resume;
    uc->uc_mcontext.gregs[REG_RBX] = 1234;
}

static void fixrip(void)
{
    on(SIGSEGV, skip_fault, 0);
    long rbx;
    __asm__ volatile("mov $8, %%rax\n"
                     "xor %%ebx, %%ebx\n"
                     ".globl fixrip_fault\nfixrip_fault:\n"
                     "movl (%%rax), %%eax\n"
                     ".globl fixrip_resume\nfixrip_resume:\n"
                     "mov %%rbx, %0\n"
                     : "=r"(rbx)
                     :
                     : "rax", "rbx", "memory");
    printf("resumed, rbx %ld, handler ran %d time(s)\n", rbx, (int)hits);
}

static void fpe(void)
{
    on(SIGFPE, record_and_jump, 0);
    volatile int zero = 0, n = 7;
    for (int i = 0; i < 2; i++) {
        if (!sigsetjmp(jump, 1))
            printf("%d\n", n / zero);
        report("divide by zero", 0, 0);
    }
}

static void ill(void)
{
    on(SIGILL, record_and_jump, 0);
    if (!sigsetjmp(jump, 1))
        __asm__ volatile("ud2");
    report("ud2", 0, 0);
}

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    printf("SIGTRAP code %d\n", si->si_code);
}

static void trap(void)
{
    on(SIGTRAP, trap_handler, 0);
    __asm__ volatile("int3");
    __asm__ volatile("int3");
    printf("after two int3: %d handler runs\n", (int)hits);
}

static void count_alarm(int sig, siginfo_t *si, void *uc)
{
    hits++;
}

static void alarm_pause(void)
{
    on(SIGALRM, count_alarm, 0);
    alarm(1);
    int r = pause();
    printf("pause: %d %s, handler ran %d\n", r, strerror(errno), (int)hits);
    printf("alarm left: %u\n", alarm(0));
    alarm(5);
    unsigned left = alarm(0);
    printf("alarm(5) then alarm(0): %s\n", left >= 4 && left <= 5 ? "4-5 left" : "WRONG");
}

static void itimer(void)
{
    on(SIGALRM, count_alarm, 0);
    struct itimerval it = {{0, 20000}, {0, 20000}};
    if (setitimer(ITIMER_REAL, &it, NULL))
        die("setitimer");
    while (hits < 5)
        pause();
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    printf("5 ticks; interval %ld us\n", (long)cur.it_interval.tv_usec);
    memset(&it, 0, sizeof(it));
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("stopped: %ld %ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
}

static volatile int timer_value, timer_code;
static void on_timer(int sig, siginfo_t *si, void *uc)
{
    hits++;
    timer_value = si->si_value.sival_int;
    timer_code = si->si_code;
}

static void posix_timer(void)
{
    on(SIGRTMIN, on_timer, 0);
    struct sigevent ev;
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN;
    ev.sigev_value.sival_int = 42;
    timer_t t;
    if (timer_create(CLOCK_MONOTONIC, &ev, &t))
        die("timer_create");
    struct itimerspec its = {{0, 0}, {0, 30000000}};
    if (timer_settime(t, 0, &its, NULL))
        die("timer_settime");
    struct itimerspec cur;
    timer_gettime(t, &cur);
    printf("armed: %s\n",
           cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 30000000 ? "yes" : "no");
    while (!hits)
        pause();
    printf("timer: code %s value %d overrun %d\n", timer_code == SI_TIMER ? "SI_TIMER" : "other",
           timer_value, timer_getoverrun(t));
    timer_gettime(t, &cur);
    printf("after: %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    /* repeating, on CLOCK_REALTIME with an absolute start */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    timer_t r;
    ev.sigev_value.sival_int = 7;
    if (timer_create(CLOCK_REALTIME, &ev, &r))
        die("timer_create realtime");
    its.it_interval.tv_nsec = 10000000;
    its.it_value = now;
    its.it_value.tv_nsec += 10000000;
    if (its.it_value.tv_nsec >= 1000000000) {
        its.it_value.tv_sec++;
        its.it_value.tv_nsec -= 1000000000;
    }
    if (timer_settime(r, TIMER_ABSTIME, &its, NULL))
        die("timer_settime abs");
    while (hits < 4)
        pause();
    printf("repeating: value %d\n", timer_value);
    timer_delete(r);
    timer_delete(t);
    printf("deleted again: %d\n", timer_delete(t) == -1 ? errno : 0);
}

static void on_pipe(int sig, siginfo_t *si, void *uc)
{
    hits++;
    printf("SIGPIPE handler: code %s\n", si->si_code == SI_USER ? "SI_USER" : "other");
}

static void sigpipe(void)
{
    on(SIGPIPE, on_pipe, 0);
    int fds[2];
    if (pipe(fds))
        die("pipe");
    close(fds[0]);
    ssize_t n = write(fds[1], "x", 1);
    printf("write: %zd %s, handler ran %d\n", n, strerror(errno), (int)hits);
}

static char *alt_base;
static size_t alt_size = 64 * 1024;
static void on_overflow(int sig, siginfo_t *si, void *uc)
{
    char here;
    int on_alt = &here >= alt_base && &here < alt_base + alt_size;
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("overflow: %s %son the alternate stack, SS_ONSTACK %s\n", strsignal(sig),
           on_alt ? "" : "NOT ", ss.ss_flags & SS_ONSTACK ? "set" : "clear");
    siglongjmp(jump, 1);
}

static volatile int keep_going = 1;
static int recurse(volatile char *prev, int depth)
{
    volatile char buf[4096];
    buf[0] = (char)depth;
    buf[4095] = prev ? prev[0] : 0;
    return keep_going ? recurse(buf, depth + 1) + buf[1] : 0;
}

static void altstack(void)
{
    alt_base = map(PROT_READ | PROT_WRITE);
    munmap(alt_base, PAGE);
    alt_base = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size};
    if (sigaltstack(&ss, NULL))
        die("sigaltstack");
    on(SIGSEGV, on_overflow, SA_ONSTACK);
    if (!sigsetjmp(jump, 1))
        recurse(NULL, 0);
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("back; alternate stack %s\n", cur.ss_flags == 0 ? "enabled, not in use" : "WRONG");
}

static int rpipe[2];
static void write_to_pipe(int sig, siginfo_t *si, void *uc)
{
    hits++;
    if (write(rpipe[1], "R", 1) != 1)
        _exit(3);
}

static void restart(int flags, const char *what)
{
    hits = 0;
    if (pipe(rpipe))
        die("pipe");
    on(SIGALRM, write_to_pipe, flags);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    char c = 0;
    errno = 0;
    ssize_t n = read(rpipe[0], &c, 1);
    printf("%s: read %zd '%c' %s, handler ran %d\n", what, n, n > 0 ? c : '-',
           n < 0 ? strerror(errno) : "", (int)hits);
    close(rpipe[0]);
    close(rpipe[1]);
}

static void restarts(void)
{
    restart(SA_RESTART, "SA_RESTART");
    restart(0, "no SA_RESTART");
    /* nanosleep never restarts: EINTR and the time left */
    on(SIGALRM, count_alarm, SA_RESTART);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec req = {2, 0}, rem = {0, 0};
    int r = nanosleep(&req, &rem);
    printf("nanosleep: %d %s, remaining %s\n", r, strerror(errno),
           rem.tv_sec >= 1 && rem.tv_sec < 2 ? "1-2 s" : "WRONG");
}

static void on_usr(int sig, siginfo_t *si, void *uc)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("handler %s, %s blocked inside\n", strsignal(sig),
           sigismember(&now, sig) ? "itself" : "NOT itself");
}

static void suspend(void)
{
    on(SIGUSR1, on_usr, 0);
    sigset_t block, old, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR1);
    printf("raised while blocked\n");
    sigset_t pending;
    sigpending(&pending);
    printf("pending: %s\n", sigismember(&pending, SIGUSR1) ? "SIGUSR1" : "none");
    sigemptyset(&empty);
    int r = sigsuspend(&empty);
    printf("sigsuspend: %d %s\n", r, strerror(errno));
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("mask restored: %s\n", sigismember(&now, SIGUSR1) ? "yes" : "no");
}

static void timedwait(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    printf("sigwaitinfo: %s code %d\n", strsignal(sig), si.si_code);
    struct timespec ts = {0, 50000000};
    sig = sigtimedwait(&set, &si, &ts);
    printf("sigtimedwait, nothing sent: %d %s\n", sig, strerror(errno));
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    ts.tv_sec = 5;
    sig = sigtimedwait(&set, &si, &ts);
    printf("sigtimedwait, timer: %s code %s\n", strsignal(sig),
           si.si_code == SI_KERNEL ? "SI_KERNEL" : "other");
    setitimer(ITIMER_REAL, &it, NULL);
    sig = sigwaitinfo(&set, &si);
    printf("sigwaitinfo, timer: %s\n", strsignal(sig));
}

static void sigfd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (fd < 0)
        die("signalfd");
    kill(getpid(), SIGUSR1);
    struct signalfd_siginfo info[4];
    ssize_t n = read(fd, info, sizeof(info));
    printf("read %zd: %s code %s pid %s\n", n, strsignal(info[0].ssi_signo),
           info[0].ssi_code == SI_USER ? "SI_USER" : "other",
           info[0].ssi_pid == (unsigned)getpid() ? "ok" : "WRONG");
    int nb = signalfd(fd, &set, SFD_NONBLOCK);
    printf("same fd: %s\n", nb == fd ? "yes" : "no");
    int fd2 = signalfd(-1, &set, SFD_NONBLOCK);
    n = read(fd2, info, sizeof(info));
    printf("empty, non-blocking: %zd %s\n", n, strerror(errno));
    n = read(fd2, info, 10);
    printf("short buffer: %zd %s\n", n, strerror(errno));
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    n = read(fd, info, sizeof(info)); /* blocks until the timer */
    printf("blocking read %zd: %s\n", n, strsignal(info[0].ssi_signo));
}

static void on_abort(int sig, siginfo_t *si, void *uc)
{
    printf("SIGABRT handler ran\n");
    fflush(stdout);
}

static void raise_abort(void)
{
    on(SIGUSR2, on_usr, 0);
    raise(SIGUSR2);
    printf("after raise\n");
    on(SIGABRT, on_abort, 0);
    fflush(stdout);
    abort();
}

static volatile int info_code, info_pid_ok, info_uid_ok, info_value;
static void on_info(int sig, siginfo_t *si, void *uc)
{
    info_code = si->si_code;
    info_pid_ok = si->si_pid == getpid();
    info_uid_ok = si->si_uid == getuid();
    info_value = si->si_value.sival_int;
}

static const char *code_name(int code)
{
    switch (code) {
    case SI_USER:
        return "SI_USER";
    case SI_TKILL:
        return "SI_TKILL";
    case SI_QUEUE:
        return "SI_QUEUE";
    case SI_KERNEL:
        return "SI_KERNEL";
    default:
        return "other";
    }
}

static void siginfo_fields(void)
{
    on(SIGUSR1, on_info, 0);
    kill(getpid(), SIGUSR1);
    printf("kill: %s pid %d uid %d\n", code_name(info_code), info_pid_ok, info_uid_ok);
    raise(SIGUSR1);
    printf("raise: %s pid %d\n", code_name(info_code), info_pid_ok);
    syscall(SYS_tkill, (int)syscall(SYS_gettid), SIGUSR1);
    printf("tkill: %s\n", code_name(info_code));
    union sigval v = {.sival_int = 99};
    sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue: %s value %d pid %d\n", code_name(info_code), info_value, info_pid_ok);
    printf("kill 0 to self: %d\n", kill(getpid(), 0));
    int r = kill(getpid(), 65);
    printf("bad signal: %d %s\n", r, strerror(errno));
}

/* The handler scribbles over the vector registers; the interrupted code's survive. */
static void clobber(int sig, siginfo_t *si, void *uc)
{
    __asm__ volatile("pcmpeqb %%xmm8, %%xmm8\n"
                     "pcmpeqb %%xmm9, %%xmm9\n"
                     "pcmpeqb %%xmm15, %%xmm15\n" ::
                         : "xmm8", "xmm9", "xmm15");
    if (__builtin_cpu_supports("avx"))
        __asm__ volatile("vpcmpeqb %%ymm8, %%ymm8, %%ymm8\nvzeroupper" ::: "xmm8");
    hits++;
}

__attribute__((target("avx"))) static int ymm_survives(void)
{
    static const uint8_t pattern[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                        12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                        23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    uint8_t out[32];
    long tid = syscall(SYS_gettid), pid = getpid();
    long ret;
    __asm__ volatile("vmovdqu (%[in]), %%ymm8\n"
                     "mov $234, %%eax\n" /* tgkill(pid, tid, SIGUSR1) */
                     "syscall\n"
                     "vmovdqu %%ymm8, (%[out])\n"
                     : "=a"(ret)
                     : [in] "r"(pattern), [out] "r"(out), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
                     : "rcx", "r11", "memory", "xmm8");
    return memcmp(pattern, out, 32) == 0;
}

static void fpu_regs(void)
{
    on(SIGUSR1, clobber, 0);
    static const uint8_t pattern[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint8_t out[16];
    long tid = syscall(SYS_gettid), pid = getpid();
    long ret;
    double d = 1.5;
    __asm__ volatile("movdqu (%[in]), %%xmm9\n"
                     "mov $234, %%eax\n"
                     "syscall\n"
                     "movdqu %%xmm9, (%[out])\n"
                     : "=a"(ret)
                     : [in] "r"(pattern), [out] "r"(out), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
                     : "rcx", "r11", "memory", "xmm9");
    printf("xmm9 %s, handler ran %d\n", memcmp(pattern, out, 16) ? "CLOBBERED" : "kept", (int)hits);
    printf("double %g\n", d * 3);
    if (__builtin_cpu_supports("avx"))
        printf("ymm8 %s\n", ymm_survives() ? "kept" : "CLOBBERED");
    else
        printf("ymm8 kept\n"); /* no AVX: nothing to lose */
    unsigned mxcsr;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    printf("mxcsr 0x%x\n", mxcsr);
}

static void on_order(int sig, siginfo_t *si, void *uc)
{
    printf("delivered %s\n", strsignal(sig));
}

static void order(void)
{
    on(SIGUSR1, on_order, 0);
    on(SIGUSR2, on_order, 0);
    on(SIGHUP, on_order, 0);
    on(SIGRTMIN + 1, on_order, 0);
    sigset_t set, old;
    sigfillset(&set);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGRTMIN + 1);
    raise(SIGUSR2);
    raise(SIGHUP);
    raise(SIGUSR1);
    printf("all raised\n");
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked\n");
    /* one at a time */
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    printf("done\n");
}

static void resethand(void)
{
    on(SIGUSR1, on_order, SA_RESETHAND);
    raise(SIGUSR1);
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("after SA_RESETHAND: %s\n", sa.sa_handler == SIG_DFL ? "SIG_DFL" : "still set");
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored SIGUSR2\n");
    signal(SIGCHLD, SIG_DFL);
    raise(SIGCHLD);
    printf("SIGCHLD's default ignores it\n");
    fflush(stdout);
    raise(SIGUSR1); /* the default now: the end */
    printf("not reached\n");
}

static void nodefer_handler(int sig, siginfo_t *si, void *uc)
{
    hits++;
    if (hits == 1)
        raise(sig); /* runs nested at once with SA_NODEFER */
    printf("depth %d\n", (int)hits);
}

static void nodefer(void)
{
    on(SIGUSR1, nodefer_handler, SA_NODEFER);
    raise(SIGUSR1);
    printf("handler ran %d times\n", (int)hits);
}

/* Threads that spin without a system call until a signal's handler stops them: one
 * sent to the thread (pthread_kill), one sent to the process while every other thread
 * blocks it (kill), so only the spinner can take it. */
static volatile sig_atomic_t stop_spin[2];

static void on_kick(int sig, siginfo_t *si, void *uc)
{
    stop_spin[sig == SIGUSR2] = 1;
}

static void *spin(void *arg)
{
    volatile sig_atomic_t *flag = arg;
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    while (!*flag) {
    }
    return NULL;
}

static void kick(void)
{
    on(SIGUSR1, on_kick, 0);
    on(SIGUSR2, on_kick, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, spin, (void *)&stop_spin[0]))
        die("pthread_create");
    usleep(50000); /* let it start spinning, on the other vCPU if there is one */
    pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    printf("thread-directed: the spinner stopped\n");
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL); /* the spinner unblocks it */
    if (pthread_create(&t, NULL, spin, (void *)&stop_spin[1]))
        die("pthread_create");
    usleep(50000);
    kill(getpid(), SIGUSR2);
    pthread_join(t, NULL);
    printf("process-directed: the spinner stopped\n");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *what = argc > 1 ? argv[1] : "";
    static const struct {
        const char *name;
        void (*fn)(void);
    } kinds[] = {
        {"segv", segv},
        {"fixrip", fixrip},
        {"fpe", fpe},
        {"ill", ill},
        {"trap", trap},
        {"alarm", alarm_pause},
        {"itimer", itimer},
        {"timer", posix_timer},
        {"sigpipe", sigpipe},
        {"altstack", altstack},
        {"restart", restarts},
        {"suspend", suspend},
        {"timedwait", timedwait},
        {"signalfd", sigfd},
        {"abort", raise_abort},
        {"siginfo", siginfo_fields},
        {"fpu", fpu_regs},
        {"order", order},
        {"resethand", resethand},
        {"nodefer", nodefer},
        {"kick", kick},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (!strcmp(what, kinds[i].name)) {
            kinds[i].fn();
            return 0;
        }
    }
    fprintf(stderr, "usage: signals KIND\n");
    return 2;
}
