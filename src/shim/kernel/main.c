/*
 * The shim's start: ring-0 set-up (arch_boot), then, in kernel mode, the measured launch
 * area and the host's boot info are read and checked, memory, clocks and the file
 * system set up, and the workload started.
 *
 * Trust: the launch area (struct cl_launch and the manifest) is measured under a TEE,
 * so it defines the workload. The boot info comes from the host: it is copied once and
 * each field validated, and where it repeats the manifest (memory, vCPUs) it must
 * agree. A bad value is a panic naming it, which ends the run with status 125.
 */
#include "arch/x86/arch.h"
#include "tee/attest.h"
#include "kernel/clock.h"
#include "kernel/exec.h"
#include "fs/file.h"
#include "fs/fs_dev.h"
#include "fs/fs_image.h"
#include "fs/fs_proc.h"
#include "fs/fs_tmp.h"
#include "arch/x86/hcall.h"
#include "kernel/host_checks.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "kernel/manifest.h"
#include "arch/x86/paging.h"
#include "kernel/panic.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/klock.h"
#include "arch/x86/fpu.h"
#include "arch/x86/lapic.h"
#include "kernel/host_events.h"
#include "tee/secrets.h"
#include "fs/vfs.h"

#include <cloister/cwi.h>

extern char __shim_end[];

static struct cl_boot_info boot;
static struct cl_launch launch;
static struct manifest manifest;
static u8 *manifest_bytes;
static char extra_args[CL_ARGS_SIZE];
static char *exec_strings;

const struct manifest *manifest_current(void)
{
    return &manifest;
}

static void check_boot_info(void)
{
    memcpy(&boot, phys_to_virt(CL_GPA_BOOT_INFO), sizeof(boot));
    barrier();
    u64 shim_end_gpa = (u64)__shim_end - CL_KERNEL_BASE;
    const char *why = hc_boot_info_check(&boot, shim_end_gpa + (16ull << 20), rdtsc());
    if (why)
        panic("boot info: %s", why);
    memcpy(extra_args, phys_to_virt(CL_GPA_ARGS), boot.extra_args_size);
    if (!hc_args_ok(extra_args, boot.extra_args_size, boot.extra_argc))
        panic("boot info: argument strings do not match their count");
}

#define SECRET_ENV_MAX (64u * 1024) /* room for environment secrets */

static size_t exec_strings_cap(void)
{
    return launch.manifest_size + CL_ARGS_SIZE + SECRET_ENV_MAX + 8;
}

static void check_launch(void)
{
    memcpy(&launch, phys_to_virt(CL_GPA_LAUNCH), sizeof(launch));
    barrier();
    if (launch.magic != CL_LAUNCH_MAGIC || launch.abi_version != CL_ABI_VERSION)
        panic("launch area: bad magic or ABI version");
    if (launch.manifest_size > CL_LAUNCH_SIZE - CL_LAUNCH_MANIFEST_OFFSET)
        panic("launch area: manifest too large");
    manifest_bytes = kmalloc(launch.manifest_size + 1);
    exec_strings = kmalloc(exec_strings_cap());
    if (!manifest_bytes || !exec_strings)
        panic("out of memory for the manifest");
    memcpy(manifest_bytes, (u8 *)phys_to_virt(CL_GPA_LAUNCH) + CL_LAUNCH_MANIFEST_OFFSET,
           launch.manifest_size);
    const char *why;
    if (manifest_parse(manifest_bytes, launch.manifest_size, &manifest, &why) < 0)
        panic("%s", why);
    if (manifest.mem_size != boot.mem_size || manifest.vcpus != boot.nr_vcpus)
        panic("boot info disagrees with the manifest on memory size or vCPUs");
    if (boot.extra_argc && !manifest.extra_args)
        panic("extra arguments given, but the image does not allow them");
}

/* Whether the shim runs inside a TEE, judged by the shim itself. No backend is built in
 * yet (SEV-SNP and TDX come with their own detection), so: no. */
static bool tee_hardware_present(void)
{
    return false;
}

