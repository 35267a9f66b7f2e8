/*
 * /proc: its root, which lists the fixed entries and then every live pid; /proc/self
 * and /proc/thread-self, links to the caller's /proc/PID and /proc/PID/task/TID (what
 * those directories hold is fs_proc_pid.c's); /proc/cpuinfo, meminfo, uptime, mounts,
 * and the /proc/sys values programs and C libraries probe. Contents are generated when
 * a file is opened.
 */
#include "fs/fs_proc.h"
#include "fs/fs_proc_pid.h"
#include "arch/x86/arch.h"
#include "kernel/clock.h"
#include "uapi/errno.h"
#include "fs/file.h"
#include "fs/fs_image.h"
#include "fs/fs_synth.h"
#include "tee/fs_tsm.h"
#include "lib/lib.h"
#include "mm/mm.h"
#include "arch/x86/paging.h"
#include "kernel/process.h"
#include "kernel/sched.h"

static struct synth_dir proc_dir, sys_dir, sys_kernel, sys_vm;
static struct synth_link self_link, thread_self_link;
static struct synth_file mounts_f, cpuinfo_f, meminfo_f, uptime_f;
static struct synth_file osrelease_f, ostype_f, hostname_f, pidmax_f, ngroups_f, overcommit_f,
    maxmapcount_f;

static s64 copy_out(const char *s, size_t n, char *buf, size_t size)
{
    n = MIN(n, size);
    memcpy(buf, s, n);
    return (s64)n;
}

/* /proc/self: "PID", relative to /proc, as Linux's */
static s64 self_target(char *buf, size_t size)
{
    char target[16];
    int n = snprintf(target, sizeof(target), "%d", current_process()->pid);
    return copy_out(target, (size_t)n, buf, size);
}

/* /proc/thread-self: "PID/task/TID" */
static s64 thread_self_target(char *buf, size_t size)
{
    char target[32];
    int n =
        snprintf(target, sizeof(target), "%d/task/%d", current_process()->pid, current_task()->tid);
    return copy_out(target, (size_t)n, buf, size);
}

/* ---- the root: the fixed entries, then one directory per live process ---- */

static s64 root_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    s64 err = synth_dir_lookup(dir, name, len, out);
    return err == -ENOENT ? proc_pid_lookup(dir, name, len, out) : err;
}

/* *pos below the fixed entries' count is one of them; above, count + 1 + the last pid
 * listed. */
static s64 root_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    u64 fixed = proc_dir.count;
    if (*pos < fixed) {
        synth_dir_readdir(dir, pos, emit, ctx);
        if (*pos < fixed)
            return 0; /* the caller's buffer is full */
    }
    s32 pid = (s32)(*pos - fixed) - 1;
    while (proc_pid_next(&pid)) {
        char name[12];
        int n = snprintf(name, sizeof(name), "%d", pid);
        if (!emit(ctx, name, (size_t)n, PROC_PID_INO(pid), DT_DIR))
            break;
        *pos = fixed + 1 + (u64)pid;
    }
    return 0;
}

static const struct inode_ops root_ops = {
    .lookup = root_lookup,
    .readdir = root_readdir,
    .open = vfs_dir_open,
};

/* ---- generated files ---- */

/* The launch's vCPUs as Linux writes a CPU list: "0", "0-3". */
void proc_cpu_list(struct text *t)
{
    u32 n = sched_nr_cpus();
    if (n == 1)
        text_printf(t, "0\n");
    else
        text_printf(t, "0-%u\n", n - 1);
}

