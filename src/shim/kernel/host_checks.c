/* The checks of the host's answers (host_checks.h); built into the shim and the fuzzer. */
#include "host_checks.h"

/* Linux's values, spelled here so that the file needs no shim header */
#define HC_S_IFMT   0170000u
#define HC_SEEK_SET 0u
#define HC_SEEK_DAT 3u
#define HC_SEEK_HOL 4u

static bool is_errno(int64_t r)
{
    return r < 0 && r >= -HC_MAX_ERRNO;
}

bool hc_count_ok(int64_t r, uint64_t asked)
{
    return r >= 0 ? (uint64_t)r <= asked : is_errno(r);
}

bool hc_status_ok(int64_t r)
{
    return r == 0 || is_errno(r);
}

bool hc_seek_ok(int64_t r, int64_t off, uint32_t whence)
{
    if (r < 0)
        return is_errno(r);
    if (whence == HC_SEEK_SET)
        return r == off;
    if (whence == HC_SEEK_DAT || whence == HC_SEEK_HOL)
        return r >= off;
    return true;
}

bool hc_handle_ok(int64_t r, uint64_t max)
{
    return r >= 0 ? (uint64_t)r < max : is_errno(r);
}

const char *hc_stat_check(const struct cl_host_stat *st)
{
    switch (st->mode & HC_S_IFMT) {
    case 0010000: /* fifo */
    case 0020000: /* character device */
    case 0040000: /* directory */
    case 0060000: /* block device */
    case 0100000: /* regular file */
    case 0120000: /* symbolic link */
    case 0140000: /* socket */
        break;
    default:
        return "a file type Linux does not have";
    }
    if (st->mode & ~(HC_S_IFMT | 07777u))
        return "mode bits Linux does not have";
    if (st->fl_flags & ~HC_STAT_FL_KNOWN)
        return "unknown file status flags";
    if (st->size < 0)
        return "a negative size";
    if (st->blksize < 0)
        return "a negative block size";
    return 0;
}

int64_t hc_blocks_512(int64_t size)
{
    return size / 512 + (size % 512 != 0);
}

const char *hc_boot_info_check(const struct cl_boot_info *b, uint64_t mem_min, uint64_t tsc_now)
{
    if (b->magic != CL_BOOT_MAGIC)
        return "bad magic";
    if (b->abi_version != CL_ABI_VERSION)
        return "another ABI version";
    if (b->mem_size < CL_GPA_RAM_MIN_END || b->mem_size < mem_min || b->mem_size > CL_MEM_MAX ||
        b->mem_size % CL_PAGE_SIZE)
        return "memory size out of range";
    if (b->nr_vcpus == 0 || b->nr_vcpus > CL_MAX_VCPUS)
        return "vCPU count out of range";
    if (b->flags & ~HC_BOOT_FLAGS_KNOWN)
        return "unknown flags";
    if (b->tsc_hz < HC_TSC_HZ_MIN || b->tsc_hz > HC_TSC_HZ_MAX)
        return "TSC frequency out of range";
    if (b->boot_tsc > tsc_now)
        return "boot TSC later than the TSC now";
    if (b->boot_realtime_ns < 0 || b->boot_realtime_ns > HC_CLOCK_NS_MAX)
        return "real time out of range";
    if (b->boot_monotonic_ns < 0 || b->boot_monotonic_ns > HC_CLOCK_NS_MAX)
        return "monotonic time out of range";
    if (b->tee != CL_TEE_NONE && b->tee != CL_TEE_SIM && b->tee != CL_TEE_SNP)
        return "unknown TEE";
    if (b->extra_args_size > CL_ARGS_SIZE)
        return "arguments larger than their area";
    for (int fd = 0; fd < 3; fd++)
        if (b->stdio_flags[fd] & ~(CL_STDIO_TTY | CL_STDIO_EVENTS | CL_STDIO_FL_MASK))
            return "unknown stdio flags";
    if (b->reserved0)
        return "reserved fields set";
    for (unsigned i = 0; i < sizeof(b->reserved) / sizeof(b->reserved[0]); i++)
        if (b->reserved[i])
            return "reserved fields set";
    return 0;
}

bool hc_args_ok(const char *args, uint64_t size, uint32_t argc)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < size; i++)
        n += args[i] == 0;
    return n == argc && (size == 0 || args[size - 1] == 0);
}
