/*
 * cloister_run: one workload, one VM, start to finish.
 *
 *   open the image (or seal a bare program into a temporary one) -> make the launch
 *   plan -> create the VM -> map the image, execute the plan -> (sim) measure what was
 *   loaded -> boot info -> sandbox -> run until the workload exits -> tear down.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cloister/cloister.h>

#include "image/cwi_read.h"
#include "launch/gpa_width.h"
#include "launch/launch_plan.h"
#include "vmm/hypercall.h"
#include "vmm/iago.h"
#include "vmm/launch.h"
#include "vmm/sandbox.h"
#include "vmm/sim_tee.h"
#include "vmm/vcpus.h"
#include "simtee/sim_report.h"
#include "seal/seal.h"
#include "vmm/host_events.h"
#include "vmm/host_signals.h"
#include "vmm/supervise.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/net_policy.h"
#include "image/net_decl.h"

/*
 * A bare program becomes an image in memory, sealed as `cloister build` seals one, with
 * what a dynamically linked program loads: one way to run everything.
 */
static int seal_program(struct vm *vm, const struct cloister_run_options *o, struct cwi_image *img)
{
    struct cl_manifest m;
    manifest_init(&m);
    m.argv = (char **)o->argv;
    m.argc = (size_t)o->argc;
    m.envp = (char **)o->envp;
    m.envc = (size_t)o->envc;
    if (o->mem_size)
        m.mem_size = o->mem_size;
    if (o->cpus)
        m.vcpus = o->cpus;
    if (o->max_processes)
        m.max_processes = o->max_processes;
    for (int k = 0; k < o->nlisten + o->nconnect; k++) {
        bool listen = k < o->nlisten;
        const char *text = listen ? o->listen[k] : o->connect[k - o->nlisten];
        struct cwi_net_decl d;
        const char *why = net_decl_parse(text, listen, &d);
        if (why || manifest_add_net(&m, listen, &d)) {
            free(m.listen);
            free(m.connect);
            return vm_fail(vm, "--%s '%s' %s", listen ? "listen" : "connect", text,
                           why ? why : "out of memory");
        }
    }
    struct file_tree t;
    file_tree_init(&t);
    char *notes = NULL;
    size_t notes_size = 0;
    FILE *notes_out = open_memstream(&notes, &notes_size);
    int fd = memfd_create("cloister-image", MFD_CLOEXEC);
    int rc = -1;
    if (!notes_out || !(m.entry = seal_default_dst(o->program)))
        vm_fail(vm, "out of memory");
    else if (fd < 0)
        vm_fail(vm, "memfd_create: %s", strerror(errno));
    else if (seal_add_program(&t, o->program, m.entry, notes_out, vm->err, vm->err_size) == 0) {
        fclose(notes_out);
        notes_out = NULL;
        rc = seal_write(fd, &m, &t, notes_size ? notes : NULL, NULL, img, NULL, vm->err,
                        vm->err_size);
    }
    if (notes_out)
        fclose(notes_out);
    free(notes);
    free(m.entry);
    free(m.listen);
    free(m.connect);
    if (fd >= 0)
        close(fd);
    file_tree_free(&t);
    return rc;
}

static void print_stats(const struct vm *vm, const struct snp_digest *measured)
{
    const struct vm_stats *s = &vm->stats;
    double ms = 1e-6;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr,
            "cloister: stats: image %.3f ms, vm create %.3f ms, memory and launch %.3f ms, "
            "shim start %.3f ms, first user instruction %.3f ms, total %.3f ms; "
            "%llu exits, %llu hypercalls, %llu host interrupts, peak RSS %ld KiB\n",
            (s->image_ready - s->start) * ms, (s->vm_created - s->image_ready) * ms,
            (s->vcpus_ready - s->vm_created) * ms,
            s->shim_start ? (s->shim_start - s->start) * ms : 0.0,
            s->user_start ? (s->user_start - s->start) * ms : 0.0, (s->end - s->start) * ms,
            (unsigned long long)s->exits, (unsigned long long)s->hypercalls,
            (unsigned long long)s->host_interrupts, ru.ru_maxrss);
    if (measured) {
        char hex[2 * SNP_DIGEST_SIZE + 1];
        snp_digest_hex(measured, hex);
        fprintf(stderr, "cloister: stats: launch digest (measured by sim) %s\n", hex);
    }
}

