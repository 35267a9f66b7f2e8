/* The report request to the (simulated) secure processor; see attest.h. */
#include "tee/attest.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "kernel/host_checks.h"
#include "kernel/panic.h"
#include "lib/lib.h"

static bool available;

void attest_init(bool on)
{
    available = on;
}

bool attest_available(void)
{
    return available;
}

s64 attest_report(u32 vmpl, const u8 report_data[64], u8 report[SNP_REPORT_SIZE], u8 *certs,
                  u64 certs_cap, u64 *certs_len)
{
    if (!available)
        return -ENODEV;
    if (vmpl > 3)
        return -EINVAL;
    u8 *buf = hcall_buffer();
    memcpy(buf, report_data, 64);
    s64 r = hcall(CL_HC_ATTEST, vmpl, certs ? 1 : 0, 0, 0, 0, 0);
    if (!hc_status_ok(r))
        panic("host answered a report request with %ld", r);
    if (r != 0)
        return r;
    u64 n = certs ? hcall_ret(0) : 0;
    /* the answer is the host's (the simulated processor): bound it before use; a table
     * longer than the buffer holds is a lie, one longer than the caller's room is not */
    if (n > CL_HC_DATA_SIZE - SNP_REPORT_SIZE)
        panic("host answered a report request with a %lu-byte certificate table", n);
    if (n > certs_cap)
        return -EIO;
    memcpy(report, buf, SNP_REPORT_SIZE);
    if (certs) {
        memcpy(certs, buf + SNP_REPORT_SIZE, n);
        *certs_len = n;
    }
    return 0;
}
