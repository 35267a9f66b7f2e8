/*
 * The shim's start: ring-0 set-up (arch_boot), then, in kernel mode, the boot info is
 * copied and checked, memory and clocks set up, and the workload started.
 *
 * The boot info comes from the host, which the shim does not trust: it is copied once
 * and every field is validated before use; a bad value is a panic that names it.
 */
#include "arch.h"
#include "clock.h"
#include "exec.h"
#include "file.h"
#include "hcall.h"
#include "lib.h"
#include "paging.h"
#include "panic.h"
#include "proc.h"

extern char __shim_end[];

static struct cl_boot_info boot;
static char arg_strings[CL_ARGS_SIZE];

static void check_boot_info(void)
{
    memcpy(&boot, phys_to_virt(CL_GPA_BOOT_INFO), sizeof(boot));
    barrier();
    if (boot.magic != CL_BOOT_MAGIC || boot.abi_version != CL_ABI_VERSION)
        panic("boot info: bad magic or ABI version %u (shim speaks %u)", boot.abi_version,
              CL_ABI_VERSION);
    u64 shim_end_gpa = (u64)__shim_end - CL_KERNEL_BASE;
    if (boot.mem_size < CL_GPA_RAM_MIN_END || boot.mem_size > CL_MEM_MAX ||
        boot.mem_size < shim_end_gpa + (16ull << 20) || !IS_ALIGNED(boot.mem_size, PAGE_SIZE))
        panic("boot info: memory size 0x%lx out of range", boot.mem_size);
    if (boot.nr_vcpus == 0 || boot.nr_vcpus > CL_MAX_VCPUS)
        panic("boot info: %u vCPUs out of range", boot.nr_vcpus);
    if (boot.tsc_hz < 100000000ull || boot.tsc_hz > 20000000000ull)
        panic("boot info: TSC frequency %lu Hz out of range", boot.tsc_hz);
    if (boot.files_gpa != CL_GPA_FILES || boot.files_size > CL_FILES_MAX_SIZE ||
        boot.entry_offset > boot.files_size ||
        boot.files_size - boot.entry_offset < boot.entry_size)
        panic("boot info: program outside the file region");
    if (strnlen(boot.entry_path, sizeof(boot.entry_path)) == sizeof(boot.entry_path) ||
        boot.entry_path[0] != '/')
        panic("boot info: bad program path");
    if (boot.args_size > CL_ARGS_SIZE)
        panic("boot info: arguments larger than their area");
    memcpy(arg_strings, phys_to_virt(CL_GPA_ARGS), boot.args_size);
    /* exactly argc + envc NUL-terminated strings */
    u64 n = 0;
    for (u64 i = 0; i < boot.args_size; i++)
        n += arg_strings[i] == 0;
    if (n != (u64)boot.argc + boot.envc || (boot.args_size && arg_strings[boot.args_size - 1]))
        panic("boot info: argument strings do not match argc/envc");
}

static void kernel_main(void)
{
    check_boot_info();
    if (boot.flags & CL_BOOT_STATS)
        hcall(CL_HC_MARK, CL_MARK_SHIM_START, 0, 0, 0, 0, 0);
    clock_init(boot.tsc_hz, boot.boot_tsc, boot.boot_realtime_ns, boot.boot_monotonic_ns);
    page_alloc_init((u64)__shim_end - CL_KERNEL_BASE, boot.mem_size);
    proc_init(boot.entry_path, boot.flags, boot.stdio_flags);
    stdio_files_init();

    struct exec_args a = {
        .file = phys_to_virt(boot.files_gpa + boot.entry_offset),
        .file_size = boot.entry_size,
        .path = boot.entry_path,
        .strings = arg_strings,
        .strings_size = boot.args_size,
        .argc = boot.argc,
        .envc = boot.envc,
    };
    struct trap_frame tf;
    memzero(&tf, sizeof(tf));
    const char *why = "";
    int err = exec_prepare(&a, &tf, &why);
    if (err)
        panic("cannot start %s: %s", boot.entry_path, why);
    if (boot.flags & CL_BOOT_STATS)
        hcall(CL_HC_MARK, CL_MARK_USER_START, 0, 0, 0, 0, 0);
    arch_enter_user(&tf);
}

void boot_main(void)
{
    arch_boot();
    arch_enter_kernel_mode(kernel_main);
}
