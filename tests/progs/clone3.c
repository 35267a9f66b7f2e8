/*
 * clone3 (issue 12): the structure-argument clone that glibc 2.34+ tries first for
 * pthread_create and posix_spawn. A process made with it, one on a stack of its own
 * sharing memory (vfork-style), CLONE_CLEAR_SIGHAND, the tid addresses, and the
 * errors Linux gives for a malformed structure. tests/lib/procs_cases.sh runs it in a
 * VM and natively and compares: the output holds statuses and relations, never a pid.
 * Features the shim does not have (pidfds, cgroups, chosen pids) are not asked here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_CLONE3 435

/* Linux's struct clone_args, its third version (88 bytes) */
struct clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

#define CLONE_CLEAR_SIGHAND 0x100000000ull

static long clone3(void *args, size_t size)
{
    return syscall(NR_CLONE3, args, size);
}

static const char *err_name(long rc)
{
    if (rc >= 0)
        return "ok";
    switch (errno) {
    case EINVAL:
        return "EINVAL";
    case E2BIG:
        return "E2BIG";
    case EFAULT:
        return "EFAULT";
    case ENOSYS:
        return "ENOSYS";
    default:
        return strerror(errno);
    }
}

static void show_status(const char *what, pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid) {
        printf("%s: waitpid: %s\n", what, strerror(errno));
        return;
    }
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else
        printf("%s: status %#x\n", what, st);
}

/* a process, fork-style: its own copy of memory, SIGCHLD at its end */
static void fork_like(void)
{
    static int value = 1;
    struct clone_args a = {.exit_signal = SIGCHLD};
    long pid = clone3(&a, sizeof(a));
    if (pid == 0) {
        value = 2; /* its own copy */
        _exit(7);
    }
    if (pid < 0) {
        printf("fork-like: %s\n", err_name(pid));
        return;
    }
    show_status("fork-like", (pid_t)pid);
    printf("fork-like: the parent's memory is its own: %s\n", value == 1 ? "yes" : "no");
}

/* the tid addresses: the parent's gets the pid in the parent, the child's in the child */
static void tid_addresses(void)
{
    pid_t parent_tid = 0, child_tid = 0;
    struct clone_args a = {
        .flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID,
        .parent_tid = (uintptr_t)&parent_tid,
        .child_tid = (uintptr_t)&child_tid,
        .exit_signal = SIGCHLD,
    };
    long pid = clone3(&a, sizeof(a));
    if (pid == 0)
        _exit(child_tid == getpid() ? 0 : 1);
    if (pid < 0) {
        printf("tids: %s\n", err_name(pid));
        return;
    }
    printf("tids: the parent's address holds the pid: %s\n", parent_tid == pid ? "yes" : "no");
    show_status("tids: the child's address holds its pid (0 is yes)", (pid_t)pid);
}

/* a child on a stack of its own, in the parent's memory, the parent held until it ends
 * (CLONE_VM | CLONE_VFORK, as posix_spawn). It must not return into the parent's frame,
 * so the call and the child's first steps are in assembly. */
static volatile int shared_word;

static void __attribute__((noreturn, used)) on_own_stack(void)
{
    char here;
    /* its stack is the range given, not the parent's */
    extern char child_stack[];
    int on_it = &here > child_stack && &here < child_stack + 65536;
    shared_word = on_it ? 42 : 41;
    syscall(SYS_exit, 5);
    __builtin_unreachable();
}

char child_stack[65536] __attribute__((aligned(16)));

static long clone3_run(struct clone_args *a, size_t size)
{
    long rc;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "call on_own_stack\n\t"
                     "1:"
                     : "=a"(rc)
                     : "a"((long)NR_CLONE3), "D"(a), "S"(size)
                     : "rcx", "r11", "memory");
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return rc;
}

