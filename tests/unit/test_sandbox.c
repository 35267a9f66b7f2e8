/*
 * Unit tests for the monitor's seccomp filter (src/vmm/sandbox.c): in a child process,
 * so the test program itself stays free, the calls the run loop makes still work and
 * a call outside the list kills the child with SIGSYS. The VM runs of the suite are
 * the proof that the list is complete; these check that it is closed.
 */
#include "unit.h"
#include "vmm/sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

enum { ALLOWED, OPEN, EXEC_MAP, RAW_SOCKET, BIND, UNIX_SOCKET, OTHER_IOCTL, FORK };

/* The child's status after confining itself and doing `what`. */
static int sandboxed(int what)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct vm vm;
        char err[256];
        memset(&vm, 0, sizeof(vm));
        vm.err = err;
        vm.err_size = sizeof(err);
        struct vcpu v = {.vm = &vm, .fd = -1};
        if (sandbox_enter(&vm, &v) < 0)
            _exit(125);
        unsigned char b[16];
        struct winsize ws;
        int s;
        switch (what) {
        case ALLOWED:
            s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (getrandom(b, sizeof(b), 0) != sizeof(b) || fcntl(1, F_GETFL) < 0 || s < 0 ||
                close(s) < 0 || write(2, "", 0) < 0)
                _exit(1);
            /* the workload's UDP sockets (hc_sock.c) */
            s = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (s < 0 || close(s) < 0)
                _exit(1);
            ioctl(0, TIOCGWINSZ, &ws); /* ENOTTY is fine: it ran */
            free(malloc(1 << 20));
            _exit(0);
        case OPEN:
            open("/dev/null", O_RDONLY);
            break;
        case EXEC_MAP:
            mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            break;
        case RAW_SOCKET:
            socket(AF_INET, SOCK_RAW, 1);
            break;
        case BIND: { /* published ports are bound before the sandbox, nothing after */
            struct sockaddr_in a = {.sin_family = AF_INET};
            bind(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&a, sizeof(a));
            break;
        }
        case UNIX_SOCKET:
            socket(AF_UNIX, SOCK_STREAM, 0);
            break;
        case OTHER_IOCTL:
            ioctl(0, TIOCSTI, "x");
            break;
        case FORK:
            fork();
            break;
        }
        _exit(2); /* not reached when the filter works */
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

static void check_killed(int what)
{
    int st = sandboxed(what);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

static void test_allowed_calls_work(void)
{
    int st = sandboxed(ALLOWED);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_open_kills(void)
{
    check_killed(OPEN);
}

static void test_executable_mapping_kills(void)
{
    check_killed(EXEC_MAP);
}

static void test_raw_socket_kills(void)
{
    check_killed(RAW_SOCKET);
}

static void test_bind_kills(void)
{
    check_killed(BIND);
}

static void test_local_socket_kills(void)
{
    check_killed(UNIX_SOCKET);
}

static void test_other_ioctl_kills(void)
{
    check_killed(OTHER_IOCTL);
}

static void test_fork_kills(void)
{
    check_killed(FORK);
}

int main(void)
{
    RUN(allowed_calls_work);
    RUN(open_kills);
    RUN(executable_mapping_kills);
    RUN(raw_socket_kills);
    RUN(bind_kills);
    RUN(local_socket_kills);
    RUN(other_ioctl_kills);
    RUN(fork_kills);
    UNIT_EXIT();
}
