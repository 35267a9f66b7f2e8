/*
 * libFuzzer target for the monitor's hypercall dispatcher (src/vmm/hypercall.c and the
 * real handlers in src/vmm/hc_*.c): a hostile guest controls every byte of its
 * hypercall blocks, so any sequence of requests must be served or refused without a
 * memory error, without touching guest memory other than the calling vCPU's block, with
 * results in range and with no file descriptor but the workload's stdio (0-2) used.
 *
 * The VM is a plain buffer: guest memory up to three and a half hypercall blocks past
 * CL_GPA_HCALL (vCPU 3's block runs off the end of memory, the dispatcher's bounds check),
 * four vCPUs and no KVM. Everything below CL_GPA_HCALL and every other vCPU's block is
 * poisoned while a call is served, so ASan reports any touch of them.
 *
 * Input:
 *   byte 0       the set-up: bits 0-1 the TEE (0 none, 1 a sim TEE without a chip,
 *                2-3 a sim TEE with a throwaway chip), bit 2 the manifest has SECRETs,
 *                bit 3 their brokers were resolved (to nothing: no network), bit 4 net
 *                handles 0 and 1 hold one end of a local socket pair, bit 5 --net-log
 *   then calls   1 byte vCPU (mod 4), the 88-byte struct cl_hcall, a 2-byte little-endian
 *                length and that many bytes for the vCPU's bounce buffer; until the input
 *                ends, the run is over (exit, kill) or a call fails, as in the monitor
 *
 * The workload's stdin is /dev/null; its stdout and stderr are libFuzzer's -close_fd_mask
 * (added to the command line here): /dev/null too, with libFuzzer's own output and the
 * sanitizers' reports moved to a copy of stderr. nanosleep is this file's, which returns
 * at once, so CL_HC_SLEEP costs nothing.
 *
 * Built by `make fuzz-hypercall` (tests/fuzz/fuzz.mk); tests/static/fuzz.sh runs it
 * briefly and bench/fuzz.sh for hours, from the seeds in tests/fuzz/corpus/hypercall/.
 * FUZZ_HYPERCALL_SEEDS=DIR build/fuzz/fuzz_hypercall writes the hand-made seeds (one
 * input per hypercall number, and a few sequences) into DIR and exits.
 */
#include "simtee/sim_chip.h"
#include "verify/snp_report.h"
#include "vmm/hypercall.h"
#include <cloister/cwi.h>
#include "vmm/sim_tee.h"

#include <errno.h>
#include <fcntl.h>
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define NVCPUS   4u
#define MEM_SIZE (CL_GPA_HCALL + 3 * CL_HC_BLOCK_SIZE + CL_HC_BLOCK_SIZE / 2)
#define CALL_MIN (1 + sizeof(struct cl_hcall) + 2)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *mem;
static struct sim_tee tee_loaded, tee_missing;
static FILE *net_log_file;
static char *const secrets[] = {
    "kbs.invalid:8080|default/key/one|/run/one",
    "kbs.invalid:80|default/key/two|/run/two|sha256:00",
    "no-port-here|default/key/three|/run/three", /* refused: EINVAL */
};

/* setup & 64: the network a workload may declare; nothing listens on 127.0.0.1:9 */
static const struct cwi_net_decl fuzz_listen[2] = {
    {.proto = CWI_NET_TCP, .port = 18080},
    {.proto = CWI_NET_UDP, .port = 18080},
};
static const struct cwi_net_decl fuzz_connect[2] = {
    {.proto = CWI_NET_TCP, .family = 4, .port = 9, .addr = {127, 0, 0, 1}},
    {.proto = CWI_NET_UDP, .family = 4, .port = 9, .addr = {127, 0, 0, 1}},
};

/* CL_HC_SLEEP asks for up to a second at a time: not here. */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
    (void)req;
    (void)rem;
    return 0;
}

static int report_fd = 2; /* a copy of the real stderr: fd 2 is the workload's */

