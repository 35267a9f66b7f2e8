/*
 * The monitor's seccomp allowlist (docs/sandbox.md has the list with the reasons).
 *
 * Everything that needs wider access (opening the image, /dev/kvm, the sim chip's keys,
 * the --net-log file; creating the VM and its memory; resolving the key brokers' names)
 * is done before this; what remains is the run loop and the hypercall handlers. The
 * default action kills the whole process, so a monitor that a hostile guest managed to
 * subvert cannot open, exec or connect anywhere else: it dies with SIGSYS (status 159).
 */
#include "vmm/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

/* The system calls allowed with any arguments: none of them reaches a new object. */
static const int plain[] = {
    /* stdio hypercalls (fds 0-2, whatever they are), --net-log and our own messages */
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(writev),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat), /* glibc's fstat(fd) is newfstatat(fd, "", AT_EMPTY_PATH) */
    /* key broker connections and the workload's sockets (hc_sock.c): sockets come from
     * socket(), restricted below; every address was checked against the manifest's
     * declarations first. No bind(): published ports are bound before the sandbox. */
    SCMP_SYS(connect),
    SCMP_SYS(listen),
    SCMP_SYS(accept4),
    SCMP_SYS(shutdown),
    SCMP_SYS(setsockopt),
    SCMP_SYS(getsockopt),
    SCMP_SYS(getsockname),
    SCMP_SYS(getpeername),
    SCMP_SYS(sendto),
    SCMP_SYS(recvfrom),
    SCMP_SYS(close),
    /* time and sleep hypercalls; the vDSO covers most clock reads */
    SCMP_SYS(clock_gettime),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(nanosleep),
    SCMP_SYS(clock_nanosleep),
    /* the event loop (host_events.c): waiting, and watching sockets as they come */
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(epoll_ctl),
    /* an idle vCPU's wait with its wake-up eventfd (host_events.c); a look at stdin
     * before reading it (hc_stdio.c) */
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    /* the sim TEE's report signing: OpenSSL's DRBG reseeds from the kernel */
    SCMP_SYS(getrandom),
    /* malloc's arenas (mmap and mprotect are below, without PROT_EXEC) */
    SCMP_SYS(brk),
    SCMP_SYS(munmap),
    SCMP_SYS(madvise),
    /* the thread's own life: locks, signals interrupting KVM_RUN, exit */
    SCMP_SYS(futex),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(sched_yield),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    /* abort() on a failed assertion or sanitizer report, which raises to ourselves
     * (tgkill is restricted to this process below) */
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    /* --stats reports the peak RSS after the run, from a confined caller */
    SCMP_SYS(getrusage),
#ifdef SANDBOX_SANITIZER
    /* ASan removes the thread's alternate signal stack when it ends; the leak check
     * itself runs at exit in the main thread, which is not sandboxed */
    SCMP_SYS(sigaltstack),
#endif
};

static int fail(struct vm *vm, const char *what, int rc)
{
    return vm_fail(vm, "cannot sandbox the monitor: %s: %s", what, strerror(rc < 0 ? -rc : rc));
}

static int add_rules(scmp_filter_ctx f, const struct vcpu *v)
{
    int rc = 0;
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) && rc == 0; i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, plain[i], 0);
    /* KVM: the run loop on this vCPU, and the registers for a failure's message */
    static const unsigned long kvm[] = {KVM_RUN, KVM_GET_REGS};
    for (size_t i = 0; i < sizeof(kvm) / sizeof(kvm[0]) && rc == 0; i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->fd),
                              SCMP_A1(SCMP_CMP_EQ, kvm[i]));
    /* the calling thread's interrupt for a busy guest (host_events.c): an MSI to the
     * VM's own in-kernel APIC, nothing else of the VM */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v->vm->vm_fd),
                              SCMP_A1(SCMP_CMP_EQ, KVM_SIGNAL_MSI));
    /* the two terminal queries hc_stdio.c forwards, on fds 0-2 only */
    static const unsigned long tty[] = {TCGETS, TIOCGWINSZ};
    for (size_t i = 0; i < sizeof(tty) / sizeof(tty[0]) && rc == 0; i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_LE, 2),
                              SCMP_A1(SCMP_CMP_EQ, tty[i]));
    /* hc_fd_seek: the position of a file on stdio, fds 0-2 only */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(lseek), 1, SCMP_A0(SCMP_CMP_LE, 2));
    /* hc_fd_stat's flags */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL));
    /* a guest socket bound to a published port holds a duplicate of the host socket
     * bound before the sandbox (net_policy.c) */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                              SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC));
    /* TCP and UDP over IPv4 and IPv6 only: no raw, packet or local sockets */
    static const int families[] = {AF_INET, AF_INET6}, types[] = {SOCK_STREAM, SOCK_DGRAM};
    for (size_t i = 0; i < 4 && rc == 0; i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i / 2]),
                              SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)types[i % 2]));
    /* memory for malloc, never executable: no new code in a subverted monitor */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    /* abort()'s signal, to this process only */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
    return rc;
}

int sandbox_enter(struct vm *vm, const struct vcpu *v)
{
    /* no set-uid gain through anything later; seccomp without CAP_SYS_ADMIN needs it */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return fail(vm, "PR_SET_NO_NEW_PRIVS", errno);
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!f)
        return fail(vm, "seccomp_init", ENOMEM);
    int rc = add_rules(f, v);
    if (rc < 0) {
        seccomp_release(f);
        return fail(vm, "seccomp_rule_add", rc);
    }
    rc = seccomp_load(f);
    seccomp_release(f);
    return rc < 0 ? fail(vm, "seccomp_load", rc) : 0;
}

int sandbox_confine_caller(struct vm *vm, const struct vcpu *v)
{
#ifdef SANDBOX_SANITIZER
    (void)vm;
    (void)v;
    return 0; /* LeakSanitizer stops the world with clone and ptrace at exit */
#else
    return sandbox_enter(vm, v);
#endif
}
