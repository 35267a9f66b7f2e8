/* vCPU set-up and the run loop. */
#include "vmm/vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "launch/gpa_width.h"
#include "vmm/hypercall.h"

#define MSR_IA32_TSC    0x10
#define MSR_IA32_CR_PAT 0x277

/* XCR0 components a workload may use: x87, SSE, AVX, and the three of AVX-512 */
#define XCR0_USER_MASK 0xe7ull
#define XCR0_AVX       0x4ull
#define XCR0_AVX512    0xe0ull

/* The CPUID KVM supports: the table every vCPU gets, the guests' address width and the
 * XCR0 the shim will set all come from it. Asked once per VM (the table is a few KiB and
 * the ioctl may be retried with a larger buffer); vm_destroy frees it. */
static const struct kvm_cpuid2 *supported_cpuid(struct vm *vm)
{
    for (unsigned n = 256; !vm->cpuid && n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
        if (!c)
            return NULL;
        c->nent = n;
        if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            vm->cpuid = c;
            break;
        }
        free(c);
        if (errno != E2BIG)
            return NULL;
    }
    return vm->cpuid;
}

/*
 * What vCPU id is told: KVM's supported table, plus what KVM implements but leaves
 * for the VMM to announce (QEMU does the same): the TSC-deadline timer of the
 * in-kernel local APIC, and the vCPU's own APIC ID in leaves 1 and 0xB.
 */
static struct kvm_cpuid2 *cpuid_for_vcpu(struct vm *vm, unsigned id)
{
    const struct kvm_cpuid2 *sup = supported_cpuid(vm);
    if (!sup)
        return NULL;
    size_t size = sizeof(*sup) + sup->nent * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *c = malloc(size);
    if (!c)
        return NULL;
    memcpy(c, sup, size);
    bool deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
    for (unsigned i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == 1) {
            e->ebx = (e->ebx & 0x00ffffffu) | (id << 24);
            if (deadline)
                e->ecx |= 1u << 24;
        } else if (e->function == 0xb || e->function == 0x1f) {
            e->edx = id;
        }
    }
    return c;
}

/* The XCR0 the shim sets on hardware (hw_only_enable_user_fpu_state, src/shim/arch/x86/arch.c),
 * by the same rule: the user-state components KVM offers, AVX-512 whole and only with
 * AVX. */
static uint64_t supported_user_xcr0(struct vm *vm)
{
    const struct kvm_cpuid2 *c = supported_cpuid(vm);
    uint64_t xcr0 = 0x3;
    if (!c)
        return xcr0;
    for (unsigned i = 0; i < c->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == 0xd && e->index == 0)
            xcr0 = ((uint64_t)e->edx << 32 | e->eax) & XCR0_USER_MASK;
    }
    if ((xcr0 & XCR0_AVX512) != XCR0_AVX512 || !(xcr0 & XCR0_AVX))
        xcr0 &= ~XCR0_AVX512;
    return xcr0 | 0x3;
}

unsigned vcpu_supported_gpa_bits(struct vm *vm, bool snp)
{
    const struct kvm_cpuid2 *c = supported_cpuid(vm);
    if (!c)
        return 0;
    uint32_t eax = 0, ebx = 0;
    for (unsigned i = 0; i < c->nent; i++) {
        if (c->entries[i].function == 0x80000008)
            eax = c->entries[i].eax;
        else if (c->entries[i].function == 0x8000001f)
            ebx = c->entries[i].ebx;
    }
    return gpa_width_from_cpuid(eax, snp, ebx);
}

int vcpu_set_user_xcr0(struct vcpu *v)
{
    struct kvm_xcrs x = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = supported_user_xcr0(v->vm)}}};
    if (ioctl(v->fd, KVM_SET_XCRS, &x) < 0)
        return vm_fail(v->vm, "KVM: ioctl (SET_XCRS) failed: %s", strerror(errno));
    return 0;
}

static void to_kvm_segment(struct kvm_segment *k, const struct cl_segment *s)
{
    memset(k, 0, sizeof(*k));
    k->base = s->base;
    k->limit = s->limit;
    k->selector = s->selector;
    k->type = s->attrib & 0xf;
    k->s = (s->attrib >> 4) & 1;
    k->dpl = (s->attrib >> 5) & 3;
    k->present = (s->attrib >> 7) & 1;
    k->avl = (s->attrib >> 8) & 1;
    k->l = (s->attrib >> 9) & 1;
    k->db = (s->attrib >> 10) & 1;
    k->g = (s->attrib >> 11) & 1;
    k->unusable = !k->present;
}