static void die(const char *what)
{
    dprintf(report_fd, "fuzz_hypercall: %s\n", what);
    abort();
}

/* A throwaway simulated chip: made in a temporary directory with 2048-bit RSA (a
 * 4096-bit key takes seconds), loaded, and the directory removed. */
static void make_chip(void)
{
    char dir[] = "/tmp/fuzz_hypercall.XXXXXX", err[256], cmd[64];
    if (!mkdtemp(dir))
        die("mkdtemp failed");
    struct sim_chip_params p = sim_chip_default_params;
    p.rsa_bits = 2048;
    if (sim_chip_init_with(dir, true, &p, err, sizeof(err)) < 0 ||
        sim_chip_load(dir, &tee_loaded.chip, err, sizeof(err)) < 0 ||
        sim_chip_cert_table(&tee_loaded.chip, &tee_loaded.certs, &tee_loaded.certs_len, err,
                            sizeof(err)) < 0)
        die(err);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        die("cannot remove the chip's directory");
    tee_loaded.chip_loaded = true;
    memset(tee_loaded.measurement, 0x4d, sizeof(tee_loaded.measurement));
    memset(tee_loaded.host_data, 0x48, sizeof(tee_loaded.host_data));
    memset(tee_loaded.report_id, 0x49, sizeof(tee_loaded.report_id));
    tee_loaded.policy = 0x30000; /* SMT allowed, the reserved bit 17 set */
    snprintf(tee_missing.chip_error, sizeof(tee_missing.chip_error), "no chip (fuzzing)");
}

static void write_seeds(const char *dir);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *seeds = getenv("FUZZ_HYPERCALL_SEEDS");
    if (seeds) {
        write_seeds(seeds);
        exit(0);
    }
    /* The workload's stdout and stderr are the monitor's fds 1 and 2: libFuzzer sends
     * them to /dev/null with -close_fd_mask=3, its own output and the sanitizers'
     * reports to a copy of stderr. Put first, so that the command line can override. */
    report_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
    char **args = calloc((size_t)*argc + 2, sizeof(char *));
    if (!args)
        die("out of memory");
    args[0] = (*argv)[0];
    args[1] = "-close_fd_mask=3";
    for (int i = 1; i < *argc; i++)
        args[i + 1] = (*argv)[i];
    *argc += 1;
    *argv = args;
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0)
        die("cannot open /dev/null as stdin");
    close(null);

    mem = calloc(1, MEM_SIZE);
    if (!mem)
        die("out of memory");
    ASAN_POISON_MEMORY_REGION(mem, MEM_SIZE);
    make_chip();
    net_log_file = fopen("/dev/null", "w");
    if (!net_log_file)
        die("cannot open /dev/null");
    return 0;
}

/* Only the calling vCPU's block is the guest's to hand: the rest of guest memory stays
 * poisoned (from LLVMFuzzerInitialize on), and the block is exposed for its call only. */
static void block_poison(unsigned id, bool poison)
{
    uint64_t start = CL_GPA_HCALL + id * CL_HC_BLOCK_SIZE;
    uint64_t end = start + CL_HC_BLOCK_SIZE < MEM_SIZE ? start + CL_HC_BLOCK_SIZE : MEM_SIZE;
    if (poison)
        ASAN_POISON_MEMORY_REGION(mem + start, end - start);
    else
        ASAN_UNPOISON_MEMORY_REGION(mem + start, end - start);
}

static bool neg_errno(int64_t r)
{
    return r < 0 && r >= -4095;
}

/* Whether the monitor must stop the run on this call (hypercall() returns -1), worked
 * out from the request alone before it is served: every other call must be served. */
