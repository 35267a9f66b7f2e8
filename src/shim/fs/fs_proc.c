/*
 * /proc for the one process: /proc/self (and /proc/1, the same) with exe, cwd, fd/,
 * cmdline, maps, stat, status; /proc/cpuinfo, meminfo, uptime, and the /proc/sys values
 * programs and C libraries probe. Contents are generated when a file is opened.
 */
#include "fs/fs_proc.h"
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

#define PROC_DEV 0x4

static struct synth_dir proc_dir, self_dir, sys_dir, sys_kernel, sys_vm;
static struct synth_link exe_link, cwd_link, self_link;
static struct synth_file mounts_f, self_mounts_f, maps_f, stat_f, status_f, cmdline_f, cpuinfo_f,
    meminfo_f, uptime_f;
static struct synth_file osrelease_f, ostype_f, hostname_f, pidmax_f, ngroups_f, overcommit_f,
    maxmapcount_f;
static struct inode fd_dir;

static s64 copy_out(const char *s, size_t n, char *buf, size_t size)
{
    n = MIN(n, size);
    memcpy(buf, s, n);
    return (s64)n;
}

static s64 exe_target(char *buf, size_t size)
{
    return copy_out(current_process()->exe_path, strlen(current_process()->exe_path), buf, size);
}

static s64 cwd_target(char *buf, size_t size)
{
    char path[PATH_MAX];
    s64 n = vfs_path_of(vfs_cwd(), path, sizeof(path));
    return n < 0 ? n : copy_out(path, (size_t)n, buf, size);
}

static s64 self_target(char *buf, size_t size)
{
    return copy_out("1", 1, buf, size); /* PROC_PID */
}

/* ---- /proc/self/fd: one symlink per open descriptor ---- */

struct fd_link {
    struct inode inode;
    int fd;
};
static struct fd_link fd_links[MAX_FDS];

static s64 fd_readlink(struct inode *node, char *buf, size_t size)
{
    struct file *f = fd_get(((struct fd_link *)node->priv)->fd);
    if (!f)
        return -ENOENT;
    char path[PATH_MAX];
    s64 n;
    size_t len;
    const char *p;
    if (f->inode && (p = image_fs_path(f->inode, &len)) != NULL)
        return copy_out(p, len, buf, size);
    if (f->inode && (f->inode->mode & S_IFMT) == S_IFDIR &&
        (n = vfs_path_of(f->inode, path, sizeof(path))) >= 0)
        return copy_out(path, (size_t)n, buf, size);
    if (!f->inode && f->ops->link_name)
        n = (s64)f->ops->link_name(f, path, sizeof(path));
    else if (!f->inode)
        n = snprintf(path, sizeof(path), "/dev/host-stdio/%lu", f->priv);
    else
        n = snprintf(path, sizeof(path), "anon_inode:[%lu]", f->inode->ino);
    return copy_out(path, (size_t)n, buf, size);
}

/* Opening /proc/self/fd/N shares descriptor N's open file. */
static s64 fd_link_open(struct inode *node, u32 flags, struct file **out)
{
    struct file *f = fd_get(((struct fd_link *)node->priv)->fd);
    if (!f)
        return -ENOENT;
    f->refs++;
    *out = f;
    return 0;
}

static const struct inode_ops fd_link_ops = {.readlink = fd_readlink, .open = fd_link_open};

static s64 fd_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
    u64 fd = 0;
    if (len == 0 || len > 4)
        return -ENOENT;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -ENOENT;
        fd = fd * 10 + (u64)(name[i] - '0');
    }
    if (fd >= MAX_FDS || !fd_get((s64)fd))
        return -ENOENT;
    struct fd_link *l = &fd_links[fd];
    l->fd = (int)fd;
    l->inode.ops = &fd_link_ops;
    l->inode.priv = l;
    l->inode.mode = S_IFLNK | 0700;
    l->inode.nlink = 1;
    l->inode.dev = PROC_DEV;
    l->inode.ino = 0x10000 + fd;
    *out = &l->inode;
    return 0;
}

static s64 fd_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx)
{
    for (; *pos < MAX_FDS; (*pos)++) {
        if (!fd_get((s64)*pos))
            continue;
        char name[8];
        int n = snprintf(name, sizeof(name), "%lu", *pos);
        if (!emit(ctx, name, (size_t)n, 0x10000 + *pos, DT_LNK))
            break;
    }
    return 0;
}

static const struct inode_ops fd_dir_ops = {
    .lookup = fd_lookup,
    .readdir = fd_readdir,
    .open = vfs_dir_open,
};

/* ---- generated files ---- */