static int set_state(struct vcpu *v, const struct cl_vcpu_init *s)
{
    struct vm *vm = v->vm;
    struct kvm_sregs sr;
    if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
        return vm_fail(vm, "KVM: ioctl (GET_SREGS) failed: %s", strerror(errno));
    to_kvm_segment(&sr.cs, &s->cs);
    to_kvm_segment(&sr.ds, &s->ds);
    to_kvm_segment(&sr.es, &s->es);
    to_kvm_segment(&sr.fs, &s->fs);
    to_kvm_segment(&sr.gs, &s->gs);
    to_kvm_segment(&sr.ss, &s->ss);
    to_kvm_segment(&sr.tr, &s->tr);
    to_kvm_segment(&sr.ldt, &s->ldtr);
    sr.gdt.base = s->gdtr.base;
    sr.gdt.limit = s->gdtr.limit;
    sr.idt.base = s->idtr.base;
    sr.idt.limit = s->idtr.limit;
    sr.cr0 = s->cr0;
    sr.cr3 = s->cr3;
    sr.cr4 = s->cr4;
    sr.efer = s->efer;
    if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_SREGS) failed: %s", strerror(errno));

    struct kvm_regs r = {
        .rax = s->rax,
        .rbx = s->rbx,
        .rcx = s->rcx,
        .rdx = s->rdx,
        .rsi = s->rsi,
        .rdi = s->rdi,
        .rsp = s->rsp,
        .rbp = s->rbp,
        .r8 = s->r8,
        .r9 = s->r9,
        .r10 = s->r10,
        .r11 = s->r11,
        .r12 = s->r12,
        .r13 = s->r13,
        .r14 = s->r14,
        .r15 = s->r15,
        .rip = s->rip,
        .rflags = s->rflags,
    };
    if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_REGS) failed: %s", strerror(errno));

    struct kvm_xcrs x = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = s->xcr0}}};
    if (ioctl(v->fd, KVM_SET_XCRS, &x) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_XCRS) failed: %s", strerror(errno));

    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[1];
    } m = {.h = {.nmsrs = 1}, .e = {{.index = MSR_IA32_CR_PAT, .data = s->pat}}};
    if (ioctl(v->fd, KVM_SET_MSRS, &m) != 1)
        return vm_fail(vm, "KVM: ioctl (SET_MSRS) failed");
    return 0;
}

int vcpu_create(struct vm *vm, unsigned id, const struct cl_vcpu_init *s)
{
    struct vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        return vm_fail(vm, "out of memory");
    v->vm = vm;
    v->id = id;
    v->fd = -1;
    v->kick_fd = -1;
    vm->vcpus[id] = v;
    if (vm->nr_vcpus <= id)
        vm->nr_vcpus = id + 1;

    v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
    if (v->fd < 0)
        return vm_fail(vm, "KVM: ioctl (CREATE_VCPU) failed: %s", strerror(errno));
    int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size <= 0)
        return vm_fail(vm, "KVM: ioctl (GET_VCPU_MMAP_SIZE) failed");
    v->run_size = (size_t)size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED) {
        v->run = NULL;
        return vm_fail(vm, "cannot map the vCPU's run area: %s", strerror(errno));
    }
    struct kvm_cpuid2 *c = cpuid_for_vcpu(vm, id);
    if (!c)
        return vm_fail(vm, "KVM: ioctl (GET_SUPPORTED_CPUID) failed");
    int rc = ioctl(v->fd, KVM_SET_CPUID2, c);
    free(c);
    if (rc < 0)
        return vm_fail(vm, "KVM: ioctl (SET_CPUID2) failed: %s", strerror(errno));
    return set_state(v, s);
}

static void from_kvm_segment(struct cl_segment *s, const struct kvm_segment *k)
{
    s->base = k->base;
    s->limit = k->limit;
    s->selector = k->selector;
    s->attrib = (uint16_t)(k->type | k->s << 4 | k->dpl << 5 | k->present << 7 | k->avl << 8 |
                           k->l << 9 | k->db << 10 | k->g << 11);
}

