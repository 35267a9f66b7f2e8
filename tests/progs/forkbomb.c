/*
 * A fork bomb held by a process limit (issue 12 item 4): fork until fork fails, each
 * child waiting in pause(); then say which error came first and that the parent is
 * still there, spawn once more at the limit, kill and reap the children, and fork
 * again once they are gone. The output names no count: the limit is the manifest's
 * (`cloister run --processes N`), RLIMIT_NPROC's natively.
 *
 * Usage: forkbomb [MAX]: stops after MAX children (default 4096) if fork never fails,
 * so a run without a limit ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *err_name(int e)
{
    switch (e) {
    case 0:
        return "none";
    case EAGAIN:
        return "EAGAIN";
    case ENOMEM:
        return "ENOMEM";
    case ENOSYS:
        return "ENOSYS";
    default:
        return "other";
    }
}

int main(int argc, char **argv)
{
    long max = argc > 1 ? atol(argv[1]) : 4096;
    pid_t *kids = calloc((size_t)max, sizeof(pid_t));
    if (!kids)
        return 99;
    long n = 0;
    int first = 0;
    fflush(stdout);
    while (n < max) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;)
                pause();
        }
        if (pid < 0) {
            first = errno;
            break;
        }
        kids[n++] = pid;
    }
    printf("first fork error: %s\n", err_name(first));
    printf("children forked before it: %s\n", n > 0 ? "some" : "none");
    printf("the parent survived: yes\n");
    /* posix_spawn (vfork or clone(CLONE_VM|CLONE_VFORK) underneath) meets the same limit */
    pid_t sp;
    char *sargv[] = {"true", NULL};
    int rc = posix_spawn(&sp, "/nonexistent/true", NULL, NULL, sargv, environ);
    printf("posix_spawn at the limit: %s\n",
           rc == ENOENT ? "ran (ENOENT from exec)" : err_name(rc));
    if (rc == 0)
        waitpid(sp, NULL, 0); /* on an error the C library has reaped the child */
    long reaped = 0;
    for (long i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    for (long i = 0; i < n; i++) {
        int st;
        if (waitpid(kids[i], &st, 0) == kids[i] && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            reaped++;
    }
    printf("children killed and reaped: %s\n", reaped == n ? "all" : "not all");
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    int st = 0;
    printf("fork after they are gone: %s\n",
           pid > 0 && waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 7 ? "works" : "fails");
    free(kids);
    return 0;
}