static void mount_file_systems(void)
{
    const char *why;
    /* Trusting the host with file contents is for --tee none only, and only when the
     * shim sees no TEE itself: a host that claims "none" on TEE hardware gets checked
     * all the same (the SEV-SNP backend adds its own detection here). */
    bool trust_host = boot.tee == CL_TEE_NONE && !tee_hardware_present();
    struct inode *root = image_fs_init(&launch, !trust_host, &why);
    if (!root)
        panic("%s", why);
    vfs_init(root);
    if (manifest.tmpfs_size) {
        struct inode *tmp = tmpfs_new(manifest.tmpfs_size);
        if (!tmp)
            panic("out of memory for /tmp");
        vfs_mount(root, "tmp", tmp);
    }
    /* the attestation interfaces exist in a TEE launch only, as on Linux */
    bool tee = boot.tee != CL_TEE_NONE || tee_hardware_present();
    attest_init(tee);
    struct inode *dev = devfs_new(tee);
    vfs_mount(root, "dev", dev);
    /* /dev/shm, where both C libraries' shm_open and sem_open make their files (Python's
     * multiprocessing locks, for one): a tmpfs of its own, as Linux's, with /tmp's
     * bound, since both draw on the same guest memory */
    if (manifest.tmpfs_size) {
        struct inode *shm = tmpfs_new(manifest.tmpfs_size);
        if (!shm)
            panic("out of memory for /dev/shm");
        vfs_mount(dev, "shm", shm);
    }
    vfs_mount(root, "proc", procfs_new());
    vfs_mount(root, "sys", sysfs_new(tee));
    struct nameidata nd;
    if (vfs_walk(AT_FDCWD, manifest.cwd, VFS_FOLLOW, &nd) < 0 ||
        (nd.node->mode & S_IFMT) != S_IFDIR)
        panic("working directory %s is not a directory in the image", manifest.cwd);
    vfs_set_cwd(nd.node);
}

/* argv from the manifest, then the extra arguments, then the environment */
static u64 build_exec_strings(void)
{
    u64 argv_size = 0;
    const char *s = manifest.strings;
    for (u32 i = 0; i < manifest.argc; i++) {
        u64 len = strlen(s) + 1;
        argv_size += len;
        s += len;
    }
    u64 env_size = manifest.strings_size - argv_size;
    memcpy(exec_strings, manifest.strings, argv_size);
    memcpy(exec_strings + argv_size, extra_args, boot.extra_args_size);
    memcpy(exec_strings + argv_size + boot.extra_args_size, manifest.strings + argv_size, env_size);
    return argv_size + boot.extra_args_size + env_size;
}

static void kernel_main(void)
{
    check_boot_info();
    if (boot.flags & CL_BOOT_STATS)
        hcall(CL_HC_MARK, CL_MARK_SHIM_START, 0, 0, 0, 0, 0);
    page_alloc_init((u64)__shim_end - CL_KERNEL_BASE, boot.mem_size);
    page_refs_init(boot.mem_size);
    check_launch();
    clock_init(boot.tsc_hz, boot.boot_tsc, boot.boot_realtime_ns, boot.boot_monotonic_ns);
    process_init(manifest.entry, boot.flags, boot.stdio_flags);
    fpu_boot();
    sched_init(boot.nr_vcpus);
    stdio_files_init();
    mount_file_systems();

    struct nameidata nd;
    struct file *prog;
    if (vfs_walk(AT_FDCWD, manifest.entry, VFS_FOLLOW, &nd) < 0 ||
        (nd.node->mode & S_IFMT) != S_IFREG || nd.node->ops->open(nd.node, O_RDONLY, &prog) < 0)
        panic("cannot open the program %s in the image", manifest.entry);

    /* the secrets, before anything of the workload runs: no attestation, no workload */
    size_t strings_size = build_exec_strings();
    u32 envc = manifest.envc;
    secrets_fetch(&manifest, exec_strings, exec_strings_cap(), &strings_size, &envc);

    struct exec_args a = {
        .file = prog,
        .file_size = nd.node->size,
        .path = manifest.entry,
        .strings = exec_strings,
        .strings_size = strings_size,
        .argc = manifest.argc + boot.extra_argc,
        .envc = envc,
    };
    current_process()->cmdline = exec_strings;
    current_process()->cmdline_size = strings_size;
    current_process()->argc = a.argc;
    current_process()->start_ns = clock_monotonic_ns();
    struct trap_frame tf;
    memzero(&tf, sizeof(tf));
    const char *why = "";
    int err = exec_prepare(&a, &tf, &why);
    file_put(prog);
    if (err)
        panic("cannot start %s: %s", manifest.entry, why);
    if (boot.flags & CL_BOOT_STATS)
        hcall(CL_HC_MARK, CL_MARK_USER_START, 0, 0, 0, 0, 0);
    kernel_lock(); /* the first return to user mode, as every later one */
    /* from now on the monitor may interrupt this CPU when host events come while it
     * computes (sched_host_interrupt); this first CL_HC_WAIT tells it so */
    if (lapic_timer_available())
        host_events_wait(0);
    sched_return_to_user();
    kernel_exit();
    arch_enter_user(&tf);
}

void boot_main(void)
{
    arch_boot();
    arch_enter_kernel_mode(kernel_main);
}
