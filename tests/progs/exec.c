/*
 * exec (issue 12): what a shell or a server's master does around execve. The program
 * execs itself (through /proc/self/exe or the path it names) with "helper ..."
 * arguments, so that a bare `cloister run` needs no other file in its image. One
 * subcommand per run (argv[1]); the helper modes (argv[1] == "helper") print what the
 * exec'd side sees. The output never shows a pid or a path, only relations and errors,
 * so the VM and the native run print the same bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *err_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case ENOENT:
        return "ENOENT";
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case ENOEXEC:
        return "ENOEXEC";
    case EBADF:
        return "EBADF";
    case ENOTDIR:
        return "ENOTDIR";
    case EFAULT:
        return "EFAULT";
    case EINVAL:
        return "EINVAL";
    default:
        return "other";
    }
}

static void die(const char *what)
{
    printf("%s failed: %s\n", what, err_name(errno));
    exit(99);
}

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

/* ---- the exec'd side ---- */

/* helper args A...: the arguments it got */
static int helper_args(int argc, char **argv)
{
    printf("helper: argc %d:", argc - 2);
    for (int i = 3; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    return 0;
}

/* helper upper: stdin to stdout in capitals, a line to stderr, status 5 */
static int helper_upper(void)
{
    char buf[4096];
    ssize_t n;
    size_t total = 0;
    while ((n = read(0, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] -= 32;
        if (write(1, buf, (size_t)n) != n)
            return 1;
        total += (size_t)n;
    }
    fprintf(stderr, "helper: %zu bytes upper-cased\n", total);
    return 5;
}

/* helper fds N...: whether each descriptor is open */
static int helper_fds(int argc, char **argv)
{
    for (int i = 3; i < argc; i++) {
        int fd = atoi(argv[i]);
        int fl = fcntl(fd, F_GETFD);
        printf("helper: fd %s %s\n", argv[i], fl < 0 ? "closed" : "open");
    }
    return 0;
}

static const char *disposition(int sig)
{
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) < 0)
        return "error";
    if (sa.sa_handler == SIG_DFL)
        return "SIG_DFL";
    if (sa.sa_handler == SIG_IGN)
        return "SIG_IGN";
    return "a handler";
}

/* helper sigs: dispositions, the blocked mask, the pending set */
static int helper_sigs(void)
{
    sigset_t mask, pend;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    sigpending(&pend);
    printf("helper: SIGUSR1 %s, SIGUSR2 %s, SIGINT %s\n", disposition(SIGUSR1),
           disposition(SIGUSR2), disposition(SIGINT));
    printf("helper: SIGTERM blocked %s, pending %s; SIGHUP blocked %s\n",
           yes(sigismember(&mask, SIGTERM)), yes(sigismember(&pend, SIGTERM)),
           yes(sigismember(&mask, SIGHUP)));
    return 0;
}

/* helper timers ID: a POSIX timer is gone after exec (EINVAL); alarm's stays armed */
static int helper_timers(int argc, char **argv)
{
    struct {
        long interval[2], value[2];
    } its;
    long rc = syscall(SYS_timer_gettime, argc > 3 ? atoi(argv[3]) : 0, &its);
    printf("helper: the POSIX timer: %s\n", rc == 0 ? "still there" : err_name(errno));
    unsigned left = alarm(0);
    printf("helper: alarm still armed: %s\n", yes(left > 0 && left <= 100));
    return 0;
}

/* helper spawned: what posix_spawn's attributes and file actions left */
static int helper_spawned(void)
{
    sigset_t mask;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    printf("helper: own process group %s, SIGUSR1 blocked %s, SIGUSR2 %s\n",
           yes(getpgrp() == getpid()), yes(sigismember(&mask, SIGUSR1)), disposition(SIGUSR2));
    printf("helper: fd 5 %s, fd 6 %s\n", fcntl(5, F_GETFD) < 0 ? "closed" : "open",
           fcntl(6, F_GETFD) < 0 ? "closed" : "open");
    char c;
    ssize_t n = read(5, &c, 1);
    printf("helper: fd 5 reads %zd\n", n);
    return 0;
}

