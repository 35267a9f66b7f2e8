/*
 * Timers that send signals: alarm, setitimer/getitimer (ITIMER_REAL) and the POSIX
 * timers (timer_create...), on kernel timers (timer.h). They are the process's
 * (struct process's `timers`, made on first use), not inherited, freed at its exit
 * (itimer.h); exec deletes the POSIX ones and keeps alarm's. Each knows its process,
 * since its callback runs in whatever task the CPU has.
 *
 * Kernel timers run while the task is in the shim (a system call or a wait): a timer
 * that expires while the workload computes without making system calls is delivered at
 * its next system call or wait, until the shim has a timer interrupt. CLOCK_REALTIME
 * deadlines are turned into CLOCK_MONOTONIC ones when armed (a later clock_settime does
 * not move them). ITIMER_VIRTUAL and ITIMER_PROF are not implemented (ENOSYS).
 */
#include "kernel/itimer.h"
#include "kernel/signal.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/timer.h"
#include "kernel/clock.h"
#include "kernel/sleep.h"
#include "uapi/errno.h"
#include "uapi/linux_abi.h"
#include "mm/uaccess.h"
#include "mm/kmalloc.h"

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2

#define SIGEV_SIGNAL    0
#define SIGEV_NONE      1
#define SIGEV_THREAD    2
#define SIGEV_THREAD_ID 4

#define TIMER_ABSTIME 1
#define MAX_TIMERS    32
#define NSEC_PER_USEC 1000

struct linux_itimerspec {
    struct linux_timespec interval, value;
};

struct linux_itimerval {
    struct linux_timeval interval, value;
};

struct linux_sigevent {
    u64 value;
    s32 signo;
    s32 notify;
    s32 tid;
    u8 pad[44];
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent");

struct signal_timer {
    struct process *proc; /* whose timer it is: the callback runs in any context */
    bool used;
    struct ktimer kt; /* deadline in CLOCK_MONOTONIC */
    s64 interval;     /* ns, 0: one-shot */
    u64 clock;
    s32 id; /* -1: ITIMER_REAL */
    s32 signo, notify, tid;
    u64 value;
    s32 overrun;      /* expirations since the signal was queued */
    s32 last_overrun; /* what timer_getoverrun reports */
};

/* A process's timers, made at its first timer call (most programs never make one):
 * ITIMER_REAL, which alarm shares, and the POSIX timers, numbered by their index. */
struct process_timers {
    struct signal_timer real;
    struct signal_timer posix[MAX_TIMERS];
};

/* The current process's timers, made on first use if create; NULL if it has none or
 * there is no memory for them. */
static struct process_timers *timers_of_current(bool create)
{
    struct process *p = current_process();
    if (p->timers || !create)
        return p->timers;
    struct process_timers *pt = kmalloc(sizeof(*pt));
    if (!pt)
        return NULL;
    pt->real = (struct signal_timer){.proc = p, .id = -1, .signo = SIGALRM, .notify = SIGEV_SIGNAL};
    for (int i = 0; i < MAX_TIMERS; i++)
        pt->posix[i].proc = p;
    p->timers = pt;
    return pt;
}

void process_timers_exec(struct process *p)
{
    struct process_timers *pt = p->timers;
    if (!pt)
        return;
    for (int i = 0; i < MAX_TIMERS; i++) {
        timer_cancel(&pt->posix[i].kt);
        pt->posix[i].used = false;
    }
}

void process_timers_release(struct process *p)
{
    struct process_timers *pt = p->timers;
    if (!pt)
        return;
    process_timers_exec(p); /* the POSIX timers, then alarm's */
    timer_cancel(&pt->real.kt);
    p->timers = NULL;
    kfree(pt);
}

/* The live thread tid of p, or NULL: a SIGEV_THREAD_ID timer whose thread has exited
 * sends nothing, as Linux's. */
static struct task *thread_of(struct process *p, s32 tid)
{
    for (struct task *t = p->tasks; t; t = t->all_next)
        if (t->tid == tid)
            return t;
    return NULL;
}

static void timer_fired(struct ktimer *kt)
{
    struct signal_timer *st = kt->priv;
    s64 now = clock_monotonic_ns();
    if (st->interval) {
        s64 next = kt->deadline + st->interval;
        while (next <= now) { /* expirations missed while nothing ran */
            next += st->interval;
            st->overrun++;
        }
        timer_arm(kt, next);
    }
    if (st->notify == SIGEV_NONE)
        return;
    u64 bit = SIGBIT(st->signo);
    /* the signal goes to the timer's process, not to whatever the CPU runs now */
    struct task *t = NULL;
    if (st->notify == SIGEV_THREAD_ID && !(t = thread_of(st->proc, st->tid)))
        return;
    if (((t ? t->sig_pending : 0) | st->proc->sig_pending) & bit) {
        st->overrun++; /* still queued: Linux counts an overrun */
        return;
    }
    struct linux_siginfo info = {.si_code = SI_KERNEL};
    if (st->id >= 0) {
        info.si_code = SI_TIMER;
        info.u.timer.tid = st->id;
        info.u.timer.overrun = st->overrun;
        info.u.timer.value = st->value;
    }
    st->last_overrun = st->overrun;
    st->overrun = 0;
    if (t)
        signal_send_task(t, st->signo, &info);
    else
        signal_send_to(st->proc, st->signo, &info);
}

/* Remaining time and interval of a timer, in ns. */
static void timer_get(struct signal_timer *st, s64 *value, s64 *interval)
{
    *interval = st->interval;
    *value = 0;
    if (st->kt.armed) {
        s64 left = st->kt.deadline - clock_monotonic_ns();
        *value = left > 0 ? left : 1; /* due but not yet run: Linux reports a tick left */
    }
}

/* Arms (value > 0) or stops (0) a timer; value is relative, or absolute on clock. */
static void timer_set(struct signal_timer *st, s64 value, s64 interval, bool absolute)
{
    timer_cancel(&st->kt);
    st->interval = interval;
    st->overrun = 0;
    if (!value)
        return;
    s64 deadline;
    if (absolute) {
        s64 offset = clock_now(st->clock) - clock_monotonic_ns();
        deadline = value - offset;
    } else {
        deadline = deadline_after(CLOCK_MONOTONIC, value);
    }
    st->kt.fn = timer_fired;
    st->kt.priv = st;
    timer_arm(&st->kt, deadline);
}

static s64 ns_from_timeval(const struct linux_timeval *tv, s64 *ns)
{
    if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
        return -EINVAL;
    if (tv->tv_sec > NSEC_FOREVER / NSEC_PER_SEC - 1)
        *ns = NSEC_FOREVER / 2;
    else
        *ns = tv->tv_sec * NSEC_PER_SEC + tv->tv_usec * NSEC_PER_USEC;
    return 0;
}

static s64 ns_from_timespec(const struct linux_timespec *ts, s64 *ns)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
        return -EINVAL;
    if (ts->tv_sec > NSEC_FOREVER / NSEC_PER_SEC - 1)
        *ns = NSEC_FOREVER / 2;
    else
        *ns = ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
    return 0;
}

