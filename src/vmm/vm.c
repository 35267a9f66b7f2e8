/* KVM VM creation, guest memory and the checked accessor to it. */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int vm_fail(struct vm *vm, const char *fmt, ...)
{
    if (vm->err && vm->err_size && !vm->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(vm->err, vm->err_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int vm_fail_timeout(struct vm *vm)
{
    if (atomic_load(&vm->interrupted))
        return vm_fail(vm, "interrupted by a second SIGINT: the workload was stopped");
    return vm_fail(vm, "the workload ran past --timeout %g s and was stopped",
                   vm->timeout_ms / 1000.0);
}

int vm_open_kvm(struct vm *vm)
{
    vm->kvm_fd = vm->vm_fd = -1;
    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0 && (errno == ENOENT || errno == ENODEV || errno == ENXIO))
        return vm_fail(vm,
                       "cannot open /dev/kvm: %s (this machine has no KVM; without it, Cloister "
                       "runs in a nested QEMU machine: tests/nested/vm, docs/testing.md)",
                       strerror(errno));
    if (vm->kvm_fd < 0)
        return vm_fail(vm, "cannot open /dev/kvm: %s (may this user use it? the kvm group can)",
                       strerror(errno));
    int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION)
        return vm_fail(vm, "KVM API version %d, expected %d", api, KVM_API_VERSION);
    if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0)
        return vm_fail(vm, "KVM lacks read-only memory slots (KVM_CAP_READONLY_MEM)");
    return 0;
}

int vm_create(struct vm *vm, uint64_t mem_size)
{
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0)
        return vm_fail(vm, "KVM: ioctl (CREATE_VM) failed: %s", strerror(errno));
    /* The local APICs in the kernel, before any vCPU: the shim's timer interrupts and
     * halted vCPUs never leave KVM (docs/architecture.md, "The guest-physical map", says
     * what this means for the page at 0xfee00000). */
    if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
        return vm_fail(vm, "KVM: ioctl (CREATE_IRQCHIP) failed: %s", strerror(errno));
    vm->stats.vm_created = now_ns();

    /* Lazily backed: an idle VM costs only the pages the guest touches. */
    vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->mem == MAP_FAILED) {
        vm->mem = NULL;
        return vm_fail(vm, "cannot reserve %llu MiB of guest memory: %s",
                       (unsigned long long)(mem_size >> 20), strerror(errno));
    }
    vm->mem_size = mem_size;
    /* RAM in one slot, or two around the APIC's page (CL_GPA_APIC_PAGE) when it reaches
     * that far; the host mapping stays one piece, so gpa_ptr needs no second look */
    uint64_t below = mem_size > CL_GPA_APIC_PAGE ? CL_GPA_APIC_PAGE : mem_size;
    struct kvm_userspace_memory_region r = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = below,
        .userspace_addr = (uint64_t)(uintptr_t)vm->mem,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_USER_MEMORY_REGION) failed: %s", strerror(errno));
    uint64_t above = CL_GPA_APIC_PAGE + CL_PAGE_SIZE;
    if (mem_size > above) {
        r = (struct kvm_userspace_memory_region){
            .slot = 2,
            .guest_phys_addr = above,
            .memory_size = mem_size - above,
            .userspace_addr = (uint64_t)(uintptr_t)(vm->mem + above),
        };
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
            return vm_fail(vm, "KVM: ioctl (SET_USER_MEMORY_REGION) failed: %s", strerror(errno));
    }
    return 0;
}

int vm_map_readonly(struct vm *vm, uint64_t gpa, const void *host, uint64_t size)
{
    struct kvm_userspace_memory_region r = {
        .slot = 1,
        .flags = KVM_MEM_READONLY,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_USER_MEMORY_REGION, read-only) failed: %s",
                       strerror(errno));
    return 0;
}

void vm_destroy(struct vm *vm)
{
    for (int i = 0; i < VM_MAX_NET; i++)
        if (vm->net_fds[i] >= 0)
            close(vm->net_fds[i]);
    if (vm->net_log)
        fclose(vm->net_log);
    for (size_t i = 0; vm->broker_ai && i < vm->nsecrets; i++)
        if (vm->broker_ai[i])
            freeaddrinfo(vm->broker_ai[i]);
    free(vm->broker_ai);
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = vm->vcpus[i];
        if (!v)
            continue;
        if (v->run)
            munmap(v->run, v->run_size);
        if (v->fd >= 0)
            close(v->fd);
        if (v->kick_fd >= 0)
            close(v->kick_fd);
        free(v);
    }
    if (vm->mem)
        munmap(vm->mem, vm->mem_size);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    free(vm->cpuid);
}

void *gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len)
{
    /* both bounds: gpa + len may wrap */
    if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
        return NULL;
    return vm->mem + gpa;
}