static int helper(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    if (!strcmp(argv[2], "args"))
        return helper_args(argc, argv);
    if (!strcmp(argv[2], "upper"))
        return helper_upper();
    if (!strcmp(argv[2], "fds"))
        return helper_fds(argc, argv);
    if (!strcmp(argv[2], "sigs"))
        return helper_sigs();
    if (!strcmp(argv[2], "spawned"))
        return helper_spawned();
    if (!strcmp(argv[2], "timers"))
        return helper_timers(argc, argv);
    if (!strcmp(argv[2], "status"))
        return argc > 3 ? atoi(argv[3]) : 0;
    return 2;
}

/* ---- the exec'ing side ---- */

static char self[4096];

/* the program's own path, as the kernel names it (in a VM: its path in the image) */
static void find_self(void)
{
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        die("readlink /proc/self/exe");
    self[n] = 0;
}

static void show_status(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: status other\n", what);
}

static int reap(pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        die("waitpid");
    return st;
}

static pid_t xfork(void)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    return pid;
}

/* fork, exec PATH with ARGV in the child (exit 127 with the errno shown if it fails),
 * and wait: the child's own lines come before the status line */
static void run(const char *what, const char *path, char *const argv[])
{
    pid_t pid = xfork();
    if (pid == 0) {
        execve(path, argv, environ);
        printf("execve: %s\n", err_name(errno));
        exit(127);
    }
    show_status(what, reap(pid));
}

static int cmd_self(void)
{
    char *a1[] = {"exec", "helper", "args", "one", "two words", "", NULL};
    run("execve(/proc/self/exe)", "/proc/self/exe", a1);
    run("execve(its path)", self, a1);
    char *a2[] = {"exec", "helper", "status", "77", NULL};
    run("helper's status", self, a2);
    /* exec without fork: this process becomes the helper */
    char *a3[] = {"exec", "helper", "args", "replaced", NULL};
    fflush(stdout);
    execve(self, a3, environ);
    die("execve");
    return 1;
}

static int cmd_pipes(void)
{
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        die("pipe");
    pid_t pid = xfork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2); /* 2>&1 */
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        char *argv[] = {"exec", "helper", "upper", NULL};
        execve(self, argv, environ);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    static const char text[] = "hello from the parent\nsecond line\n";
    for (int i = 0; i < 100; i++)
        if (write(in[1], text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1))
            die("write");
    close(in[1]);
    char buf[8192];
    size_t total = 0, lines = 0;
    ssize_t n;
    char last[128] = "";
    size_t lp = 0;
    while ((n = read(out[0], buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                lines++;
                last[lp] = 0;
                lp = 0;
            } else if (lp < sizeof(last) - 1) {
                last[lp++] = buf[i];
            }
        }
        total += (size_t)n;
    }
    close(out[0]);
    printf("read back %zu bytes, %zu lines, the last: %s\n", total, lines, last);
    show_status("helper", reap(pid));
    return 0;
}

static int cmd_cloexec(void)
{
    int plain[2], ocx[2];
    if (pipe(plain) < 0 || pipe2(ocx, O_CLOEXEC) < 0)
        die("pipe");
    int fdset = dup(plain[0]);
    fcntl(fdset, F_SETFD, FD_CLOEXEC);
    int fdcleared = fcntl(ocx[0], F_DUPFD_CLOEXEC, 20);
    fcntl(fdcleared, F_SETFD, 0);
    int dup3ed = dup3(plain[1], 30, O_CLOEXEC);
    char n[6][12];
    int fds[6] = {plain[0], plain[1], ocx[0], fdset, fdcleared, dup3ed};
    const char *kind[6] = {
        "plain", "plain", "O_CLOEXEC", "FD_CLOEXEC set", "FD_CLOEXEC cleared", "dup3 O_CLOEXEC"};
    for (int i = 0; i < 6; i++) {
        snprintf(n[i], sizeof(n[i]), "%d", fds[i]);
        printf("fd %d: %s\n", fds[i], kind[i]);
    }
    char *argv[] = {"exec", "helper", "fds", n[0], n[1], n[2], n[3], n[4], n[5], NULL};
    run("helper", self, argv);
    return 0;
}

static void on_usr1(int sig)
{
    (void)sig;
}

static int cmd_signals(void)
{
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART | SA_ONSTACK;
    sigaction(SIGINT, &sa, NULL);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    char *argv[] = {"exec", "helper", "sigs", NULL};
    printf("before exec: SIGUSR1 a handler, SIGUSR2 SIG_IGN, SIGINT a handler, SIGTERM blocked\n");
    run("helper", self, argv);
    /* a signal pending while blocked stays pending across exec */
    pid_t pid = xfork();
    if (pid == 0) {
        raise(SIGTERM);
        execve(self, argv, environ);
        _exit(127);
    }
    show_status("helper with SIGTERM pending", reap(pid));
    return 0;
}

