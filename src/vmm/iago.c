/*
 * The lying monitor (iago.h): each KIND bends one answer of an otherwise honest
 * monitor. Built only into the test binary build/tests/cloister-iago.
 *
 * The lies, by what they bend (docs/iago.md says what the shim does about each):
 *   stdio   read-over, read-overbuf, write-over, read-short, write-short, errno-4096,
 *           errno-1000000, errno-min, stat-ret, stat-mode, stat-size, stat-flags,
 *           ioctl-ret, seek-set, seek-neg
 *   time    sleep-early, boot-tsc-0, boot-tsc-1hz, boot-tsc-huge, boot-tsc-future,
 *           boot-realtime, boot-monotonic
 *   launch  boot-magic, boot-abi, boot-mem, boot-vcpus, boot-argc, boot-args-size,
 *           boot-args-nul, boot-stdio, boot-flags, boot-tee
 *   TEE     attest-ret, attest-len, net-handle, net-handle-fake, net-recv-over, net-flip,
 *           net-flip-late, net-inject
 */
#include "vmm/iago.h"

#ifdef CLOISTER_IAGO /* the release build compiles this file to nothing */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/hypercall.h"

enum lie {
    READ_OVER,
    READ_OVERBUF,
    WRITE_OVER,
    READ_SHORT,
    WRITE_SHORT,
    ERRNO_4096,
    ERRNO_1000000,
    ERRNO_MIN,
    STAT_RET,
    STAT_MODE,
    STAT_SIZE,
    STAT_FLAGS,
    IOCTL_RET,
    SEEK_SET_LIE,
    SEEK_NEG,
    SLEEP_EARLY,
    BOOT_TSC_0,
    BOOT_TSC_1HZ,
    BOOT_TSC_HUGE,
    BOOT_TSC_FUTURE,
    BOOT_REALTIME,
    BOOT_MONOTONIC,
    BOOT_MAGIC,
    BOOT_ABI,
    BOOT_MEM,
    BOOT_VCPUS,
    BOOT_ARGC,
    BOOT_ARGS_SIZE,
    BOOT_ARGS_NUL,
    BOOT_STDIO,
    BOOT_FLAGS,
    BOOT_TEE,
    ATTEST_RET,
    ATTEST_LEN,
    NET_HANDLE,
    NET_HANDLE_FAKE,
    NET_RECV_OVER,
    NET_FLIP,
    NET_FLIP_LATE,
    NET_INJECT,
    WAIT_COUNT,
    WAIT_JUNK,
    LIE_COUNT
};

static const char *const lie_names[LIE_COUNT] = {
    [READ_OVER] = "read-over",         [READ_OVERBUF] = "read-overbuf",
    [WRITE_OVER] = "write-over",       [READ_SHORT] = "read-short",
    [WRITE_SHORT] = "write-short",     [ERRNO_4096] = "errno-4096",
    [ERRNO_1000000] = "errno-1000000", [ERRNO_MIN] = "errno-min",
    [STAT_RET] = "stat-ret",           [STAT_MODE] = "stat-mode",
    [STAT_SIZE] = "stat-size",         [STAT_FLAGS] = "stat-flags",
    [IOCTL_RET] = "ioctl-ret",         [SEEK_SET_LIE] = "seek-set",
    [SEEK_NEG] = "seek-neg",           [SLEEP_EARLY] = "sleep-early",
    [BOOT_TSC_0] = "boot-tsc-0",       [BOOT_TSC_1HZ] = "boot-tsc-1hz",
    [BOOT_TSC_HUGE] = "boot-tsc-huge", [BOOT_TSC_FUTURE] = "boot-tsc-future",
    [BOOT_REALTIME] = "boot-realtime", [BOOT_MONOTONIC] = "boot-monotonic",
    [BOOT_MAGIC] = "boot-magic",       [BOOT_ABI] = "boot-abi",
    [BOOT_MEM] = "boot-mem",           [BOOT_VCPUS] = "boot-vcpus",
    [BOOT_ARGC] = "boot-argc",         [BOOT_ARGS_SIZE] = "boot-args-size",
    [BOOT_ARGS_NUL] = "boot-args-nul", [BOOT_STDIO] = "boot-stdio",
    [BOOT_FLAGS] = "boot-flags",       [BOOT_TEE] = "boot-tee",
    [ATTEST_RET] = "attest-ret",       [ATTEST_LEN] = "attest-len",
    [NET_HANDLE] = "net-handle",       [NET_HANDLE_FAKE] = "net-handle-fake",
    [NET_RECV_OVER] = "net-recv-over", [NET_FLIP] = "net-flip",
    [NET_FLIP_LATE] = "net-flip-late", [NET_INJECT] = "net-inject",
    [WAIT_COUNT] = "wait-count",       [WAIT_JUNK] = "wait-junk",
};

