/*
 * /dev/sev-guest, as Linux's sev-guest driver offers it: SNP_GET_REPORT and
 * SNP_GET_EXT_REPORT with Linux's structures and errors, so that tools written for
 * SEV-SNP guests (snpguest, go-sev-guest, trustee's attester) work unmodified.
 * SNP_GET_DERIVED_KEY is not offered yet (-ENOTTY).
 */
#include "tee/attest.h"
#include "uapi/errno.h"
#include "fs/file.h"
#include "lib/lib.h"
#include "mm/uaccess.h"
#include "fs/vfs.h"

#define SNP_GET_REPORT                0xc0205300u
#define SNP_GET_DERIVED_KEY           0xc0205301u
#define SNP_GET_EXT_REPORT            0xc0205302u
#define SEV_RET_NO_FW_CALL            0xffu
#define SNP_GUEST_VMM_ERR_INVALID_LEN 1u
#define MSG_REPORT_RSP_HDR            32 /* status, report_size, 24 reserved bytes */

struct snp_guest_request_ioctl {
    u8 msg_version;
    u8 pad[7];
    u64 req_data;
    u64 resp_data;
    u64 exitinfo2; /* fw_error (low 32 bits), vmm_error (high 32 bits) */
};
_Static_assert(sizeof(struct snp_guest_request_ioctl) == 32, "snp_guest_request_ioctl");

struct snp_report_req {
    u8 user_data[64];
    u32 vmpl;
    u8 rsvd[28];
};
_Static_assert(sizeof(struct snp_report_req) == 96, "snp_report_req");

struct snp_ext_report_req {
    struct snp_report_req data;
    u64 certs_address;
    u32 certs_len;
    u32 pad;
};
_Static_assert(sizeof(struct snp_ext_report_req) == 112, "snp_ext_report_req");

static u8 certs[SNP_CERTS_MAX];

/* The 4000-byte snp_report_resp: the MSG_REPORT_RSP message the firmware returns. */
static s64 put_response(u64 uresp, const u8 report[SNP_REPORT_SIZE])
{
    static u8 resp[MSG_REPORT_RSP_HDR + SNP_REPORT_SIZE];
    memzero(resp, sizeof(resp));
    u32 size = SNP_REPORT_SIZE; /* status 0: success */
    memcpy(resp + 4, &size, 4);
    memcpy(resp + MSG_REPORT_RSP_HDR, report, SNP_REPORT_SIZE);
    return copy_to_user(uresp, resp, sizeof(resp)) ? -EFAULT : 0;
}

static s64 get_report(struct snp_guest_request_ioctl *io, bool ext)
{
    struct snp_ext_report_req req;
    memzero(&req, sizeof(req));
    if (!io->req_data || !io->resp_data)
        return -EINVAL;
    if (copy_from_user(&req, io->req_data, ext ? sizeof(req) : sizeof(req.data)))
        return -EFAULT;
    bool want_certs = ext && req.certs_len && req.certs_address;
    if (want_certs && (req.certs_len > SNP_CERTS_MAX || (req.certs_len & 4095)))
        return -EINVAL;
    static u8 report[SNP_REPORT_SIZE];
    u64 certs_len = 0;
    s64 err = attest_report(req.data.vmpl, req.data.user_data, report, want_certs ? certs : NULL,
                            sizeof(certs), &certs_len);
    if (err == -EINVAL || err == -EFAULT)
        return err;
    if (err) {
        io->exitinfo2 = SEV_RET_NO_FW_CALL;
        return -EIO;
    }
    io->exitinfo2 = 0;
    if (want_certs && certs_len > req.certs_len) {
        /* as Linux: say how many bytes are needed and fail the call */
        req.certs_len = (u32)ALIGN_UP(certs_len, 4096);
        if (copy_to_user(io->req_data, &req, sizeof(req)))
            return -EFAULT;
        io->exitinfo2 = (u64)SNP_GUEST_VMM_ERR_INVALID_LEN << 32;
        return -EIO;
    }
    if (want_certs) {
        /* the blob is zero-filled past the table, as the driver's buffer is */
        memzero(certs + certs_len, req.certs_len - certs_len);
        if (copy_to_user(req.certs_address, certs, req.certs_len))
            return -EFAULT;
    }
    return put_response(io->resp_data, report);
}

s64 sev_guest_ioctl(struct file *f, u64 cmd, u64 arg)
{
    struct snp_guest_request_ioctl io;
    if (cmd != SNP_GET_REPORT && cmd != SNP_GET_EXT_REPORT && cmd != SNP_GET_DERIVED_KEY)
        return -ENOTTY;
    if (copy_from_user(&io, arg, sizeof(io)))
        return -EFAULT;
    io.exitinfo2 = SEV_RET_NO_FW_CALL;
    if (!io.msg_version)
        return -EINVAL;
    s64 ret;
    if (cmd == SNP_GET_DERIVED_KEY)
        ret = -ENOTTY; /* key derivation needs the VMPCK: with the real backend */
    else
        ret = get_report(&io, cmd == SNP_GET_EXT_REPORT);
    if (io.exitinfo2 && copy_to_user(arg, &io, sizeof(io)))
        return -EFAULT;
    return ret;
}