/* exec deletes the POSIX timers (raw calls: the C libraries' timer_t differ) and keeps
 * alarm's, as Linux */
static int cmd_timers(void)
{
    struct {
        long value;
        int signo, notify, tid, pad[11];
    } sev = {.signo = SIGUSR1, .notify = 0 /* SIGEV_SIGNAL */};
    int id = -1;
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) < 0)
        die("timer_create");
    struct {
        long interval[2], value[2];
    } its = {.value = {100, 0}};
    if (syscall(SYS_timer_settime, id, 0, &its, NULL) < 0)
        die("timer_settime");
    alarm(100);
    char idstr[16];
    snprintf(idstr, sizeof(idstr), "%d", id);
    char *argv[] = {"exec", "helper", "timers", idstr, NULL};
    printf("before exec: a POSIX timer and an alarm, both 100 s away\n");
    /* this process itself execs: a forked child would have neither (fork keeps no timer) */
    fflush(stdout);
    execve(self, argv, environ);
    die("execve");
    return 1;
}

static int cmd_execveat(void)
{
    char *argv[] = {"exec", "helper", "args", "by", "descriptor", NULL};
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open");
    pid_t pid = xfork();
    if (pid == 0) {
        syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
        printf("execveat: %s\n", err_name(errno));
        fflush(stdout);
        _exit(127);
    }
    show_status("execveat AT_EMPTY_PATH", reap(pid));
    pid = xfork();
    if (pid == 0) {
        fexecve(fd, argv, environ);
        printf("fexecve: %s\n", err_name(errno));
        fflush(stdout);
        _exit(127);
    }
    show_status("fexecve", reap(pid));
    close(fd);
    /* a path relative to a directory descriptor */
    char dir[4096], base[4096];
    strcpy(dir, self);
    char *slash = strrchr(dir, '/');
    /* the name first: the program may sit at the root ("/exec" in a bare run's image) */
    strcpy(base, slash ? slash + 1 : self);
    if (slash == dir)
        dir[1] = 0;
    else if (slash)
        *slash = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    pid = xfork();
    if (pid == 0) {
        syscall(SYS_execveat, dfd, base, argv, environ, 0);
        printf("execveat: %s\n", err_name(errno));
        fflush(stdout);
        _exit(127);
    }
    show_status("execveat relative to a directory", reap(pid));
    close(dfd);
    int bad = syscall(SYS_execveat, 999, "", argv, environ, AT_EMPTY_PATH);
    printf("execveat of a closed descriptor: %d %s\n", bad, err_name(errno));
    return 0;
}

static volatile int shared; /* not a local: vfork's child must not change the frame */

static int cmd_vfork(void)
{
    shared = 1;
    pid_t pid = vfork();
    if (pid == 0) {
        shared = 2; /* the parent's memory: it sees this once the child has exited */
        _exit(3);
    }
    show_status("vfork + _exit", reap(pid));
    printf("the parent sees the child's write: %s\n", yes(shared == 2));
    fflush(stdout);
    char *argv[] = {"exec", "helper", "args", "after", "vfork", NULL};
    pid = vfork();
    if (pid == 0) {
        execve(self, argv, environ);
        _exit(127);
    }
    show_status("vfork + execve", reap(pid));
    pid = vfork();
    if (pid == 0) {
        execve("/nonexistent/program", argv, environ);
        _exit(127);
    }
    show_status("vfork + execve of a missing file", reap(pid));
    return 0;
}

static int spawn_error(const char *what, int rc)
{
    if (rc)
        printf("%s: %s\n", what, err_name(rc));
    return rc;
}