static bool must_fail(const struct vm *vm, const struct cl_hcall *req, unsigned id)
{
    uint64_t a0 = req->args[0], a1 = req->args[1];
    if (CL_GPA_HCALL + (id + 1) * CL_HC_BLOCK_SIZE > vm->mem_size)
        return true; /* the block is not all in guest memory */
    switch (req->nr) {
    case CL_HC_PANIC:
        return true;
    case CL_HC_KILLED:
        return a0 < 1 || a0 > 64;
    case CL_HC_LOG:
        return a0 > CL_HC_DATA_SIZE;
    case CL_HC_FD_WRITE:
    case CL_HC_FD_READ:
        return a0 <= 2 && (a1 > CL_HC_DATA_SIZE || (int64_t)req->args[2] < -1);
    case CL_HC_NET_SEND:
    case CL_HC_NET_RECV:
        return a0 < VM_MAX_NET && vm->net_fds[a0] >= 0 && a1 > CL_HC_DATA_SIZE;
    case CL_HC_SOCK_SEND:
    case CL_HC_SOCK_RECV:
        return hc_sock_live(vm, a0) && a1 > CL_SOCK_DATA_MAX;
    default:
        /* the numbers with no handler: 0, the hole between the sockets' and the CPUs'
         * (abi.h), and past the end */
        return req->nr == 0 || (req->nr > CL_HC_SOCK_CLOSE && req->nr < CL_HC_CPU_START) ||
               req->nr >= CL_HC_NR_MAX;
    }
}

