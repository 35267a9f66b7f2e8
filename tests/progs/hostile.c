/*
 * Hostile pointers and descriptors passed to system calls: each call must fail with
 * -1 and the errno Linux gives (EFAULT, EBADF), and the program must go on running.
 * Raw syscall() is used where the C library would look at the pointer itself (or use
 * the vDSO). The harness gives this program a few bytes on stdin for the read cases.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PAGE   4096
#define KERNEL ((void *)0xffff800000000000ul)
#define SHIM   ((void *)0xffffffff80000000ul)

static const char *err(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EFAULT:
        return "EFAULT";
    case EBADF:
        return "EBADF";
    case EINVAL:
        return "EINVAL";
    case ENOSYS:
        return "ENOSYS";
    case ENOMEM:
        return "ENOMEM";
    case ESPIPE:
        return "ESPIPE";
    default:
        return "other";
    }
}

static void show(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? err(errno) : "");
    fflush(stdout);
}

#define TRY(what, call)                                                                            \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(call);                                                                    \
        show(what, r_);                                                                            \
    } while (0)

int main(void)
{
    char *rw = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rw == MAP_FAILED)
        return 1;
    char *ro = rw + PAGE, *gone = rw + 2 * PAGE;
    mprotect(ro, PAGE, PROT_READ);
    munmap(gone, PAGE);
    char *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    TRY("write(1, kernel address 0xffff800000000000, 10)", write(1, KERNEL, 10));
    TRY("write(1, shim address 0xffffffff80000000, 10)", write(1, SHIM, 10));
    TRY("write(1, unmapped page, 10)", write(1, gone, 10));
    TRY("write(1, PROT_NONE page, 10)", write(1, none, 10));
    TRY("write(1, 0xfffffffffffff000, 8192) (wraps around)",
        syscall(SYS_write, 1, (void *)-4096l, 8192));
    TRY("write(1, last user page, 8192) (runs past user space)",
        syscall(SYS_write, 1, (void *)0x7ffffffff000ul, 8192));
    TRY("write(1, NULL, 0)", write(1, NULL, 0));
    TRY("read(0, read-only page, 10)", read(0, ro, 10));
    TRY("read(0, kernel address, 10)", read(0, KERNEL, 10));
    TRY("read(0, unmapped page, 10)", read(0, gone, 10));
    struct iovec bad_iov[2] = {{rw, 1}, {KERNEL, 10}};
    TRY("writev(1, iov with a kernel address, 2)", writev(1, bad_iov, 2));
    TRY("writev(1, iov array at a kernel address, 2)", writev(1, KERNEL, 2));
    TRY("writev(1, iov array in an unmapped page, 1)", writev(1, (void *)gone, 1));
    TRY("uname(kernel address)", syscall(SYS_uname, KERNEL));
    TRY("clock_gettime(MONOTONIC, kernel address)",
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KERNEL));
    TRY("clock_gettime(MONOTONIC, read-only page)",
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro));
    TRY("gettimeofday(unmapped page)", syscall(SYS_gettimeofday, gone, NULL));
    TRY("getrandom(kernel address, 16)", syscall(SYS_getrandom, KERNEL, 16, 0));
    TRY("getrandom(read-only page, 16)", syscall(SYS_getrandom, ro, 16, 0));
    TRY("nanosleep(kernel address)", syscall(SYS_nanosleep, KERNEL, NULL));
    TRY("readlink(kernel address path)", syscall(SYS_readlink, KERNEL, rw, 100));
    TRY("readlink(\"/proc/self/exe\", kernel buffer)",
        syscall(SYS_readlink, "/proc/self/exe", KERNEL, 100));
    TRY("fstat(1, kernel address)", syscall(SYS_fstat, 1, KERNEL));
    TRY("write(4000, buffer, 1)", write(4000, rw, 1));
    TRY("write(-1, buffer, 1)", write(-1, rw, 1));
    TRY("read(4000, buffer, 1)", read(4000, rw, 1));
    TRY("close(4000)", close(4000));
    TRY("fstat(4000)", syscall(SYS_fstat, 4000, rw));
    printf("still running\n");
    return 0;
}