static int cmd_spawn(void)
{
    /* plain posix_spawn and posix_spawnp by name through PATH */
    char *argv[] = {"exec", "helper", "args", "spawned", NULL};
    pid_t pid;
    fflush(stdout); /* posix_spawn does not flush: the child writes straight to the pipe */
    int rc = posix_spawn(&pid, self, NULL, NULL, argv, environ);
    if (!spawn_error("posix_spawn", rc))
        show_status("posix_spawn", reap(pid));
    char dir[4096], path_env[4200];
    strcpy(dir, self);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : self;
    if (slash)
        *slash = 0;
    snprintf(path_env, sizeof(path_env), "PATH=/nonexistent:%s", slash == dir ? "/" : dir);
    char *env[] = {path_env, NULL};
    char *pargv[] = {(char *)base, "helper", "args", "by", "name", NULL};
    char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", path_env + 5, 1); /* posix_spawnp searches the caller's PATH */
    fflush(stdout);
    rc = posix_spawnp(&pid, base, NULL, NULL, pargv, env);
    if (saved)
        setenv("PATH", saved, 1);
    else
        unsetenv("PATH");
    free(saved);
    if (!spawn_error("posix_spawnp", rc))
        show_status("posix_spawnp", reap(pid));

    /* file actions: a pipe dup2'd onto stdout, a descriptor closed, /dev/null opened */
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    int extra = open("/dev/null", O_RDONLY);
    dup2(extra, 6);
    close(extra);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawn_file_actions_addclose(&fa, 6);
    posix_spawn_file_actions_addopen(&fa, 5, "/dev/null", O_RDONLY, 0);
    /* attributes: a blocked SIGUSR1, SIGUSR2 back to SIG_DFL, a process group */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    posix_spawnattr_setsigmask(&at, &set);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    posix_spawnattr_setsigdefault(&at, &set);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
    signal(SIGUSR2, SIG_IGN);
    char *sargv[] = {"exec", "helper", "spawned", NULL};
    fflush(stdout);
    rc = posix_spawn(&pid, self, &fa, &at, sargv, environ);
    close(p[1]);
    close(6);
    if (!spawn_error("posix_spawn with actions", rc)) {
        char buf[1024];
        size_t got = 0;
        ssize_t n;
        while ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
            got += (size_t)n;
        buf[got] = 0;
        printf("through the pipe:\n%s", buf);
        show_status("posix_spawn with actions", reap(pid));
    }
    close(p[0]);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    signal(SIGUSR2, SIG_DFL);

    /* errors come back from posix_spawn itself */
    fflush(stdout);
    rc = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, argv, environ);
    printf("posix_spawn of a missing file: %s\n", err_name(rc));
    if (rc == 0)
        show_status("  it ran", reap(pid));
    rc = posix_spawnp(&pid, "no-such-program-anywhere", NULL, NULL, argv, env);
    printf("posix_spawnp of a missing name: %s\n", err_name(rc));
    if (rc == 0)
        show_status("  it ran", reap(pid));
    return 0;
}

static void try_exec(const char *what, const char *path)
{
    char *argv[] = {"x", NULL};
    pid_t pid = xfork();
    if (pid == 0) {
        execve(path, argv, environ);
        printf("%s: %s\n", what, err_name(errno));
        fflush(stdout);
        _exit(0);
    }
    reap(pid);
}

static int cmd_errors(void)
{
    try_exec("missing file", "/nonexistent-file");
    try_exec("missing directory", "/nonexistent-dir/x");
    try_exec("a directory", "/");
    try_exec("/dev/null", "/dev/null");
    try_exec("a path through a file", "/proc/self/exe/x");
    /* a file without execute permission, written at run time */
    char path[] = "/tmp/exec-noperm-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        die("mkstemp");
    if (write(fd, "#!/bin/sh\n", 10) != 10)
        die("write");
    close(fd);
    chmod(path, 0644);
    try_exec("a file without x permission", path);
    unlink(path);
    return 0;
}

/* copy this program to a new file in /tmp, mode MODE; returns its path (static) */
static const char *copy_self(mode_t mode)
{
    static char path[] = "/tmp/exec-copy-XXXXXX";
    int out = mkstemp(path);
    int in = open(self, O_RDONLY);
    if (out < 0 || in < 0)
        die("open the copy");
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            die("write the copy");
    close(in);
    close(out);
    chmod(path, mode);
    return path;
}

