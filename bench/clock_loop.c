/* Reads CLOCK_MONOTONIC N times (through the vDSO where there is one); mean cost. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    struct timespec a, b, c;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++)
        clock_gettime(CLOCK_MONOTONIC, &c);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.1f ns per clock_gettime\n",
           ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
    return 0;
}
