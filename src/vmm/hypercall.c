/* Hypercall dispatch and the handlers for the run's life cycle: exit, kill, panic,
 * log, sleep and start-up marks. Stdio is in hc_stdio.c. */
#include "vmm/hypercall.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cloister/cloister.h>

#include "vmm/host_events.h"
#include "vmm/iago.h"
#include "vmm/vcpus.h" /* the lying monitor of the tests (docs/iago.md); empty in releases */

static const char *const signal_names[65] = {
    [1] = "SIGHUP",   [2] = "SIGINT",   [3] = "SIGQUIT",  [4] = "SIGILL",   [5] = "SIGTRAP",
    [6] = "SIGABRT",  [7] = "SIGBUS",   [8] = "SIGFPE",   [9] = "SIGKILL",  [10] = "SIGUSR1",
    [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
};

static const char *const vector_names[32] = {
    [0] = "divide error",
    [1] = "debug trap",
    [3] = "breakpoint",
    [4] = "overflow",
    [5] = "bound range",
    [6] = "invalid opcode",
    [7] = "FPU not available",
    [12] = "stack fault",
    [13] = "general protection fault",
    [14] = "page fault",
    [16] = "x87 floating-point error",
    [17] = "alignment check",
    [19] = "SIMD floating-point error",
};

/* Copies guest text for printing, turning anything but printable ASCII, tab and
 * newline into '?', so that a hostile guest cannot drive the user's terminal. */
static size_t sanitize(char *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = src[i];
        dst[i] = (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
    }
    return n;
}

static int hc_exit(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    vm->exit_status = (int)(c->req.args[0] & 0xff);
    vm->done = true;
    return 0;
}

static int hc_killed(struct hc_ctx *c)
{
    struct vm *vm = c->vcpu->vm;
    uint64_t sig = c->req.args[0], vec = c->req.args[1], rip = c->req.args[3];
    uint64_t addr = c->req.args[4], flags = c->req.args[5];
    if (sig < 1 || sig > 64)
        return vm_fail(vm, "shim reported a workload killed by invalid signal %llu",
                       (unsigned long long)sig);
    vm->exit_status = 128 + (int)sig;
    vm->done = true;
    if (vec == CL_KILLED_NO_VECTOR) {
        /* a signal the workload raised or a write to a closed pipe: no fault to name;
         * shells stay quiet about SIGPIPE, so do we */
        if (sig != 13)
            fprintf(stderr, "cloister: workload killed by %s (%s)\n",
                    signal_names[sig] ? signal_names[sig] : "a signal",
                    (flags & CL_KILLED_FROM_HOST) ? "sent to cloister" : "raised by the workload");
        return 0;
    }
    char what[160] = "";
    if (sig == 9 && vec == 14)
        snprintf(what, sizeof(what), "out of memory at address 0x%llx", (unsigned long long)addr);
    else if (vec < 32 && vector_names[vec] && (flags & CL_FAULT_HAS_ADDR))
        snprintf(what, sizeof(what), "%s at address 0x%llx (%s, %s)", vector_names[vec],
                 (unsigned long long)addr,
                 (flags & CL_FAULT_EXEC)    ? "exec"
                 : (flags & CL_FAULT_WRITE) ? "write"
                                            : "read",
                 (flags & CL_FAULT_PRESENT) ? "protection" : "not mapped");
    else if (vec < 32 && vector_names[vec])
        snprintf(what, sizeof(what), "%s", vector_names[vec]);
    else
        snprintf(what, sizeof(what), "signal");
    fprintf(stderr, "cloister: workload killed by %s: %s, rip 0x%llx\n",
            signal_names[sig] ? signal_names[sig] : "signal", what, (unsigned long long)rip);
    return 0;
}

static int hc_panic(struct hc_ctx *c)
{
    char msg[512];
    size_t n = c->req.args[0] < sizeof(msg) - 1 ? c->req.args[0] : sizeof(msg) - 1;
    sanitize(msg, c->data, n);
    msg[n] = 0;
    for (char *p = msg; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return vm_fail(c->vcpu->vm, "shim: %s", msg);
}

static int hc_log(struct hc_ctx *c)
{
    static char text[CL_HC_DATA_SIZE];
    size_t n = c->req.args[0];
    if (n > CL_HC_DATA_SIZE)
        return vm_fail(c->vcpu->vm, "shim log request of %zu bytes exceeds the buffer", n);
    sanitize(text, c->data, n);
    fwrite(text, 1, n, stderr);
    c->ret = 0;
    return 0;
}

static int hc_sleep(struct hc_ctx *c)
{
    /* at most a second at a time: the shim checks its own clock and asks again */
    uint64_t ns = c->req.args[0] < 1000000000ull ? c->req.args[0] : 1000000000ull;
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    nanosleep(&ts, NULL);
    c->ret = 0;
    return 0;
}

static int hc_mark(struct hc_ctx *c)
{
    struct vm_stats *s = &c->vcpu->vm->stats;
    if (c->req.args[0] == CL_MARK_SHIM_START && !s->shim_start)
        s->shim_start = now_ns();
    else if (c->req.args[0] == CL_MARK_USER_START && !s->user_start)
        s->user_start = now_ns();
    c->ret = 0;
    return 0;
}

typedef int (*hc_handler)(struct hc_ctx *c);

static const hc_handler handlers[CL_HC_NR_MAX] = {
    [CL_HC_EXIT] = hc_exit,
    [CL_HC_KILLED] = hc_killed,
    [CL_HC_PANIC] = hc_panic,
    [CL_HC_LOG] = hc_log,
    [CL_HC_FD_WRITE] = hc_fd_write,
    [CL_HC_FD_READ] = hc_fd_read,
    [CL_HC_FD_IOCTL] = hc_fd_ioctl,
    [CL_HC_FD_STAT] = hc_fd_stat,
    [CL_HC_SLEEP] = hc_sleep,
    [CL_HC_MARK] = hc_mark,
    [CL_HC_ATTEST] = hc_attest,
    [CL_HC_NET_CONNECT] = hc_net_connect,
    [CL_HC_NET_SEND] = hc_net_send,
    [CL_HC_NET_RECV] = hc_net_recv,
    [CL_HC_NET_CLOSE] = hc_net_close,
    [CL_HC_FD_SEEK] = hc_fd_seek,
    [CL_HC_WAIT] = hc_wait,
    [CL_HC_SOCK_OPEN] = hc_sock_open,
    [CL_HC_SOCK_BIND] = hc_sock_bind,
    [CL_HC_SOCK_LISTEN] = hc_sock_listen,
    [CL_HC_SOCK_ACCEPT] = hc_sock_accept,
    [CL_HC_SOCK_CONNECT] = hc_sock_connect,
    [CL_HC_SOCK_SEND] = hc_sock_send,
    [CL_HC_SOCK_RECV] = hc_sock_recv,
    [CL_HC_SOCK_SHUTDOWN] = hc_sock_shutdown,
    [CL_HC_SOCK_SETOPT] = hc_sock_setopt,
    [CL_HC_SOCK_GETOPT] = hc_sock_getopt,
    [CL_HC_SOCK_NAME] = hc_sock_name,
    [CL_HC_SOCK_CLOSE] = hc_sock_close,
    [CL_HC_CPU_START] = hc_cpu_start,
    [CL_HC_KICK] = hc_kick,
};

int hypercall(struct vcpu *v)
{
    struct vm *vm = v->vm;
    uint64_t block = CL_GPA_HCALL + (uint64_t)v->id * CL_HC_BLOCK_SIZE;
    volatile struct cl_hcall *shared = gpa_ptr(vm, block, sizeof(struct cl_hcall));
    struct hc_ctx c = {.vcpu = v, .data = gpa_ptr(vm, block + CL_HC_DATA_OFFSET, CL_HC_DATA_SIZE)};
    if (!shared || !c.data)
        return vm_fail(vm, "hypercall block outside guest memory");
    memcpy(&c.req, (const void *)shared, sizeof(c.req)); /* read the request once */
    vm->stats.hypercalls++;
    if (c.req.nr >= CL_HC_NR_MAX || !handlers[c.req.nr])
        return vm_fail(vm, "shim made unknown hypercall %llu", (unsigned long long)c.req.nr);
    c.ret = -ENOSYS;
    iago_before(&c);
    if (handlers[c.req.nr](&c) < 0)
        return -1;
    iago_after(&c);
    shared->ret = c.ret;
    for (int i = 0; i < 3; i++)
        shared->rets[i] = c.rets[i];
    return 0;
}