static int fill_boot_info(struct vm *vm, const struct cloister_run_options *o,
                          const struct launch_plan *lp)
{
    struct cl_boot_info *bi = gpa_ptr(vm, CL_GPA_BOOT_INFO, sizeof(*bi));
    memset(bi, 0, sizeof(*bi));
    bi->magic = CL_BOOT_MAGIC;
    bi->abi_version = CL_ABI_VERSION;
    bi->mem_size = lp->mem_size;
    bi->nr_vcpus = lp->vcpus;
    bi->flags = ((o->flags & CLOISTER_TRACE) ? CL_BOOT_TRACE : 0) |
                ((o->flags & CLOISTER_STATS) ? CL_BOOT_STATS : 0) |
                ((o->flags & CLOISTER_PVM_TRAP) ? CL_BOOT_PVM_TRAP : 0);
    bi->tee = o->tee == CLOISTER_TEE_SIM ? CL_TEE_SIM : CL_TEE_NONE;
    for (int fd = 0; fd < 3; fd++) {
        int fl = fcntl(fd, F_GETFL);
        bi->stdio_flags[fd] = (fl < 0 ? 0 : (uint32_t)fl & CL_STDIO_FL_MASK) |
                              (isatty(fd) ? CL_STDIO_TTY : 0) |
                              (vm->stdio_watched[fd] ? CL_STDIO_EVENTS : 0);
    }
    if (o->image) {
        /* extra arguments for an image, where its manifest allows them */
        char *area = gpa_ptr(vm, CL_GPA_ARGS, CL_ARGS_SIZE);
        uint64_t used = 0;
        for (int i = 0; i < o->argc; i++) {
            size_t n = strlen(o->argv[i]) + 1;
            if (n > CL_ARGS_SIZE - used)
                return vm_fail(vm, "arguments exceed %llu bytes", (unsigned long long)CL_ARGS_SIZE);
            memcpy(area + used, o->argv[i], n);
            used += n;
        }
        bi->extra_argc = (uint32_t)o->argc;
        bi->extra_args_size = used;
    }
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
    if (iago_boot_info(bi) < 0) /* the lying monitor of the tests (docs/iago.md) */
        return vm_fail(vm, "CLOISTER_IAGO names a lie the lying monitor does not know");
    return 0;
}

/*
 * The vCPU runs in a thread of its own that confines itself first (sandbox.c): seccomp
 * filters are per thread and permanent, and a program embedding libcloister must keep
 * its freedom (to run the next VM, among others). The caller only waits in
 * pthread_join meanwhile, then tears the VM down.
 */
static int run_vm(struct vm *vm, const struct cloister_run_options *o, struct cwi_image *img,
                  struct launch_plan *lp, struct snp_digest *measured, struct sim_tee *sim)
{
    if (o->tee == CLOISTER_TEE_SNP)
        return vm_fail(vm, "--tee snp: this machine has no SEV-SNP backend");
    if (o->image && o->envc)
        return vm_fail(vm, "the environment of an image is sealed in its manifest");
    if (o->image && o->mem_size)
        return vm_fail(vm, "the memory size of an image is sealed in its manifest");
    if (o->image && o->cpus)
        return vm_fail(vm, "the vCPU count of an image is sealed in its manifest");
    if (o->image && o->max_processes)
        return vm_fail(vm, "the process limit of an image is sealed in its manifest");
    if (o->image && (o->nlisten || o->nconnect))
        return vm_fail(vm, "the network of an image is sealed in its manifest (--listen, "
                           "--connect at build time)");
    if (o->npublish && !(vm->publish = calloc((size_t)o->npublish, sizeof(*vm->publish))))
        return vm_fail(vm, "out of memory");
    for (int k = 0; k < o->npublish; k++, vm->npublish++) {
        const char *why = net_publish_parse(o->publish[k], &vm->publish[k]);
        if (why)
            return vm_fail(vm, "-p %s %s", o->publish[k], why);
    }
    int rc =
        o->image ? cwi_open(o->image, 0, img, vm->err, vm->err_size) : seal_program(vm, o, img);
    if (rc < 0)
        return -1;
    if (o->image && o->argc && !img->manifest.extra_args)
        return vm_fail(vm, "this image does not accept extra arguments");
    if (launch_plan_build(img, 0, lp, vm->err, vm->err_size) < 0)
        return -1;
    vm->secrets = img->manifest.secrets;
    vm->nsecrets = img->manifest.nsecrets;
    vm->listen = img->manifest.listen;
    vm->nlisten = img->manifest.nlisten;
    vm->connect = img->manifest.connect;
    vm->nconnect = img->manifest.nconnect;
    if (net_publish_open(vm, o->publish) < 0)
        return -1;
    if (hc_net_resolve(vm) < 0 || host_events_init(vm) < 0)
        return -1;
    if (o->net_log && !(vm->net_log = fopen(o->net_log, "w")))
        return vm_fail(vm, "cannot write %s: %s", o->net_log, strerror(errno));
    vm->stats.image_ready = now_ns();

