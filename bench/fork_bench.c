/*
 * Process costs (issue 12, docs/processes.md): round trips of fork+_exit+wait,
 * fork+execve+wait, vfork+execve+wait and posix_spawn+wait (the exec'd program is this
 * one, which exits at once), fork+_exit+wait from a parent with MiB of memory resident
 * (copy-on-write: the cost is page tables, not data), and the throughput of a pipe
 * between two processes. One line per measure, times per round trip in microseconds.
 *
 * Usage: fork_bench fork|exec|vfork|spawn N
 *        fork_bench forkbig N MIB
 *        fork_bench pipe MIB
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char self[4096];
static char *child_argv[] = {"fork_bench", "child", NULL};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void reap(pid_t pid)
{
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
        fprintf(stderr, "fork_bench: a child failed\n");
        exit(1);
    }
}

static pid_t one(const char *how)
{
    pid_t pid;
    if (!strcmp(how, "fork") || !strcmp(how, "forkbig")) {
        pid = fork();
        if (pid == 0)
            _exit(0);
    } else if (!strcmp(how, "exec")) {
        pid = fork();
        if (pid == 0) {
            execve(self, child_argv, environ);
            _exit(127);
        }
    } else if (!strcmp(how, "vfork")) {
        pid = vfork();
        if (pid == 0) {
            execve(self, child_argv, environ);
            _exit(127);
        }
    } else {
        if (posix_spawn(&pid, self, NULL, NULL, child_argv, environ))
            pid = -1;
    }
    return pid;
}

static int round_trips(const char *how, long n, long mib)
{
    if (mib) {
        size_t len = (size_t)mib << 20;
        char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return 1;
        for (size_t off = 0; off < len; off += 4096)
            m[off] = 1;
    }
    double a = now();
    for (long i = 0; i < n; i++)
        reap(one(how));
    double s = now() - a;
    printf("%s: %.1f us per round trip (%ld)\n", how, s * 1e6 / n, n);
    if (mib)
        printf("  with %ld MiB resident in the parent\n", mib);
    return 0;
}

static int pipe_throughput(long mib)
{
    int p[2];
    if (pipe(p) < 0)
        return 1;
    static char buf[65536];
    memset(buf, 'x', sizeof(buf));
    long chunks = mib * 16; /* 64 KiB each */
    double a = now();
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        for (long i = 0; i < chunks; i++)
            if (write(p[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                _exit(1);
        _exit(0);
    }
    close(p[1]);
    long long got = 0;
    ssize_t k;
    while ((k = read(p[0], buf, sizeof(buf))) > 0)
        got += k;
    reap(pid);
    double s = now() - a;
    if (got != (long long)chunks * (long long)sizeof(buf)) {
        fprintf(stderr, "fork_bench: the pipe lost bytes\n");
        return 1;
    }
    printf("pipe: %.0f MiB/s (%ld MiB between two processes)\n", mib / s, mib);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "child"))
        return 0;
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (len <= 0)
        return 1;
    self[len] = 0;
    if (argc == 3 && !strcmp(argv[1], "pipe"))
        return pipe_throughput(atol(argv[2]));
    if (argc == 4 && !strcmp(argv[1], "forkbig"))
        return round_trips(argv[1], atol(argv[2]), atol(argv[3]));
    if (argc == 3 && (!strcmp(argv[1], "fork") || !strcmp(argv[1], "exec") ||
                      !strcmp(argv[1], "vfork") || !strcmp(argv[1], "spawn")))
        return round_trips(argv[1], atol(argv[2]), 0);
    fprintf(stderr, "usage: fork_bench fork|exec|vfork|spawn N | forkbig N MIB | pipe MIB\n");
    return 2;
}