static void gen_maps(struct text *t)
{
    const struct vma *v;
    for (unsigned i = 0; (v = mm_area(i)) != NULL; i++) {
        const char *name = "";
        size_t len = 0;
        if (v->kind == VMA_HEAP)
            name = "[heap]", len = 6;
        else if (v->kind == VMA_STACK)
            name = "[stack]", len = 7;
        else if (v->kind == VMA_VVAR)
            name = "[vvar]", len = 6;
        else if (v->kind == VMA_VDSO)
            name = "[vdso]", len = 6;
        else if (v->kind == VMA_ELF && v->name)
            name = v->name, len = strlen(v->name);
        else if (v->file && v->file->inode) {
            const char *p = image_fs_path(v->file->inode, &len);
            if (p)
                name = p;
            else
                len = 0;
        }
        u64 ino = v->file && v->file->inode ? v->file->inode->ino : 0;
        u32 dev = v->file && v->file->inode ? v->file->inode->dev : 0;
        text_printf(t, "%lx-%lx %c%c%c%c %08lx %02x:%02x %lu", v->start, v->end,
                    (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
                    (v->prot & PROT_EXEC) ? 'x' : '-', v->shared ? 's' : 'p',
                    (v->file || v->name) ? v->file_off : 0, dev >> 8, dev & 0xff, ino);
        text_printf(t, "%s%.*s\n", len ? "                          " : "", (int)len, name);
    }
}

static const char *comm(void)
{
    const char *s = strrchr(current_process()->exe_path, '/');
    return s ? s + 1 : current_process()->exe_path;
}

static void gen_stat(struct text *t)
{
    u64 vsize = 0;
    const struct vma *v;
    for (unsigned i = 0; (v = mm_area(i)) != NULL; i++)
        vsize += v->end - v->start;
    s64 ticks = clock_monotonic_ns() / 10000000; /* USER_HZ 100 */
    text_printf(t, "1 (%.15s) R 0 1 1 0 -1 4194560 0 0 0 0 %ld 0 0 0 20 0 %u 0 0 %lu %lu ", comm(),
                ticks, current_process()->nr_tasks, vsize, mm_resident_pages());
    text_printf(t, "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 "
                   "0 0\n");
}

/* The launch's vCPUs as Linux writes a CPU list: "0", "0-3". */
static void cpu_list(struct text *t)
{
    u32 n = sched_nr_cpus();
    if (n == 1)
        text_printf(t, "0\n");
    else
        text_printf(t, "0-%u\n", n - 1);
}

static void gen_status(struct text *t)
{
    u64 vsize = 0;
    const struct vma *v;
    for (unsigned i = 0; (v = mm_area(i)) != NULL; i++)
        vsize += v->end - v->start;
    text_printf(t,
                "Name:\t%.15s\nUmask:\t0022\nState:\tR (running)\nTgid:\t1\nNgid:\t0\nPid:\t1\n"
                "PPid:\t0\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%u\n"
                "Groups:\t\nVmSize:\t%lu kB\nVmRSS:\t%lu kB\nThreads:\t%u\n"
                "Cpus_allowed_list:\t",
                comm(), MAX_FDS, vsize / 1024, mm_resident_pages() * 4,
                current_process()->nr_tasks);
    cpu_list(t);
    text_printf(t, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

static void gen_cmdline(struct text *t)
{
    /* each argument with its NUL, as Linux lays them out */
    const char *s = current_process()->cmdline;
    for (u32 i = 0; i < current_process()->argc && t->len < t->cap - 1; i++) {
        size_t n = strlen(s) + 1;
        n = MIN(n, t->cap - 1 - t->len);
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        s += strlen(s) + 1;
    }
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

static void gen_mounts(struct text *t)
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
    synth_dir_init(&self_dir, PROC_DEV);
    synth_dir_init(&sys_dir, PROC_DEV);
    synth_dir_init(&sys_kernel, PROC_DEV);
    synth_dir_init(&sys_vm, PROC_DEV);
    synth_link_init(&exe_link, PROC_DEV, exe_target);
    synth_link_init(&cwd_link, PROC_DEV, cwd_target);
    synth_link_init(&self_link, PROC_DEV, self_target);
    fd_dir.ops = &fd_dir_ops;
    fd_dir.mode = S_IFDIR | 0500;
    fd_dir.nlink = 2;
    fd_dir.dev = PROC_DEV;
    fd_dir.ino = vfs_next_ino();

    struct {
        struct synth_file *f;
        void (*gen)(struct text *);
        struct synth_dir *dir;
        const char *name;
    } files[] = {
        {&maps_f, gen_maps, &self_dir, "maps"},
        {&self_mounts_f, gen_mounts, &self_dir, "mounts"},
        {&mounts_f, gen_mounts, &proc_dir, "mounts"},
        {&stat_f, gen_stat, &self_dir, "stat"},
        {&status_f, gen_status, &self_dir, "status"},
        {&cmdline_f, gen_cmdline, &self_dir, "cmdline"},
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
    synth_dir_add(&self_dir, "exe", &exe_link.inode);
    synth_dir_add(&self_dir, "cwd", &cwd_link.inode);
    synth_dir_add(&self_dir, "fd", &fd_dir);
    synth_dir_add(&sys_dir, "kernel", &sys_kernel.inode);
    synth_dir_add(&sys_dir, "vm", &sys_vm.inode);
    synth_dir_add(&proc_dir, "1", &self_dir.inode);
    synth_dir_add(&proc_dir, "self", &self_link.inode);
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
    cpu_list(t);
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
