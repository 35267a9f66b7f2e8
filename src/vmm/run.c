/*
 * cloister_run: one workload, one VM, start to finish.
 *
 *   open the program -> create the VM and its memory -> lay out shim, page tables,
 *   boot info -> create the vCPU -> run until the workload exits -> tear down.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cloister/cloister.h>

#include "image/vcpu_init.h"
#include "vmm/boot_layout.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct program {
    int fd;
    void *map;
    uint64_t size, mapped;
};

static int open_program(struct vm *vm, const char *path, struct program *p)
{
    p->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (p->fd < 0)
        return vm_fail(vm, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(p->fd, &st) < 0)
        return vm_fail(vm, "cannot stat %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return vm_fail(vm, "%s is not a regular file", path);
    if (st.st_size == 0)
        return vm_fail(vm, "%s is empty", path);
    if ((uint64_t)st.st_size > CL_FILES_MAX_SIZE)
        return vm_fail(vm, "%s is too large", path);
    p->size = (uint64_t)st.st_size;
    p->mapped = (p->size + CL_PAGE_SIZE - 1) & ~(CL_PAGE_SIZE - 1);
    /* mapped read-only and shared with the page cache: the guest reads it in place */
    p->map = mmap(NULL, p->mapped, PROT_READ, MAP_PRIVATE, p->fd, 0);
    if (p->map == MAP_FAILED) {
        p->map = NULL;
        return vm_fail(vm, "cannot map %s: %s", path, strerror(errno));
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void print_stats(const struct vm *vm)
{
    const struct vm_stats *s = &vm->stats;
    double ms = 1e-6;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr,
            "cloister: stats: vm create %.3f ms, memory and layout %.3f ms, vcpu %.3f ms, "
            "shim start %.3f ms, first user instruction %.3f ms, total %.3f ms; "
            "%llu exits, %llu hypercalls, peak RSS %ld KiB\n",
            (s->vm_created - s->start) * ms, (s->memory_ready - s->vm_created) * ms,
            (s->vcpus_ready - s->memory_ready) * ms,
            s->shim_start ? (s->shim_start - s->start) * ms : 0.0,
            s->user_start ? (s->user_start - s->start) * ms : 0.0, (s->end - s->start) * ms,
            (unsigned long long)s->exits, (unsigned long long)s->hypercalls, ru.ru_maxrss);
}

static int run_vm(struct vm *vm, const struct cloister_run_options *o, struct program *prog)
{
    uint64_t mem = o->mem_size ? o->mem_size : CLOISTER_DEFAULT_MEM;
    if (mem < CL_GPA_RAM_MIN_END || mem > CL_MEM_MAX || mem % CL_LARGE_PAGE)
        return vm_fail(vm, "memory size must be a multiple of 2 MiB between %llu MiB and %llu GiB",
                       (unsigned long long)(CL_GPA_RAM_MIN_END >> 20),
                       (unsigned long long)(CL_MEM_MAX >> 30));
    if (open_program(vm, o->program, prog) < 0)
        return -1;
    if (vm_create(vm, mem) < 0)
        return -1;
    vm->files = prog->map;
    vm->files_size = prog->mapped;
    if (vm_map_readonly(vm, CL_GPA_FILES, prog->map, prog->mapped) < 0)
        return -1;

    uint64_t entry, cr3;
    if (load_shim(vm, &entry) < 0 || build_page_tables(vm, &cr3) < 0)
        return -1;
    struct cl_boot_info *bi = gpa_ptr(vm, CL_GPA_BOOT_INFO, sizeof(*bi));
    memset(bi, 0, sizeof(*bi));
    bi->magic = CL_BOOT_MAGIC;
    bi->abi_version = CL_ABI_VERSION;
    bi->mem_size = mem;
    bi->nr_vcpus = 1;
    bi->flags = ((o->flags & CLOISTER_TRACE) ? CL_BOOT_TRACE : 0) |
                ((o->flags & CLOISTER_STATS) ? CL_BOOT_STATS : 0);
    bi->files_gpa = CL_GPA_FILES;
    bi->files_size = prog->mapped;
    bi->entry_offset = 0;
    bi->entry_size = prog->size;
    snprintf(bi->entry_path, sizeof(bi->entry_path), "/%s", base_name(o->program));
    for (int fd = 0; fd < 3; fd++) {
        int fl = fcntl(fd, F_GETFL);
        bi->stdio_flags[fd] = (fl < 0 ? 0 : (uint32_t)fl & CL_STDIO_FL_MASK) |
                              (isatty(fd) ? CL_STDIO_TTY : 0);
    }
    if (write_args(vm, bi, o->argc, o->argv, o->envc, o->envp) < 0)
        return -1;
    vm->stats.memory_ready = now_ns();

    struct cl_vcpu_init init;
    cl_vcpu_init_boot(&init, entry, cr3, vcpu_supported_xcr0(vm));
    if (vcpu_create(vm, 0, &init) < 0)
        return -1;
    uint64_t hz, tsc;
    if (vcpu_tsc(vm->vcpus[0], &hz, &tsc) < 0)
        return -1;
    struct timespec rt, mono;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    bi->tsc_hz = hz;
    bi->boot_tsc = tsc;
    bi->boot_realtime_ns = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec;
    bi->boot_monotonic_ns = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
    vm->stats.vcpus_ready = now_ns();

    return vcpu_run(vm->vcpus[0]);
}

int cloister_run(const struct cloister_run_options *o, char *err, size_t err_size)
{
    struct vm vm;
    memset(&vm, 0, sizeof(vm));
    vm.kvm_fd = vm.vm_fd = -1;
    vm.err = err;
    vm.err_size = err_size;
    vm.flags = o->flags;
    if (err_size)
        err[0] = 0;
    vm.stats.start = now_ns();
    /* a closed pipe is the workload's EPIPE to handle, not our death */
    signal(SIGPIPE, SIG_IGN);

    struct program prog = {.fd = -1};
    int rc = run_vm(&vm, o, &prog);
    vm.stats.end = now_ns();
    if (rc == 0 && (o->flags & CLOISTER_STATS))
        print_stats(&vm);
    vm_destroy(&vm);
    if (prog.map)
        munmap(prog.map, prog.mapped);
    if (prog.fd >= 0)
        close(prog.fd);
    return rc < 0 ? CLOISTER_FAILED : vm.exit_status;
}
