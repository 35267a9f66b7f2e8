/* The demo workload: an ordinary static program that shows where it runs. */
#include <stdio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct utsname u;
    uname(&u);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("Hello from %s, a static program in its own VM.\n", argv[0]);
    printf("kernel: %s %s (%s), pid %d\n", u.sysname, u.release, u.nodename, (int)getpid());
    printf("arguments: %d, clock read in %ld ns\n", argc,
           (long)((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec)));
    return 0;
}
