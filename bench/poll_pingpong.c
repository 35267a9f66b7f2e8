/* A byte bounced between two pipes within one process, each hop through poll: write,
 * poll until readable, read. Prints the mean cost of one hop (a write, a poll and a
 * read), the path an event loop takes for every message it hands itself. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    int a[2], b[2];
    if (pipe(a) || pipe(b))
        return 1;
    char c = 'x';
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        int *p = i % 2 ? b : a;
        struct pollfd pf = {p[0], POLLIN, 0};
        if (write(p[1], &c, 1) != 1 || poll(&pf, 1, -1) != 1 || read(p[0], &c, 1) != 1)
            return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (n > 0)
        printf("%.0f ns per hop (write, poll, read)\n",
               ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)n);
    return 0;
}
