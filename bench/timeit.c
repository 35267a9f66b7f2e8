/*
 * timeit: runs a command N times and prints the distribution of its wall time and the
 * largest peak RSS among the runs (from wait4), for the benchmarks in bench/.
 *
 *   timeit N command [args...]
 *
 * Output, one line: "runs N median X ms min X p10 X p90 X max X ms maxrss K KiB".
 * The command's stdout and stderr go to /dev/null; a run that fails stops the
 * benchmark with its status, so a broken build never reports good numbers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: timeit N command [args...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 1)
        return 2;
    double *t = calloc((size_t)n, sizeof(double));
    long maxrss = 0;
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        int status;
        struct rusage ru;
        wait4(pid, &status, 0, &ru);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "timeit: run %d failed (status 0x%x)\n", i, status);
            return 1;
        }
        t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
        if (ru.ru_maxrss > maxrss)
            maxrss = ru.ru_maxrss;
    }
    qsort(t, (size_t)n, sizeof(double), cmp);
    printf("runs %d median %.2f ms min %.2f p10 %.2f p90 %.2f max %.2f ms maxrss %ld KiB\n", n,
           t[n / 2], t[0], t[n / 10], t[(n * 9) / 10], t[n - 1], maxrss);
    free(t);
    return 0;
}
