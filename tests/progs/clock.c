/*
 * Time: CLOCK_MONOTONIC never goes back over many reads and advances by at least the
 * requested time across nanosleep and clock_nanosleep; CLOCK_REALTIME, gettimeofday
 * and time() agree within a second. Prints facts, not times.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#define READS 200000

static int64_t ns(clockid_t id)
{
    struct timespec t;
    if (clock_gettime(id, &t) != 0)
        return -1;
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static const char *yes(int c)
{
    return c ? "yes" : "no";
}

static void check_monotonic_reads(void)
{
    int back = 0, bad_nsec = 0;
    struct timespec prev, t;
    clock_gettime(CLOCK_MONOTONIC, &prev);
    for (int i = 0; i < READS; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000)
            bad_nsec++;
        if (t.tv_sec < prev.tv_sec || (t.tv_sec == prev.tv_sec && t.tv_nsec < prev.tv_nsec))
            back++;
        prev = t;
    }
    printf("monotonic: %d reads, never went back: %s, tv_nsec always in [0, 1e9): %s\n", READS,
           yes(!back), yes(!bad_nsec));
}

static void check_sleeps(void)
{
    struct timespec req = {0, 50 * 1000000};
    int64_t t0 = ns(CLOCK_MONOTONIC);
    int r = nanosleep(&req, NULL);
    int64_t d = ns(CLOCK_MONOTONIC) - t0;
    printf("nanosleep(50 ms) = %d, monotonic advanced >= 50 ms: %s, < 5 s: %s\n", r,
           yes(d >= 50000000), yes(d < 5000000000ll));

    t0 = ns(CLOCK_MONOTONIC);
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    d = ns(CLOCK_MONOTONIC) - t0;
    printf("clock_nanosleep(MONOTONIC, 50 ms) = %d, advanced >= 50 ms: %s\n", r,
           yes(d >= 50000000));

    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 20 * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    int64_t now = ns(CLOCK_MONOTONIC);
    printf("clock_nanosleep(MONOTONIC, TIMER_ABSTIME, now + 20 ms) = %d, woke after "
           "deadline: %s\n",
           r, yes(now >= (int64_t)until.tv_sec * 1000000000 + until.tv_nsec));
}

static void check_realtime(void)
{
    struct timespec rt;
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &rt);
    gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    int64_t rt_us = (int64_t)rt.tv_sec * 1000000 + rt.tv_nsec / 1000;
    int64_t tv_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    int64_t diff = tv_us - rt_us;
    printf("realtime vs gettimeofday within 1 s: %s\n", yes(diff > -1000000 && diff < 1000000));
    printf("realtime vs time() within 1 s: %s\n", yes(t - rt.tv_sec >= -1 && t - rt.tv_sec <= 1));
    printf("gettimeofday tv_usec in [0, 1e6): %s\n", yes(tv.tv_usec >= 0 && tv.tv_usec < 1000000));
    printf("realtime after 2024-01-01: %s\n", yes(rt.tv_sec > 1704067200));
}

static void check_resolution(void)
{
    struct timespec res = {-1, -1};
    int r = clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres(MONOTONIC) = %d, resolution in (0, 1 ms]: %s\n", r,
           yes(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000));
}

int main(void)
{
    check_monotonic_reads();
    check_sleeps();
    check_realtime();
    check_resolution();
    return 0;
}
