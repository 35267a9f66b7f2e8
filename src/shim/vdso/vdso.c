/*
 * The vDSO: time without entering the shim. Programs find it through AT_SYSINFO_EHDR
 * and call these functions in user mode; they read the TSC and the shim's clock
 * parameters from the vvar page just below this image. Clocks they do not compute
 * here (CPU time) fall back to the real system call.
 *
 * Built as a tiny position-independent shared object with no relocations to process
 * (the shim maps it as is), exported with Linux's names and version (LINUX_2.6).
 */
#include <stddef.h>
#include <stdint.h>

#include "vvar.h"

struct timespec_k {
    int64_t tv_sec, tv_nsec;
};

struct timeval_k {
    int64_t tv_sec, tv_usec;
};

extern const struct vvar vvar_page __attribute__((visibility("hidden")));

#define NSEC 1000000000ll

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline int64_t since_boot(void)
{
    const volatile struct vvar *v = &vvar_page;
    uint64_t now = rdtsc(), t0 = v->boot_tsc;
    uint64_t d = now > t0 ? now - t0 : 0;
    return (int64_t)(((unsigned __int128)d * v->tsc_mult) >> 32);
}

static long fallback(long nr, long a, long b)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

/* clocks computed here: realtime, monotonic (and their raw/coarse/boottime twins) */
static int clock_ns(int clk, int64_t *ns)
{
    switch (clk) {
    case 0: /* CLOCK_REALTIME */
    case 5: /* CLOCK_REALTIME_COARSE */
        *ns = vvar_page.boot_real + since_boot();
        return 1;
    case 1: /* CLOCK_MONOTONIC */
    case 4: /* CLOCK_MONOTONIC_RAW */
    case 6: /* CLOCK_MONOTONIC_COARSE */
    case 7: /* CLOCK_BOOTTIME */
        *ns = vvar_page.boot_mono + since_boot();
        return 1;
    default:
        return 0;
    }
}

int __vdso_clock_gettime(int clk, struct timespec_k *ts)
{
    int64_t ns;
    if (!clock_ns(clk, &ns))
        return (int)fallback(228, clk, (long)ts);
    ts->tv_sec = ns / NSEC;
    ts->tv_nsec = ns % NSEC;
    return 0;
}

int __vdso_gettimeofday(struct timeval_k *tv, void *tz)
{
    if (tz)
        return (int)fallback(96, (long)tv, (long)tz);
    if (tv) {
        int64_t ns = vvar_page.boot_real + since_boot();
        tv->tv_sec = ns / NSEC;
        tv->tv_usec = (ns % NSEC) / 1000;
    }
    return 0;
}

long __vdso_time(long *t)
{
    long s = (long)((vvar_page.boot_real + since_boot()) / NSEC);
    if (t)
        *t = s;
    return s;
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
    /* the vCPU is the shim's to know: no TSC_AUX here, PVM faults on it */
    return (int)fallback(309, (long)cpu, (long)node);
}

int __vdso_clock_getres(int clk, struct timespec_k *res)
{
    int64_t ns;
    if (!clock_ns(clk, &ns))
        return (int)fallback(229, clk, (long)res);
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = (clk == 5 || clk == 6) ? 4000000 : 1;
    }
    return 0;
}

/* Linux exports these unprefixed names too */
int clock_gettime(int, struct timespec_k *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_k *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(int, struct timespec_k *) __attribute__((weak, alias("__vdso_clock_getres")));