/* fork and exec PATH as "helper status 0": "ran (exited 0)" or the errno of execve */
static void exec_outcome(const char *what, const char *path)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        die("pipe");
    pid_t pid = xfork();
    if (pid == 0) {
        char *argv[] = {"exec", "helper", "status", "0", NULL};
        execve(path, argv, environ);
        int e = errno;
        if (write(p[1], &e, sizeof(e)) != sizeof(e))
            _exit(126);
        _exit(127);
    }
    close(p[1]);
    int e = 0;
    ssize_t n = read(p[0], &e, sizeof(e)); /* EOF: the exec closed the pipe */
    close(p[0]);
    int st = reap(pid);
    if (n == sizeof(e))
        printf("%s: %s\n", what, err_name(e));
    else
        printf("%s: ran (exited %d)\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* Only files sealed in the image run (issue 12 item 3): natively a copy written to
 * /tmp at run time runs; in a VM its execve fails with EACCES. */
static int cmd_tmp_exec(void)
{
    const char *copy = copy_self(0755);
    exec_outcome("execve of a copy written to /tmp", copy);
    char link[] = "/tmp/exec-link-XXXXXX";
    int fd = mkstemp(link);
    close(fd);
    unlink(link);
    if (symlink(self, link) < 0)
        die("symlink");
    exec_outcome("execve through a /tmp symlink to the program itself", link);
    unlink(link);
    unlink(copy);
    return 0;
}

/* the same rule for executable mappings of such a file; anonymous memory may still be
 * made executable (a JIT's) */
static int cmd_tmp_mmap(void)
{
    const char *copy = copy_self(0755);
    int fd = open(copy, O_RDONLY);
    if (fd < 0)
        die("open");
    void *r = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("mmap PROT_READ of the copy: %s\n", r == MAP_FAILED ? err_name(errno) : "ok");
    void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    printf("mmap PROT_EXEC of the copy: %s\n", x == MAP_FAILED ? err_name(errno) : "ok");
    if (r != MAP_FAILED) {
        int rc = mprotect(r, 4096, PROT_READ | PROT_EXEC);
        printf("mprotect PROT_EXEC of its mapping: %s\n", rc ? err_name(errno) : "ok");
    }
    close(fd);
    unlink(copy);
    int sfd = open(self, O_RDONLY);
    void *s = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, sfd, 0);
    printf("mmap PROT_EXEC of the program itself: %s\n", s == MAP_FAILED ? err_name(errno) : "ok");
    close(sfd);
    void *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int rc = mprotect(a, 4096, PROT_READ | PROT_EXEC);
    printf("mprotect PROT_EXEC of anonymous memory: %s\n", rc ? err_name(errno) : "ok");
    return 0;
}

/* files of an image (tests/lib/procs_cases.sh makes them in DIR): a #! script whose
 * interpreter is this program, a file without x permission, a non-ELF executable, a
 * script whose interpreter is missing */
static const char *arg;

static int cmd_image_files(void)
{
    char path[4200];
    static const char *const names[] = {"script.sh", "data.txt", "garbage", "badinterp.sh"};
    for (unsigned i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", arg, names[i]);
        pid_t pid = xfork();
        if (pid == 0) {
            char *argv[] = {path, "first", "second arg", NULL};
            execve(path, argv, environ);
            printf("%s: %s\n", names[i], err_name(errno));
            fflush(stdout);
            _exit(127);
        }
        show_status(names[i], reap(pid));
    }
    return 0;
}

/* the interpreter side of script.sh's "#!PROGRAM script-interp" */
static int script_interp(int argc, char **argv)
{
    printf("interpreter: argc %d, argv[1] [%s]", argc, argv[1]);
    const char *name = argc > 2 ? strrchr(argv[2], '/') : NULL;
    printf(", the script [%s]", name ? name + 1 : "?");
    for (int i = 3; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    return 8;
}

static const struct {
    const char *name;
    int (*run)(void);
} commands[] = {
    {"self", cmd_self},         {"pipes", cmd_pipes},       {"cloexec", cmd_cloexec},
    {"signals", cmd_signals},   {"timers", cmd_timers},     {"execveat", cmd_execveat},
    {"vfork", cmd_vfork},       {"spawn", cmd_spawn},       {"errors", cmd_errors},
    {"tmp-exec", cmd_tmp_exec}, {"tmp-mmap", cmd_tmp_mmap}, {"image-files", cmd_image_files},
};

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "helper"))
        return helper(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "script-interp"))
        return script_interp(argc, argv);
    find_self();
    arg = argc > 2 ? argv[2] : ".";
    for (unsigned i = 0; argc >= 2 && argc <= 3 && i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run();
    fprintf(stderr, "usage: exec COMMAND\n");
    return 2;
}
