/*
 * Odds and ends of the system-call interface whose answers must match Linux's: system
 * calls that do not exist give ENOSYS (including numbers a careless table would index
 * with), uname names Linux on x86_64, and the resource limits and priority calls work.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *yes(int c)
{
    return c ? "yes" : "no";
}

static void nosys(long nr)
{
    errno = 0;
    long r = syscall(nr);
    printf("syscall(%ld): %ld, ENOSYS: %s\n", nr, r, yes(errno == ENOSYS));
}

int main(void)
{
    nosys(500);
    nosys(1000000);
    nosys(-1);
    nosys(0x7fffffff);
    nosys(0x40000001); /* write, in the x32 numbering: no x32 here */

    struct utsname u;
    memset(&u, 0, sizeof(u));
    printf("uname: %d\n", uname(&u));
    printf("sysname: %s\n", u.sysname);
    printf("machine: %s\n", u.machine);
    printf("release starts with a digit: %s\n", yes(u.release[0] >= '0' && u.release[0] <= '9'));

    struct rlimit rl;
    printf("getrlimit(RLIMIT_STACK): %d, soft <= hard: %s\n", getrlimit(RLIMIT_STACK, &rl),
           yes(rl.rlim_cur <= rl.rlim_max));
    printf("getrlimit(RLIMIT_NOFILE): %d, soft > 2: %s\n", getrlimit(RLIMIT_NOFILE, &rl),
           yes(rl.rlim_cur > 2));
    errno = 0;
    int r = getrlimit(1000, &rl);
    printf("getrlimit(1000): %d, EINVAL: %s\n", r, yes(errno == EINVAL));
    printf("sched_yield: %d\n", sched_yield());

    /* the niceness the test starts with is the runner's: only changes are printed */
    errno = 0;
    int prio = getpriority(PRIO_PROCESS, 0);
    printf("getpriority: in -20..19: %s, errno 0: %s\n", yes(prio >= -20 && prio <= 19),
           yes(errno == 0));
    printf("setpriority(PRIO_PROCESS, 0, 7): %d\n", setpriority(PRIO_PROCESS, 0, 7));
    printf("getpriority now: %d\n", getpriority(PRIO_PROCESS, 0));
    r = setpriority(PRIO_PROCESS, 0, 40);
    printf("setpriority 40, clamped: %d, now %d\n", r, getpriority(PRIO_PROCESS, 0));
    printf("raw getpriority (20 - nice): %ld\n", syscall(SYS_getpriority, PRIO_PROCESS, 0));
    errno = 0;
    r = setpriority(PRIO_PROCESS, 0x7fffffff, 0); /* above any pid_max */
    printf("setpriority of no such process: %d, ESRCH: %s\n", r, yes(errno == ESRCH));
    errno = 0;
    r = getpriority(9, 0);
    printf("getpriority(9): %d, EINVAL: %s\n", r, yes(errno == EINVAL));
    return 0;
}