static void cpuid(u32 leaf, u32 sub, u32 r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static void gen_cpuinfo(struct text *t)
{
    u32 r[4], brand[12];
    char vendor[13];
    cpuid(0, 0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    for (u32 i = 0; i < 3; i++)
        cpuid(0x80000002 + i, 0, &brand[4 * i]);
    char model[49];
    memcpy(model, brand, 48);
    model[48] = 0;
    cpuid(1, 0, r);
    u32 family = (r[0] >> 8) & 0xf, mod = (r[0] >> 4) & 0xf, stepping = r[0] & 0xf;
    if (family == 0xf)
        family += (r[0] >> 20) & 0xff;
    if (family >= 6)
        mod |= ((r[0] >> 16) & 0xf) << 4;
    u32 ecx = r[2], edx = r[3];
    cpuid(7, 0, r);
    u32 ebx7 = r[1];
    struct {
        u32 *reg;
        u32 bit;
        const char *name;
    } flags[] = {
        {&edx, 0, "fpu"},       {&edx, 4, "tsc"},      {&edx, 15, "cmov"},  {&edx, 23, "mmx"},
        {&edx, 24, "fxsr"},     {&edx, 25, "sse"},     {&edx, 26, "sse2"},  {&ecx, 0, "pni"},
        {&ecx, 1, "pclmulqdq"}, {&ecx, 9, "ssse3"},    {&ecx, 12, "fma"},   {&ecx, 13, "cx16"},
        {&ecx, 19, "sse4_1"},   {&ecx, 20, "sse4_2"},  {&ecx, 22, "movbe"}, {&ecx, 23, "popcnt"},
        {&ecx, 25, "aes"},      {&ecx, 26, "xsave"},   {&ecx, 28, "avx"},   {&ecx, 29, "f16c"},
        {&ecx, 30, "rdrand"},   {&ebx7, 3, "bmi1"},    {&ebx7, 5, "avx2"},  {&ebx7, 8, "bmi2"},
        {&ebx7, 16, "avx512f"}, {&ebx7, 18, "rdseed"}, {&ebx7, 19, "adx"},  {&ebx7, 29, "sha_ni"},
    };
    u32 n = sched_nr_cpus();
    for (u32 cpu = 0; cpu < n; cpu++) {
        text_printf(t,
                    "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
                    "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %lu.000\n"
                    "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\n"
                    "fpu\t\t: yes\nflags\t\t:",
                    cpu, vendor, family, mod, model, stepping, clock_tsc_hz() / 1000000, n, cpu, n);
        for (unsigned i = 0; i < ARRAY_SIZE(flags); i++)
            if (*flags[i].reg & (1u << flags[i].bit))
                text_printf(t, " %s", flags[i].name);
        text_printf(t,
                    "\nbogomips\t: %lu.00\nclflush size\t: 64\ncache_alignment\t: 64\n"
                    "address sizes\t: 48 bits physical, 48 bits virtual\n\n",
                    clock_tsc_hz() / 500000);
    }
}

static void gen_meminfo(struct text *t)
{
    u64 total = page_alloc_total() * 4, free = page_alloc_free_count() * 4;
    text_printf(t,
                "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
                "Buffers:               0 kB\nCached:                0 kB\n"
                "SwapTotal:             0 kB\nSwapFree:              0 kB\n",
                total, free, free);
}

static void gen_uptime(struct text *t)
{
    s64 ns = clock_monotonic_ns() - current_process()->start_ns;
    text_printf(t, "%ld.%02ld 0.00\n", ns / 1000000000, (ns / 10000000) % 100);
}

void proc_gen_mounts(struct text *t)
{
    text_printf(t, "image / cwi ro,nosuid 0 0\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n"
                   "sysfs /sys sysfs ro,nosuid,nodev,noexec 0 0\n"
                   "devtmpfs /dev devtmpfs rw,nosuid 0 0\ntmpfs /tmp tmpfs rw,nosuid,nodev 0 0\n");
}

static void gen_osrelease(struct text *t)
{
    text_printf(t, "6.1.0-cloister\n");
}

static void gen_ostype(struct text *t)
{
    text_printf(t, "Linux\n");
}

static void gen_hostname(struct text *t)
{
    text_printf(t, "cloister\n");
}

static void gen_pidmax(struct text *t)
{
    text_printf(t, "4194304\n");
}

static void gen_ngroups(struct text *t)
{
    text_printf(t, "65536\n");
}

static void gen_overcommit(struct text *t)
{
    text_printf(t, "0\n"); /* heuristic, Linux's default: glibc's malloc asks */
}

static void gen_maxmapcount(struct text *t)
{
    text_printf(t, "8192\n"); /* our VMA table's size */
}

struct inode *procfs_new(void)
{
    synth_dir_init(&proc_dir, PROC_DEV);
    proc_dir.inode.ops = &root_ops;
    synth_dir_init(&sys_dir, PROC_DEV);
    synth_dir_init(&sys_kernel, PROC_DEV);
    synth_dir_init(&sys_vm, PROC_DEV);
    synth_link_init(&self_link, PROC_DEV, self_target);
    synth_link_init(&thread_self_link, PROC_DEV, thread_self_target);

    struct {
        struct synth_file *f;
        void (*gen)(struct text *);
        struct synth_dir *dir;
        const char *name;
    } files[] = {
        {&mounts_f, proc_gen_mounts, &proc_dir, "mounts"},
        {&cpuinfo_f, gen_cpuinfo, &proc_dir, "cpuinfo"},
        {&meminfo_f, gen_meminfo, &proc_dir, "meminfo"},
        {&uptime_f, gen_uptime, &proc_dir, "uptime"},
        {&osrelease_f, gen_osrelease, &sys_kernel, "osrelease"},
        {&ostype_f, gen_ostype, &sys_kernel, "ostype"},
        {&hostname_f, gen_hostname, &sys_kernel, "hostname"},
        {&pidmax_f, gen_pidmax, &sys_kernel, "pid_max"},
        {&ngroups_f, gen_ngroups, &sys_kernel, "ngroups_max"},
        {&overcommit_f, gen_overcommit, &sys_vm, "overcommit_memory"},
        {&maxmapcount_f, gen_maxmapcount, &sys_vm, "max_map_count"},
    };
    for (unsigned i = 0; i < ARRAY_SIZE(files); i++) {
        synth_file_init(files[i].f, PROC_DEV, files[i].gen);
        synth_dir_add(files[i].dir, files[i].name, &files[i].f->inode);
    }
    synth_dir_add(&sys_dir, "kernel", &sys_kernel.inode);
    synth_dir_add(&sys_dir, "vm", &sys_vm.inode);
    synth_dir_add(&proc_dir, "self", &self_link.inode);
    synth_dir_add(&proc_dir, "thread-self", &thread_self_link.inode);
    synth_dir_add(&proc_dir, "sys", &sys_dir.inode);
    return &proc_dir.inode;
}

/* ---- /sys: the CPU lists C libraries read to count processors ---- */

#define SYS_DEV 0x6

static struct synth_dir sysfs_root, sys_devices, sys_system, sys_cpu, sys_kernel_dir, sys_config,
    sys_tsm;
static struct synth_file cpu_online_f, cpu_possible_f, cpu_present_f;

static void gen_cpu_list(struct text *t)
{
    proc_cpu_list(t);
}

struct inode *sysfs_new(bool with_tsm)
{
    synth_dir_init(&sysfs_root, SYS_DEV);
    synth_dir_init(&sys_devices, SYS_DEV);
    synth_dir_init(&sys_system, SYS_DEV);
    synth_dir_init(&sys_cpu, SYS_DEV);
    synth_file_init(&cpu_online_f, SYS_DEV, gen_cpu_list);
    synth_file_init(&cpu_possible_f, SYS_DEV, gen_cpu_list);
    synth_file_init(&cpu_present_f, SYS_DEV, gen_cpu_list);
    synth_dir_add(&sys_cpu, "online", &cpu_online_f.inode);
    synth_dir_add(&sys_cpu, "possible", &cpu_possible_f.inode);
    synth_dir_add(&sys_cpu, "present", &cpu_present_f.inode);
    synth_dir_add(&sys_system, "cpu", &sys_cpu.inode);
    synth_dir_add(&sys_devices, "system", &sys_system.inode);
    synth_dir_add(&sysfs_root, "devices", &sys_devices.inode);
    if (with_tsm) {
        /* configfs-tsm exists where a TEE provider does (Linux loads it with sev-guest) */
        synth_dir_init(&sys_kernel_dir, SYS_DEV);
        synth_dir_init(&sys_config, SYS_DEV);
        synth_dir_init(&sys_tsm, SYS_DEV);
        synth_dir_add(&sys_tsm, "report", tsm_report_dir_new());
        synth_dir_add(&sys_config, "tsm", &sys_tsm.inode);
        synth_dir_add(&sys_kernel_dir, "config", &sys_config.inode);
        synth_dir_add(&sysfs_root, "kernel", &sys_kernel_dir.inode);
    }
    return &sysfs_root.inode;
}