/* What a served call (hypercall() returned 0) may have answered. */
static void check_result(const struct vm *vm, const struct cl_hcall *req,
                         const volatile struct cl_hcall *shared, unsigned id)
{
    int64_t ret = shared->ret;
    uint64_t a0 = req->args[0], a1 = req->args[1];
    bool stdio = a0 <= 2;
    switch (req->nr) {
    case CL_HC_EXIT:
        if (!vm->done || vm->exit_status < 0 || vm->exit_status > 255)
            die("EXIT: not done, or a status outside 0..255");
        return;
    case CL_HC_KILLED:
        if (!vm->done || vm->exit_status < 129 || vm->exit_status > 192)
            die("KILLED: not done, or a status outside 129..192");
        return;
    case CL_HC_PANIC:
        die("PANIC served as if the run could go on");
        return;
    case CL_HC_LOG:
        return;
    case CL_HC_FD_WRITE:
    case CL_HC_FD_READ:
    case CL_HC_NET_SEND:
    case CL_HC_NET_RECV:
        if (req->nr < CL_HC_NET_SEND && !stdio && ret != -EBADF)
            die("FD_WRITE/FD_READ on an fd other than 0-2 not refused with EBADF");
        if (!(neg_errno(ret) || (ret >= 0 && (uint64_t)ret <= a1 && a1 <= CL_HC_DATA_SIZE)))
            die("a transfer's result is neither -errno nor at most the length asked");
        return;
    case CL_HC_FD_IOCTL:
    case CL_HC_FD_STAT:
        if (!stdio && ret != -EBADF)
            die("IOCTL/STAT on an fd other than 0-2 not refused with EBADF");
        if (ret != 0 && !neg_errno(ret))
            die("IOCTL/STAT answered neither 0 nor -errno");
        if (req->nr == CL_HC_FD_IOCTL && ret == 0 && a1 != TCGETS && a1 != TIOCGWINSZ)
            die("IOCTL served a request other than TCGETS and TIOCGWINSZ");
        return;
    case CL_HC_FD_SEEK:
        if (!stdio && ret != -EBADF)
            die("SEEK on an fd other than 0-2 not refused with EBADF");
        if (ret < 0 && !neg_errno(ret))
            die("SEEK answered neither an offset nor -errno");
        return;
    case CL_HC_SLEEP:
    case CL_HC_MARK:
        if (ret != 0)
            die("SLEEP/MARK answered other than 0");
        return;
    case CL_HC_ATTEST: {
        if (!vm->sim) {
            if (ret != -ENODEV)
                die("ATTEST without a TEE answered other than ENODEV");
            return;
        }
        if (!vm->sim->chip_loaded || a0 > 3) {
            if (ret != (vm->sim->chip_loaded ? -EINVAL : -EIO))
                die("ATTEST answered other than EIO without a chip, EINVAL for a VMPL over 3");
            return;
        }
        const uint8_t *data = mem + CL_GPA_HCALL + id * CL_HC_BLOCK_SIZE + CL_HC_DATA_OFFSET;
        struct snp_report r;
        char err[128];
        if (ret != 0 || snp_report_parse(data, SNP_REPORT_SIZE, &r, err, sizeof(err)) < 0)
            die("ATTEST did not give a report that parses");
        if (r.vmpl != a0 || memcmp(r.measurement, vm->sim->measurement, 48) != 0)
            die("ATTEST reported another VMPL or measurement");
        if (shared->rets[0] != (req->args[1] ? vm->sim->certs_len : 0))
            die("ATTEST's certificate table length is wrong");
        return;
    }
    case CL_HC_NET_CONNECT:
        /* no broker resolves to anything: nothing ever connects */
        if (ret != -EPERM && ret != -EINVAL && ret != -EMFILE && ret != -EHOSTUNREACH)
            die("NET_CONNECT answered other than EPERM, EINVAL, EMFILE, EHOSTUNREACH");
        return;
    case CL_HC_NET_CLOSE:
        if (ret != 0 && ret != -EBADF)
            die("NET_CLOSE answered other than 0 or EBADF");
        return;
    case CL_HC_WAIT:
        if (ret < 0 || (uint64_t)ret > CL_HC_MAX_EVENTS)
            die("WAIT answered a count outside 0..CL_HC_MAX_EVENTS");
        return;
    case CL_HC_SOCK_OPEN:
    case CL_HC_SOCK_ACCEPT:
        if (!neg_errno(ret) && !(ret >= 0 && ret < CL_SOCK_MAX))
            die("SOCK_OPEN/ACCEPT answered neither -errno nor a handle");
        if (req->nr == CL_HC_SOCK_OPEN && !vm->nlisten && !vm->nconnect && ret != -EACCES &&
            ret != -EAFNOSUPPORT && ret != -EINVAL)
            die("SOCK_OPEN without declarations not refused");
        return;
    case CL_HC_SOCK_SEND:
    case CL_HC_SOCK_RECV:
        if (!(neg_errno(ret) || (ret >= 0 && (uint64_t)ret <= a1)))
            die("a socket transfer's result is neither -errno nor at most the length asked");
        if (ret >= 0 && req->nr == CL_HC_SOCK_RECV && shared->rets[0] > CL_SOCK_ADDR_MAX)
            die("SOCK_RECV's source address is longer than its room");
        return;
    case CL_HC_SOCK_NAME:
        if (!neg_errno(ret) && ret != 16 && ret != 28)
            die("SOCK_NAME answered neither -errno nor an address length");
        return;
    case CL_HC_SOCK_BIND:
    case CL_HC_SOCK_LISTEN:
    case CL_HC_SOCK_CONNECT:
    case CL_HC_SOCK_SHUTDOWN:
    case CL_HC_SOCK_SETOPT:
    case CL_HC_SOCK_GETOPT:
    case CL_HC_SOCK_CLOSE:
        if (ret != 0 && !neg_errno(ret))
            die("a socket call answered neither 0 nor -errno");
        if (req->nr == CL_HC_SOCK_CONNECT && ret == 0 && !vm->nconnect)
            die("SOCK_CONNECT succeeded with nothing declared");
        return;
    case CL_HC_CPU_START:
        /* vCPU 0 runs already; the others may be started once */
        if (ret != 0 && ret != -EINVAL && ret != -EALREADY)
            die("CPU_START answered neither 0, EINVAL nor EALREADY");
        if (ret == 0 && (req->args[0] == 0 || req->args[0] >= vm->nr_vcpus))
            die("CPU_START started a vCPU that does not exist");
        return;
    case CL_HC_KICK:
        if (ret != 0 && ret != -EINVAL)
            die("KICK answered neither 0 nor EINVAL");
        if (ret == 0 && req->args[0] >= vm->nr_vcpus)
            die("KICK woke a vCPU that does not exist");
        return;
    default:
        die("an unknown hypercall number was served");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t setup = data[0];
    data++, size--;
    /* the event loop and each vCPU's wake-up eventfd, as a run has them: made once */
    static int events_fd = -1, kick_fds[NVCPUS];
    if (events_fd < 0) {
        events_fd = epoll_create1(EPOLL_CLOEXEC);
        for (unsigned i = 0; i < NVCPUS; i++)
            kick_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    }
    /* every fd the handlers open must be closed again: the lowest free fd stays put */
    int first_free_fd = dup(0);
    close(first_free_fd);

    char err[256] = "";
    struct addrinfo *resolved[3] = {NULL, NULL, NULL};
    struct vcpu vcpus[NVCPUS];
    struct vm vm = {.kvm_fd = -1,
                    .vm_fd = -1,
                    .events_fd = events_fd,
                    .sig_fd = -1,
                    .sig_wake_fd = -1,
                    .supervise_fd = -1,
                    .done_fd = -1,
                    .lock = PTHREAD_MUTEX_INITIALIZER,
                    .cond = PTHREAD_COND_INITIALIZER,
                    .mem = mem,
                    .mem_size = MEM_SIZE,
                    .nr_vcpus = NVCPUS,
                    .err = err,
                    .err_size = sizeof(err)};
    for (unsigned i = 0; i < NVCPUS; i++) {
        vcpus[i] = (struct vcpu){.vm = &vm, .id = i, .fd = -1, .kick_fd = kick_fds[i]};
        vm.vcpus[i] = &vcpus[i];
    }
    for (int i = 0; i < VM_MAX_NET; i++)
        vm.net_fds[i] = -1;
    tee_loaded.warned = tee_missing.warned = false;
    vm.sim = (setup & 3) == 0 ? NULL : (setup & 3) == 1 ? &tee_missing : &tee_loaded;
    if (setup & 4) {
        vm.secrets = secrets;
        vm.nsecrets = sizeof(secrets) / sizeof(secrets[0]);
    }
    if (setup & 8)
        vm.broker_ai = resolved;
    int peers[2] = {-1, -1};
    if (setup & 16) {
        for (int i = 0; i < 2; i++) {
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
                die("socketpair failed");
            vm.net_fds[i] = sv[0];
            peers[i] = sv[1];
            if (write(sv[1], "HTTP/1.1 200 OK\r\n\r\n{}", 21) != 21)
                die("cannot fill the socket pair");
        }
    }
    if (setup & 32)
        vm.net_log = net_log_file;
    if (setup & 64) { /* a declared network: sockets open, and a closed port refuses */
        vm.listen = fuzz_listen;
        vm.nlisten = 2;
        vm.connect = fuzz_connect;
        vm.nconnect = 2;
    }

    /* each input starts from zeroed blocks: nothing carries over from the last one */
    ASAN_UNPOISON_MEMORY_REGION(mem + CL_GPA_HCALL, MEM_SIZE - CL_GPA_HCALL);
    memset(mem + CL_GPA_HCALL, 0, MEM_SIZE - CL_GPA_HCALL);
    ASAN_POISON_MEMORY_REGION(mem + CL_GPA_HCALL, MEM_SIZE - CL_GPA_HCALL);
    while (size >= CALL_MIN && !vm.done) {
        unsigned id = data[0] % NVCPUS;
        uint8_t *block = mem + CL_GPA_HCALL + id * CL_HC_BLOCK_SIZE;
        block_poison(id, false);
        struct cl_hcall req;
        memcpy(&req, data + 1, sizeof(req));
        size_t len = (size_t)data[1 + sizeof(req)] | (size_t)data[2 + sizeof(req)] << 8;
        data += CALL_MIN, size -= CALL_MIN;
        len = len < size ? len : size;
        memcpy(block, &req, sizeof(req)); /* vCPU 3's header is in memory, its data is not */
        if (req.nr == CL_HC_WAIT) {
            /* a kick already there, so the wait ends at once (a kick as another vCPU
             * would send it): the fuzzer must not sleep */
            uint64_t one = 1;
            if (write(kick_fds[id], &one, sizeof(one)) < 0)
                die("cannot kick the fuzzed vCPU");
        }
        uint64_t room = block + CL_HC_DATA_OFFSET < mem + MEM_SIZE
                            ? (uint64_t)(mem + MEM_SIZE - (block + CL_HC_DATA_OFFSET))
                            : 0;
        memcpy(block + CL_HC_DATA_OFFSET, data, len < room ? len : room);
        data += len, size -= len;

        bool fails = must_fail(&vm, &req, id);
        int rc = hypercall(&vcpus[id]);
        if (rc < 0) {
            if (!err[0] || !memchr(err, 0, sizeof(err)))
                die("a failed hypercall left no error line");
            if (!fails) {
                dprintf(report_fd, "fuzz_hypercall: call %llu failed the run: %s\n",
                        (unsigned long long)req.nr, err);
                die("a valid call failed the run");
            }
            block_poison(id, true);
            break; /* the monitor stops the run here */
        }
        if (fails)
            die("a call that must stop the run was served");
        if (err[0])
            die("a served hypercall left an error line");
        check_result(&vm, &req, (volatile struct cl_hcall *)block, id);
        block_poison(id, true);
    }

    for (int i = 0; i < VM_MAX_NET; i++)
        if (vm.net_fds[i] >= 0)
            close(vm.net_fds[i]);
    hc_sock_close_all(&vm);
    for (int i = 0; i < 2; i++)
        if (peers[i] >= 0)
            close(peers[i]);
    int probe = dup(0);
    if (probe != first_free_fd)
        die(probe < 0 ? "stdin was closed" : "a handler left an fd open");
    close(probe);
    return 0;
}

/* ---- the seed corpus ---- */

static unsigned seed_vcpu; /* the vCPU every call of the next seed is made on */

static void seed(const char *dir, const char *name, uint8_t setup, int ncalls,
                 const struct cl_hcall *calls, const char *const *payloads)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot write a seed");
    fputc(setup, f);
    for (int i = 0; i < ncalls; i++) {
        const char *p = payloads && payloads[i] ? payloads[i] : "";
        size_t n = strlen(p);
        fputc((int)seed_vcpu, f);
        fwrite(&calls[i], sizeof(calls[i]), 1, f);
        fputc((int)(n & 0xff), f);
        fputc((int)(n >> 8), f);
        fwrite(p, 1, n, f);
    }
    fclose(f);
}