static void own_stack(void)
{
    struct clone_args a = {
        .flags = CLONE_VM | CLONE_VFORK,
        .exit_signal = SIGCHLD,
        .stack = (uintptr_t)child_stack,
        .stack_size = sizeof(child_stack),
    };
    long pid = clone3_run(&a, sizeof(a));
    if (pid < 0) {
        printf("own stack: %s\n", err_name(pid));
        return;
    }
    /* CLONE_VFORK: by now the child has ended */
    printf("own stack: the child ran on its stack and wrote the parent's memory: %s\n",
           shared_word == 42   ? "yes"
           : shared_word == 41 ? "not on its stack"
                               : "no");
    show_status("own stack", (pid_t)pid);
}

static void on_usr1(int sig)
{
    (void)sig;
}

static int disposition(int sig)
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    return sa.sa_handler == SIG_DFL ? 0 : sa.sa_handler == SIG_IGN ? 1 : 2;
}

/* CLONE_CLEAR_SIGHAND: handled signals back to SIG_DFL in the child; SIG_IGN stays */
static void clear_sighand(void)
{
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    struct clone_args a = {.flags = CLONE_CLEAR_SIGHAND, .exit_signal = SIGCHLD};
    long pid = clone3(&a, sizeof(a));
    if (pid == 0)
        _exit(disposition(SIGUSR1) * 10 + disposition(SIGUSR2));
    if (pid < 0) {
        printf("clear sighand: %s\n", err_name(pid));
        return;
    }
    show_status("clear sighand: the child's SIGUSR1 and SIGUSR2 (0 default, 1 ignored, 2 "
                "handled)",
                (pid_t)pid);
    printf("clear sighand: the parent's SIGUSR1 is still handled: %s\n",
           disposition(SIGUSR1) == 2 ? "yes" : "no");
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

/* a larger structure than the kernel knows: zeros are fine, anything else E2BIG */
static void sizes(void)
{
    uint64_t big[16] = {0};
    big[4] = SIGCHLD; /* exit_signal */
    long pid = clone3(big, sizeof(big));
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        show_status("a 128-byte structure, its tail zero", (pid_t)pid);
    else
        printf("a 128-byte structure, its tail zero: %s\n", err_name(pid));
    big[15] = 1;
    printf("a 128-byte structure, its tail not zero: %s\n", err_name(clone3(big, sizeof(big))));
    printf("32 bytes: %s\n", err_name(clone3(big, 32)));
    printf("a page and a byte: %s\n", err_name(clone3(big, 4097)));
}

static void check_err(const char *what, struct clone_args a)
{
    long rc = clone3(&a, sizeof(a));
    if (rc == 0)
        _exit(0); /* should not have been made */
    if (rc > 0)
        waitpid((pid_t)rc, NULL, 0);
    printf("%s: %s\n", what, err_name(rc));
}

static void errors(void)
{
    check_err("the exit signal in flags", (struct clone_args){.flags = SIGCHLD});
    check_err("CLONE_DETACHED", (struct clone_args){.flags = 0x00400000, .exit_signal = SIGCHLD});
    check_err("a stack with no size", (struct clone_args){.stack = 4096, .exit_signal = SIGCHLD});
    check_err("a size with no stack",
              (struct clone_args){.stack_size = 4096, .exit_signal = SIGCHLD});
    check_err("a thread with an exit signal",
              (struct clone_args){.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD,
                                  .exit_signal = SIGCHLD,
                                  .stack = (uintptr_t)child_stack,
                                  .stack_size = sizeof(child_stack)});
    check_err("CLONE_SIGHAND with CLONE_CLEAR_SIGHAND",
              (struct clone_args){.flags = CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND,
                                  .exit_signal = SIGCHLD});
    check_err("CLONE_THREAD without CLONE_SIGHAND",
              (struct clone_args){.flags = CLONE_VM | CLONE_THREAD});
    check_err("a flag no Linux has",
              (struct clone_args){.flags = 1ull << 40, .exit_signal = SIGCHLD});
    printf("a structure at an unmapped address: %s\n", err_name(clone3((void *)8, 64)));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* children exit with _exit: nothing buffered */
    fork_like();
    tid_addresses();
    own_stack();
    clear_sighand();
    sizes();
    errors();
    return 0;
}