static struct linux_timeval timeval_from_ns(s64 ns)
{
    /* Linux rounds up to the microsecond, so an armed timer never reads as zero */
    s64 us = (ns + NSEC_PER_USEC - 1) / NSEC_PER_USEC;
    return (struct linux_timeval){us / 1000000, us % 1000000};
}

static struct linux_timespec timespec_from_ns(s64 ns)
{
    return (struct linux_timespec){ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
}

static void real_timer_get(struct linux_itimerval *old)
{
    s64 value = 0, interval = 0;
    struct process_timers *pt = timers_of_current(false);
    if (pt)
        timer_get(&pt->real, &value, &interval);
    old->value = timeval_from_ns(value);
    old->interval = timeval_from_ns(interval);
}

SYSCALL2(getitimer, which, curr_value)
{
    if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
        return -ENOSYS;
    if (which != ITIMER_REAL)
        return -EINVAL;
    struct linux_itimerval cur;
    real_timer_get(&cur);
    return copy_to_user(curr_value, &cur, sizeof(cur)) ? -EFAULT : 0;
}

SYSCALL3(setitimer, which, new_value, old_value)
{
    if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
        return -ENOSYS;
    if (which != ITIMER_REAL)
        return -EINVAL;
    struct linux_itimerval nv = {0}, old;
    if (new_value && copy_from_user(&nv, new_value, sizeof(nv)))
        return -EFAULT;
    s64 value, interval;
    if (ns_from_timeval(&nv.value, &value) || ns_from_timeval(&nv.interval, &interval))
        return -EINVAL;
    struct process_timers *pt = timers_of_current(value != 0);
    real_timer_get(&old);
    if (pt) {
        pt->real.clock = CLOCK_MONOTONIC;
        timer_set(&pt->real, value, interval, false);
    } else if (value) {
        return -ENOMEM;
    }
    if (old_value && copy_to_user(old_value, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL1(alarm, seconds)
{
    struct linux_itimerval old;
    struct process_timers *pt = timers_of_current(seconds != 0);
    if (!pt && seconds)
        return -ENOMEM;
    real_timer_get(&old);
    if (pt) {
        pt->real.clock = CLOCK_MONOTONIC;
        timer_set(&pt->real, (s64)(u32)seconds * NSEC_PER_SEC, 0, false);
    }
    /* the seconds that were left, rounded as Linux rounds them */
    s64 left = old.value.tv_sec;
    if ((!left && old.value.tv_usec) || old.value.tv_usec >= 500000)
        left++;
    return left;
}

static struct signal_timer *find_timer(u64 id)
{
    struct process_timers *pt = timers_of_current(false);
    if (!pt || id >= MAX_TIMERS || !pt->posix[id].used)
        return NULL;
    return &pt->posix[id];
}

SYSCALL3(timer_create, clockid, sevp, timerid)
{
    if (clock_now(clockid) == -EINVAL)
        return -EINVAL;
    struct linux_sigevent ev = {0};
    if (sevp && copy_from_user(&ev, sevp, sizeof(ev)))
        return -EFAULT;
    if (!sevp) {
        ev.notify = SIGEV_SIGNAL;
        ev.signo = SIGALRM;
    }
    if (ev.notify == SIGEV_THREAD)
        return -EINVAL; /* Linux too: glibc turns it into SIGEV_THREAD_ID */
    if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID)
        return -EINVAL;
    if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > NSIG))
        return -EINVAL;
    /* Linux: any thread of the caller's process */
    if (ev.notify == SIGEV_THREAD_ID && !thread_of(current_process(), ev.tid))
        return -EINVAL;
    struct process_timers *pt = timers_of_current(true);
    if (!pt)
        return -EAGAIN; /* Linux's answer when it has no memory for a timer */
    s32 id = 0;
    while (id < MAX_TIMERS && pt->posix[id].used)
        id++;
    if (id == MAX_TIMERS)
        return -EAGAIN;
    struct signal_timer *st = &pt->posix[id];
    *st = (struct signal_timer){.proc = current_process(),
                                .used = true,
                                .clock = clockid,
                                .id = id,
                                .signo = ev.signo,
                                .notify = ev.notify,
                                .tid = ev.tid,
                                .value = ev.value};
    if (!sevp)
        st->value = (u64)id;
    if (copy_to_user(timerid, &id, sizeof(id))) {
        st->used = false;
        return -EFAULT;
    }
    return 0;
}

static void posix_timer_get(struct signal_timer *st, struct linux_itimerspec *cur)
{
    s64 value, interval;
    timer_get(st, &value, &interval);
    cur->value = timespec_from_ns(value);
    cur->interval = timespec_from_ns(interval);
}

SYSCALL4(timer_settime, timerid, flags, new_value, old_value)
{
    struct signal_timer *st = find_timer(timerid);
    if (!st)
        return -EINVAL;
    struct linux_itimerspec nv, old;
    if (copy_from_user(&nv, new_value, sizeof(nv)))
        return -EFAULT;
    s64 value, interval;
    if (ns_from_timespec(&nv.value, &value) || ns_from_timespec(&nv.interval, &interval))
        return -EINVAL;
    posix_timer_get(st, &old);
    bool absolute = flags & TIMER_ABSTIME;
    if (absolute && value && value <= clock_now(st->clock))
        value = clock_now(st->clock) + 1; /* already past: fires at once */
    timer_set(st, value, interval, absolute);
    if (old_value && copy_to_user(old_value, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL2(timer_gettime, timerid, curr_value)
{
    struct signal_timer *st = find_timer(timerid);
    if (!st)
        return -EINVAL;
    struct linux_itimerspec cur;
    posix_timer_get(st, &cur);
    return copy_to_user(curr_value, &cur, sizeof(cur)) ? -EFAULT : 0;
}

SYSCALL1(timer_getoverrun, timerid)
{
    struct signal_timer *st = find_timer(timerid);
    return st ? st->last_overrun : -EINVAL;
}

SYSCALL1(timer_delete, timerid)
{
    struct signal_timer *st = find_timer(timerid);
    if (!st)
        return -EINVAL;
    timer_cancel(&st->kt);
    st->used = false;
    return 0;
}