int vcpu_read_state(struct vcpu *v, struct cl_vcpu_init *s)
{
    struct kvm_sregs sr;
    struct kvm_regs r;
    struct kvm_xcrs x;
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[1];
    } m = {.h = {.nmsrs = 1}, .e = {{.index = MSR_IA32_CR_PAT}}};
    if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0 || ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(v->fd, KVM_GET_XCRS, &x) < 0 || ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
        return -1;
    memset(s, 0, sizeof(*s));
    from_kvm_segment(&s->cs, &sr.cs);
    from_kvm_segment(&s->ds, &sr.ds);
    from_kvm_segment(&s->es, &sr.es);
    from_kvm_segment(&s->fs, &sr.fs);
    from_kvm_segment(&s->gs, &sr.gs);
    from_kvm_segment(&s->ss, &sr.ss);
    from_kvm_segment(&s->tr, &sr.tr);
    from_kvm_segment(&s->ldtr, &sr.ldt);
    s->gdtr = (struct cl_dtable){sr.gdt.base, sr.gdt.limit};
    s->idtr = (struct cl_dtable){sr.idt.base, sr.idt.limit};
    s->cr0 = sr.cr0;
    s->cr3 = sr.cr3;
    s->cr4 = sr.cr4;
    s->efer = sr.efer;
    s->rax = r.rax, s->rbx = r.rbx, s->rcx = r.rcx, s->rdx = r.rdx;
    s->rsi = r.rsi, s->rdi = r.rdi, s->rsp = r.rsp, s->rbp = r.rbp;
    s->r8 = r.r8, s->r9 = r.r9, s->r10 = r.r10, s->r11 = r.r11;
    s->r12 = r.r12, s->r13 = r.r13, s->r14 = r.r14, s->r15 = r.r15;
    s->rip = r.rip;
    s->rflags = r.rflags;
    for (unsigned i = 0; i < x.nr_xcrs; i++)
        if (x.xcrs[i].xcr == 0)
            s->xcr0 = x.xcrs[i].value;
    s->pat = m.e[0].data;
    /* not in KVM's sregs: the debug registers keep their reset values */
    s->dr6 = 0xffff0ff0;
    s->dr7 = 0x400;
    return 0;
}

int vcpu_tsc(struct vcpu *v, uint64_t *hz, uint64_t *tsc)
{
    int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0)
        return vm_fail(v->vm, "KVM: ioctl (GET_TSC_KHZ) failed");
    *hz = (uint64_t)khz * 1000;
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[1];
    } m = {.h = {.nmsrs = 1}, .e = {{.index = MSR_IA32_TSC}}};
    if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
        return vm_fail(v->vm, "KVM: ioctl (GET_MSRS, TSC) failed");
    *tsc = m.e[0].data;
    return 0;
}

static uint64_t guest_rip(struct vcpu *v)
{
    struct kvm_regs r;
    return ioctl(v->fd, KVM_GET_REGS, &r) == 0 ? r.rip : 0;
}

int vcpu_run(struct vcpu *v)
{
    struct vm *vm = v->vm;
    struct kvm_run *run = v->run;
    while (!vm->done) {
        if (vm_stopping(vm))
            return vm_fail_timeout(vm);
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return vm_fail(vm, "KVM: ioctl (RUN) failed: %s", strerror(errno));
        }
        vm->stats.exits++;
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != CL_HC_PORT)
                return vm_fail(vm, "guest used I/O port 0x%x, which is not ours", run->io.port);
            if (hypercall(v) < 0)
                return -1;
            break;
        case KVM_EXIT_MMIO:
            if (!run->mmio.is_write || run->mmio.phys_addr != CL_GPA_DOORBELL)
                return vm_fail(vm, "guest accessed unbacked memory at 0x%llx (rip 0x%llx)",
                               (unsigned long long)run->mmio.phys_addr,
                               (unsigned long long)guest_rip(v));
            if (hypercall(v) < 0)
                return -1;
            break;
        case KVM_EXIT_HLT:
            return vm_fail(vm, "the shim halted unexpectedly (rip 0x%llx)",
                           (unsigned long long)guest_rip(v));
        case KVM_EXIT_SHUTDOWN:
            return vm_fail(vm, "the guest shut down: triple fault (rip 0x%llx)",
                           (unsigned long long)guest_rip(v));
        case KVM_EXIT_FAIL_ENTRY:
            return vm_fail(vm, "KVM could not enter the guest (reason 0x%llx)",
                           (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        case KVM_EXIT_INTERNAL_ERROR:
            return vm_fail(vm,
                           "KVM internal error %u at rip 0x%llx (on PVM: an instruction "
                           "its ring-0 emulator lacks)",
                           run->internal.suberror, (unsigned long long)guest_rip(v));
        default:
            return vm_fail(vm, "unexpected KVM exit reason %u", run->exit_reason);
        }
    }
    return 0;
}
