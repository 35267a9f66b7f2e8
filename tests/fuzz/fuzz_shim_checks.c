/*
 * libFuzzer target for the shim's checks of the host's answers
 * (src/shim/kernel/host_checks.c, built here as host code): the input is a lying
 * host's answer, and whatever a check accepts must satisfy every bound the ABI
 * documents (include/cloister/abi.h, docs/iago.md), while an honest answer, the input
 * bent into those bounds, must be accepted. The first byte picks the check; the
 * rest fills its values, zero past the end.
 */
#include "shim/kernel/host_checks.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *p;
    size_t n;
};

static void take(struct input *in, void *out, size_t len)
{
    size_t k = in->n < len ? in->n : len;
    memset(out, 0, len);
    memcpy(out, in->p, k);
    in->p += k;
    in->n -= k;
}

static uint64_t u64_of(struct input *in)
{
    uint64_t v;
    take(in, &v, sizeof(v));
    return v;
}

static void must(int cond)
{
    if (!cond)
        abort();
}

static int is_errno(int64_t r)
{
    return r <= -1 && r >= -4095;
}

static void counts(struct input *in)
{
    int64_t r = (int64_t)u64_of(in);
    uint64_t asked = u64_of(in) % (CL_HC_DATA_SIZE + 1); /* the shim never asks more */
    if (hc_count_ok(r, asked))
        must(is_errno(r) || (r >= 0 && (uint64_t)r <= asked));
    /* an honest count or error is never refused */
    must(hc_count_ok((int64_t)((uint64_t)r % (asked + 1)), asked));
    must(hc_count_ok(-1 - (int64_t)((uint64_t)r % 4095), asked));
    if (hc_status_ok(r))
        must(r == 0 || is_errno(r));
    int64_t off = (int64_t)u64_of(in);
    uint32_t whence = (uint32_t)(u64_of(in) % 6);
    if (hc_seek_ok(r, off, whence)) {
        must(r >= 0 || is_errno(r));
        if (r >= 0 && whence == 0)
            must(r == off);
        if (r >= 0 && (whence == 3 || whence == 4))
            must(r >= off);
    }
    if (off >= 0)
        must(hc_seek_ok(off, off, 0));
    uint64_t max = asked % 64 + 1;
    if (hc_handle_ok(r, max))
        must(is_errno(r) || (r >= 0 && (uint64_t)r < max));
}

static void stat_reply(struct input *in)
{
    struct cl_host_stat st;
    take(in, &st, sizeof(st));
    if (hc_stat_check(&st) == NULL) {
        uint32_t type = st.mode & 0170000u;
        must(type == 0010000 || type == 0020000 || type == 0040000 || type == 0060000 ||
             type == 0100000 || type == 0120000 || type == 0140000);
        must((st.mode & ~0177777u) == 0);
        must((st.fl_flags & ~0xc03u) == 0);
        must(st.size >= 0 && st.blksize >= 0);
        int64_t blocks = hc_blocks_512(st.size);
        must(blocks >= st.size / 512 && blocks <= st.size / 512 + 1);
        must((blocks == st.size / 512) == (st.size % 512 == 0));
    }
    /* the same reply as an honest host gives it: a regular file, known bits only */
    st.mode = 0100000u | (st.mode & 07777u);
    st.fl_flags &= 0xc03u;
    st.size = st.size < 0 ? -(st.size + 1) : st.size;
    st.blksize = st.blksize < 0 ? 0 : st.blksize;
    must(hc_stat_check(&st) == NULL);
}