#define CALL(...) ((struct cl_hcall){__VA_ARGS__})
#define ONE(name, setup, payload, ...)                                                             \
    seed(dir, name, setup, 1, &CALL(__VA_ARGS__), (const char *const[]){payload})

static void write_seeds(const char *dir)
{
    ONE("exit", 0, NULL, .nr = CL_HC_EXIT, .args = {42});
    ONE("killed-segv", 0, NULL, .nr = CL_HC_KILLED,
        .args = {11, 14, 4, 0x401000, 0xdead, CL_FAULT_HAS_ADDR | CL_FAULT_WRITE});
    ONE("killed-raised", 0, NULL, .nr = CL_HC_KILLED, .args = {6, CL_KILLED_NO_VECTOR});
    ONE("panic", 0, "something broke\n", .nr = CL_HC_PANIC, .args = {16});
    ONE("log", 0, "[shim] a line\n", .nr = CL_HC_LOG, .args = {14});
    ONE("fd-write", 0, "hello\n", .nr = CL_HC_FD_WRITE, .args = {1, 6, (uint64_t)-1});
    ONE("fd-write-bad-fd", 0, "x", .nr = CL_HC_FD_WRITE, .args = {3, 1, (uint64_t)-1});
    ONE("fd-pwrite", 0, "at 8", .nr = CL_HC_FD_WRITE, .args = {2, 4, 8});
    ONE("fd-read", 0, NULL, .nr = CL_HC_FD_READ, .args = {0, 4096, (uint64_t)-1});
    ONE("fd-read-too-long", 0, NULL, .nr = CL_HC_FD_READ, .args = {0, CL_HC_DATA_SIZE + 1});
    ONE("fd-ioctl-tcgets", 0, NULL, .nr = CL_HC_FD_IOCTL, .args = {0, TCGETS});
    ONE("fd-ioctl-winsz", 0, NULL, .nr = CL_HC_FD_IOCTL, .args = {1, TIOCGWINSZ});
    ONE("fd-stat", 0, NULL, .nr = CL_HC_FD_STAT, .args = {2});
    ONE("sleep", 0, NULL, .nr = CL_HC_SLEEP, .args = {5000000000ull});
    ONE("mark", 0, NULL, .nr = CL_HC_MARK, .args = {CL_MARK_SHIM_START});
    ONE("attest-no-tee", 0, NULL, .nr = CL_HC_ATTEST, .args = {0, 1});
    ONE("attest-no-chip", 1, NULL, .nr = CL_HC_ATTEST, .args = {0, 1});
    ONE("attest", 2, "report data, 64 bytes of it at most", .nr = CL_HC_ATTEST, .args = {0, 1});
    ONE("attest-vmpl-4", 2, NULL, .nr = CL_HC_ATTEST, .args = {4, 0});
    ONE("net-connect", 4 | 8, NULL, .nr = CL_HC_NET_CONNECT, .args = {0});
    ONE("net-connect-bad-spec", 4 | 8, NULL, .nr = CL_HC_NET_CONNECT, .args = {2});
    ONE("net-send", 16 | 32, "GET / HTTP/1.1\r\n\r\n", .nr = CL_HC_NET_SEND, .args = {0, 18});
    ONE("net-recv", 16 | 32, NULL, .nr = CL_HC_NET_RECV, .args = {1, 4096});
    ONE("net-close", 16, NULL, .nr = CL_HC_NET_CLOSE, .args = {0});
    ONE("fd-seek", 0, NULL, .nr = CL_HC_FD_SEEK, .args = {0, 0, SEEK_END});
    ONE("unknown-0", 0, NULL, .nr = 0);
    ONE("unknown-max", 0, NULL, .nr = CL_HC_NR_MAX);
    /* a session as the shim's secret fetching makes it, on two vCPUs */
    const struct cl_hcall session[] = {
        CALL(.nr = CL_HC_MARK, .args = {CL_MARK_SHIM_START}),
        CALL(.nr = CL_HC_ATTEST, .args = {0, 1}),
        CALL(.nr = CL_HC_NET_CONNECT, .args = {1}),
        CALL(.nr = CL_HC_NET_SEND, .args = {0, 4}),
        CALL(.nr = CL_HC_NET_RECV, .args = {0, 100}),
        CALL(.nr = CL_HC_NET_CLOSE, .args = {0}),
        CALL(.nr = CL_HC_FD_WRITE, .args = {1, 3, (uint64_t)-1}),
        CALL(.nr = CL_HC_EXIT, .args = {0}),
    };
    const char *const texts[] = {NULL, "nonce", NULL, "POST", NULL, NULL, "ok\n", NULL};
    seed(dir, "session", 2 | 4 | 8 | 16 | 32, 8, session, texts);
    /* vCPU 1's block, and vCPU 3's, whose bounce buffer is past the end of memory */
    seed_vcpu = 1;
    ONE("vcpu-1-write", 0, "one\n", .nr = CL_HC_FD_WRITE, .args = {1, 4, (uint64_t)-1});
    seed_vcpu = 3;
    ONE("vcpu-3-outside", 0, NULL, .nr = CL_HC_MARK, .args = {CL_MARK_USER_START});
}