    /* Before any memslot: a host with too few address bits is one clear line, not an
     * EINVAL from KVM_SET_USER_MEMORY_REGION. The vCPU gets this same CPUID (vcpu_create). */
    if (vm_open_kvm(vm) < 0)
        return -1;
    unsigned bits = vcpu_supported_gpa_bits(vm, o->tee == CLOISTER_TEE_SNP);
    if (!bits)
        return vm_fail(vm, "KVM: ioctl (GET_SUPPORTED_CPUID) failed");
    if (gpa_fit_check(bits, lp->mem_size, lp->image_size, vm->err, vm->err_size) < 0)
        return -1;
    if (vm_create(vm, lp->mem_size) < 0 ||
        vm_map_readonly(vm, CL_GPA_FILES, img->map, lp->image_size) < 0 ||
        launch_execute(vm, lp) < 0)
        return -1;
    if (o->tee == CLOISTER_TEE_SIM) {
        /* as the secure processor would: measure what is in memory, not what we meant */
        struct snp_digest planned;
        launch_plan_digest(lp, &planned);
        if (launch_measure_loaded(vm, lp, measured) < 0)
            return -1;
        if (memcmp(planned.value, measured->value, SNP_DIGEST_SIZE) != 0) {
            char a[2 * SNP_DIGEST_SIZE + 1], b[2 * SNP_DIGEST_SIZE + 1];
            snp_digest_hex(&planned, a);
            snp_digest_hex(measured, b);
            return vm_fail(vm, "sim: launch digest mismatch: planned %s, loaded %s", a, b);
        }
        /* the secure processor reports what it measured, never what it was told */
        sim_tee_init(sim, o->sim_dir, measured->value, o->host_data, img->manifest.snp_policy);
        vm->sim = sim;
        char why[200];
        if (sim->chip_loaded &&
            sim_report_check_policy(&sim->chip, sim->policy, why, sizeof(why)) < 0)
            return vm_fail(vm, "sim: the image's guest policy would not launch: %s", why);
        /* a signed image: the PSP's LAUNCH_FINISH checks of its ID block */
        const struct cwi_section *sig = cwi_section(img, CWI_SEC_SIGNATURE);
        if (sim_tee_check_id(sim, sig ? cwi_section_data(img, sig) : NULL,
                             sig ? (size_t)sig->length : 0, why, sizeof(why)) < 0)
            return vm_fail(vm, "sim: launch refused: %s", why);
    }
    /* after the measurement, which holds the reset value (vcpu.h says why) */
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vcpu_set_user_xcr0(vm->vcpus[i]) < 0)
            return -1;
    if (fill_boot_info(vm, o, lp) < 0)
        return -1;
    vm->stats.vcpus_ready = now_ns();
    return vcpus_run(vm);
}

int cloister_run(const struct cloister_run_options *o, char *err, size_t err_size)
{
    struct vm vm;
    memset(&vm, 0, sizeof(vm));
    vm.kvm_fd = vm.vm_fd = vm.events_fd = -1;
    vm.sig_fd = vm.sig_wake_fd = vm.supervise_fd = vm.done_fd = -1;
    for (int i = 0; i < VM_MAX_NET; i++)
        vm.net_fds[i] = -1;
    vm.err = err;
    vm.err_size = err_size;
    vm.flags = o->flags;
    vm.timeout_ms = o->timeout_ms;
    if (err_size)
        err[0] = 0;
    vm.stats.start = now_ns();
    pthread_mutex_init(&vm.lock, NULL);
    pthread_cond_init(&vm.cond, NULL);
    /* a closed pipe is the workload's EPIPE to handle, not our death */
    signal(SIGPIPE, SIG_IGN);

    struct cwi_image img;
    memset(&img, 0, sizeof(img));
    img.fd = -1;
    struct launch_plan lp;
    memset(&lp, 0, sizeof(lp));
    struct snp_digest measured;
    struct sim_tee sim;
    memset(&sim, 0, sizeof(sim));
    int rc = run_vm(&vm, o, &img, &lp, &measured, &sim);
    vm.stats.end = now_ns();
    if (rc == 0 && (o->flags & CLOISTER_STATS))
        print_stats(&vm, o->tee == CLOISTER_TEE_SIM ? &measured : NULL);
    vm_destroy(&vm);
    hc_sock_close_all(&vm);
    net_publish_close(&vm);
    supervise_finish(&vm);
    host_signals_finish(&vm);
    host_events_close(&vm);
    pthread_cond_destroy(&vm.cond);
    pthread_mutex_destroy(&vm.lock);
    sim_tee_free(&sim);
    launch_plan_free(&lp);
    if (img.map)
        cwi_close(&img);
    if (rc < 0)
        return atomic_load(&vm.interrupted) ? 128 + SIGINT : CLOISTER_FAILED;
    return vm.exit_status;
}