/* The bounds abi.h and docs/iago.md give every field of an accepted boot info. */
static void boot_bounds(const struct cl_boot_info *b, uint64_t mem_min, uint64_t tsc_now)
{
    must(b->magic == CL_BOOT_MAGIC && b->abi_version == CL_ABI_VERSION);
    must(b->mem_size >= CL_GPA_RAM_MIN_END && b->mem_size >= mem_min);
    must(b->mem_size <= CL_MEM_MAX && b->mem_size % CL_PAGE_SIZE == 0);
    must(b->nr_vcpus >= 1 && b->nr_vcpus <= CL_MAX_VCPUS);
    must((b->flags & ~(CL_BOOT_TRACE | CL_BOOT_STATS | CL_BOOT_PVM_TRAP)) == 0);
    must(b->tsc_hz >= 100000000ull && b->tsc_hz <= 20000000000ull);
    must(b->boot_tsc <= tsc_now);
    must(b->tee <= CL_TEE_SNP);
    must(b->extra_args_size <= CL_ARGS_SIZE);
    for (int fd = 0; fd < 3; fd++)
        must((b->stdio_flags[fd] & ~(CL_STDIO_TTY | CL_STDIO_EVENTS | CL_STDIO_FL_MASK)) == 0);
    /* the clocks (src/shim/kernel/clock.c): the scale factor is non-zero and fits, and
     * a century of uptime added to either clock cannot overflow */
    unsigned __int128 mult = ((unsigned __int128)1000000000u << 32) / b->tsc_hz;
    must(mult > 0 && mult <= UINT64_MAX);
    const int64_t century = 100ll * 366 * 86400 * 1000000000ll;
    must(b->boot_realtime_ns >= 0 && b->boot_realtime_ns <= INT64_MAX - century);
    must(b->boot_monotonic_ns >= 0 && b->boot_monotonic_ns <= INT64_MAX - century);
}

static void boot_info(struct input *in)
{
    struct cl_boot_info b;
    take(in, &b, sizeof(b));
    uint64_t mem_min = u64_of(in) % (CL_MEM_MAX / 2), tsc_now = u64_of(in);
    if (hc_boot_info_check(&b, mem_min, tsc_now) == NULL)
        boot_bounds(&b, mem_min, tsc_now);
    /* the same boot info bent into every bound: an honest host's, accepted */
    b.magic = CL_BOOT_MAGIC;
    b.abi_version = CL_ABI_VERSION;
    uint64_t lo = mem_min > CL_GPA_RAM_MIN_END ? mem_min : CL_GPA_RAM_MIN_END;
    lo = (lo + CL_PAGE_SIZE - 1) & ~(CL_PAGE_SIZE - 1);
    b.mem_size = lo + (b.mem_size % (CL_MEM_MAX - lo + 1)) / CL_PAGE_SIZE * CL_PAGE_SIZE;
    b.nr_vcpus = b.nr_vcpus % CL_MAX_VCPUS + 1;
    b.flags &= CL_BOOT_TRACE | CL_BOOT_STATS | CL_BOOT_PVM_TRAP;
    b.tsc_hz = 100000000ull + b.tsc_hz % (20000000000ull - 100000000ull + 1);
    b.boot_tsc = tsc_now ? b.boot_tsc % tsc_now : 0;
    b.boot_realtime_ns = (int64_t)((uint64_t)b.boot_realtime_ns % (1ull << 62));
    b.boot_monotonic_ns = (int64_t)((uint64_t)b.boot_monotonic_ns % (1ull << 62));
    b.tee %= 3;
    b.extra_args_size %= CL_ARGS_SIZE + 1;
    for (int fd = 0; fd < 3; fd++)
        b.stdio_flags[fd] &= CL_STDIO_TTY | CL_STDIO_EVENTS | CL_STDIO_FL_MASK;
    b.reserved0 = 0;
    memset(b.reserved, 0, sizeof(b.reserved));
    must(hc_boot_info_check(&b, mem_min, tsc_now) == NULL);
}

static void args(struct input *in)
{
    uint32_t argc = (uint32_t)(u64_of(in) % 8);
    const char *s = (const char *)in->p;
    uint64_t size = in->n;
    if (!hc_args_ok(s, size, argc))
        return;
    /* exactly argc strings, each ending inside the area, and nothing after the last */
    uint64_t at = 0;
    for (uint32_t i = 0; i < argc; i++) {
        const char *nul = memchr(s + at, 0, size - at);
        must(nul != NULL);
        at = (uint64_t)(nul - s) + 1;
    }
    must(at == size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct input in = {data + 1, size - 1};
    switch (data[0] % 4) {
    case 0:
        counts(&in);
        break;
    case 1:
        stat_reply(&in);
        break;
    case 2:
        boot_info(&in);
        break;
    case 3:
        args(&in);
        break;
    }
    return 0;
}