/* Set once, from the boot-info hook, before the vCPU thread starts. */
static uint64_t lies;
static int flipped;       /* the net-flip lies and net-inject bend one answer, not all */
static uint64_t relayed;  /* bytes of the broker's stream relayed so far */
#define LATE_OFFSET 1200u /* past the TLS handshake: the broker's HTTP answers */

static int lying(enum lie l)
{
    return (lies >> l) & 1;
}

static int parse_lies(const char *spec)
{
    char buf[512];
    if (!spec || !*spec)
        return 0;
    if (strlen(spec) >= sizeof(buf))
        return -1;
    strcpy(buf, spec);
    for (char *save, *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        int found = -1;
        for (int i = 0; i < LIE_COUNT && found < 0; i++)
            if (!strcmp(k, lie_names[i]))
                found = i;
        if (found < 0)
            return -1;
        lies |= 1ull << found;
    }
    return 0;
}

int iago_boot_info(struct cl_boot_info *bi)
{
    if (parse_lies(getenv("CLOISTER_IAGO")) < 0)
        return -1;
    char *args = (char *)bi + (CL_GPA_ARGS - CL_GPA_BOOT_INFO); /* RAM is contiguous */
    if (lying(BOOT_TSC_0))
        bi->tsc_hz = 0;
    if (lying(BOOT_TSC_1HZ))
        bi->tsc_hz = 1;
    if (lying(BOOT_TSC_HUGE))
        bi->tsc_hz = UINT64_MAX;
    if (lying(BOOT_TSC_FUTURE))
        bi->boot_tsc += bi->tsc_hz * 3600; /* the guest's clock starts an hour ahead */
    if (lying(BOOT_REALTIME))
        bi->boot_realtime_ns = INT64_MIN;
    if (lying(BOOT_MONOTONIC))
        bi->boot_monotonic_ns = INT64_MAX;
    if (lying(BOOT_MAGIC))
        bi->magic ^= 1;
    if (lying(BOOT_ABI))
        bi->abi_version = CL_ABI_VERSION + 1;
    if (lying(BOOT_MEM))
        bi->mem_size -= CL_LARGE_PAGE; /* still valid on its own, not the manifest's */
    if (lying(BOOT_VCPUS))
        bi->nr_vcpus += 1;
    if (lying(BOOT_ARGC))
        bi->extra_argc += 1;
    if (lying(BOOT_ARGS_SIZE))
        bi->extra_args_size = CL_ARGS_SIZE + 1;
    if (lying(BOOT_ARGS_NUL) && bi->extra_args_size + 4 <= CL_ARGS_SIZE) {
        memcpy(args + bi->extra_args_size, "evil", 4); /* no NUL after it */
        bi->extra_args_size += 4;
        bi->extra_argc += 1;
    }
    if (lying(BOOT_STDIO))
        bi->stdio_flags[1] |= 0x10000000u;
    if (lying(BOOT_FLAGS))
        bi->flags |= 0x100u;
    if (lying(BOOT_TEE))
        bi->tee = 7;
    if (lying(IOCTL_RET))
        bi->stdio_flags[1] |= CL_STDIO_TTY; /* so that the shim asks the host */
    return 0;
}

void iago_before(struct hc_ctx *c)
{
    uint64_t *a = c->req.args;
    if (c->req.nr == CL_HC_FD_READ && lying(READ_SHORT) && a[1] > 3)
        a[1] = 3;
    if (c->req.nr == CL_HC_FD_WRITE && lying(WRITE_SHORT) && a[1] > 7)
        a[1] = 7;
    if ((c->req.nr == CL_HC_SLEEP || c->req.nr == CL_HC_WAIT) && lying(SLEEP_EARLY))
        a[0] /= 1000; /* wakes a thousand times too early */
}

static void bend_stat(struct hc_ctx *c)
{
    struct cl_host_stat st;
    memcpy(&st, c->data, sizeof(st));
    if (lying(STAT_MODE))
        st.mode = 0170000u | (st.mode & 07777u); /* S_IFMT all set: no file type */
    if (lying(STAT_SIZE)) {
        st.mode = 0100000u | (st.mode & 07777u);
        st.size = -4096;
    }
    if (lying(STAT_FLAGS))
        st.fl_flags |= 0x40000000u;
    memcpy(c->data, &st, sizeof(st));
    if (lying(STAT_RET))
        c->ret = 32;
}

static void bend_recv(struct hc_ctx *c)
{
    uint64_t asked = c->req.args[1];
    if (c->ret < 0)
        return;
    if (lying(NET_RECV_OVER))
        c->ret = (int64_t)asked + 1;
    /* a byte flipped in the middle of the broker's first answer, or one added to it */
    if (lying(NET_FLIP) && !flipped && c->ret > 8) {
        c->data[c->ret / 2] ^= 0x01;
        flipped = 1;
    }
    if (lying(NET_FLIP_LATE) && !flipped && relayed + (uint64_t)c->ret > LATE_OFFSET) {
        uint64_t at = relayed >= LATE_OFFSET ? 0 : LATE_OFFSET - relayed;
        c->data[at] ^= 0x01;
        flipped = 1;
    }
    relayed += (uint64_t)c->ret;
    if (lying(NET_INJECT) && !flipped && c->ret > 5 && (uint64_t)c->ret < asked) {
        memmove(c->data + 6, c->data + 5, (size_t)c->ret - 5);
        c->data[5] = 0x42;
        c->ret += 1;
        flipped = 1;
    }
}

void iago_after(struct hc_ctx *c)
{
    uint64_t *a = c->req.args;
    switch (c->req.nr) {
    case CL_HC_FD_READ:
        if (lying(READ_OVER) && c->ret >= 0)
            c->ret = (int64_t)a[1] + 1;
        if (lying(READ_OVERBUF) && c->ret >= 0)
            c->ret = (int64_t)CL_HC_DATA_SIZE + 4096;
        break;
    case CL_HC_FD_WRITE:
        if (lying(WRITE_OVER) && c->ret >= 0)
            c->ret = (int64_t)a[1] + 1;
        if (lying(ERRNO_4096))
            c->ret = -4096;
        if (lying(ERRNO_1000000))
            c->ret = -1000000;
        if (lying(ERRNO_MIN))
            c->ret = INT64_MIN;
        break;
    case CL_HC_FD_STAT:
        if (c->ret == 0)
            bend_stat(c);
        break;
    case CL_HC_FD_IOCTL:
        if (lying(IOCTL_RET))
            c->ret = 1;
        break;
    case CL_HC_FD_SEEK:
        if (lying(SEEK_SET_LIE) && a[2] == 0 /* SEEK_SET */ && c->ret >= 0)
            c->ret += 100;
        if (lying(SEEK_NEG))
            c->ret = -(1ll << 40);
        break;
    case CL_HC_ATTEST:
        if (lying(ATTEST_RET) && c->ret == 0)
            c->ret = 1184;
        if (lying(ATTEST_LEN) && c->ret == 0)
            c->rets[0] = CL_HC_DATA_SIZE; /* more certificates than fit after the report */
        break;
    case CL_HC_NET_CONNECT:
        if (lying(NET_HANDLE) && c->ret >= 0)
            c->ret = 1000;
        if (lying(NET_HANDLE_FAKE) && c->ret >= 0)
            c->ret = c->ret + 1; /* in range, and never opened */
        break;
    case CL_HC_NET_RECV:
        bend_recv(c);
        break;
    case CL_HC_WAIT:
        if (lying(WAIT_COUNT))
            c->ret = INT64_MAX; /* more events than the buffer holds */
        if (lying(WAIT_JUNK)) {
            /* events for handles and signals nobody asked about */
            struct cl_event junk[8];
            for (unsigned i = 0; i < 8; i++)
                junk[i] = (struct cl_event){
                    .kind = i % 4, .handle = i == 3 ? 9 : 0xffffff00u + i, .events = ~0u};
            memcpy(c->data, junk, sizeof(junk));
            c->ret = 8;
        }
        break;
    }
}

#endif /* CLOISTER_IAGO */
