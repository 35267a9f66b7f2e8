/* Broker connections by hypercall. The host's answers are checked before use
 * (kernel/host_checks.h): a count larger than asked, an error Linux has no number for,
 * a handle out of range ends the run in one line (docs/iago.md). The
 * bytes themselves are the TLS layer's and the broker protocol's to check. */
#include "tee/broker_conn.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "kernel/host_checks.h"
#include "kernel/panic.h"
#include "lib/lib.h"

/* The monitor's connections are few (VM_MAX_NET); a larger handle is none it opened.
 * One in range that it never opened fails the first send with EBADF. */
#define HANDLES_MAX 16

static s64 host_result(s64 r, u64 most, const char *what)
{
    if (!hc_count_ok(r, most))
        panic("host answered a broker %s of %lu bytes with %ld", what, most, r);
    return r;
}

s64 broker_connect(u32 i)
{
    s64 h = hcall(CL_HC_NET_CONNECT, i, 0, 0, 0, 0, 0);
    if (!hc_handle_ok(h, HANDLES_MAX))
        panic("host answered a broker connection with handle %ld, which it never opened", h);
    return h;
}

s64 broker_send_all(s64 h, const void *p, size_t n)
{
    const u8 *b = p;
    while (n) {
        size_t k = MIN(n, CL_HC_DATA_SIZE);
        memcpy(hcall_buffer(), b, k);
        s64 r = host_result(hcall(CL_HC_NET_SEND, (u64)h, k, 0, 0, 0, 0), k, "send");
        if (r <= 0)
            return r < 0 ? r : -EIO;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

s64 broker_recv(s64 h, void *p, size_t n)
{
    size_t k = MIN(n, CL_HC_DATA_SIZE);
    s64 r = host_result(hcall(CL_HC_NET_RECV, (u64)h, k, 0, 0, 0, 0), k, "receive");
    if (r > 0)
        memcpy(p, hcall_buffer(), (size_t)r);
    return r;
}

void broker_close(s64 h)
{
    hcall(CL_HC_NET_CLOSE, (u64)h, 0, 0, 0, 0, 0);
}

const char *broker_error_text(s64 err)
{
    switch (-err) {
    case EPERM:
        return "the manifest declares no such broker";
    case ECONNREFUSED:
        return "connection refused";
    case ETIMEDOUT:
        return "timed out";
    case EHOSTUNREACH:
        return "host unreachable";
    case ENETUNREACH:
        return "network unreachable";
    case ECONNRESET:
        return "connection reset";
    case EPIPE:
        return "connection closed";
    case EMFILE:
        return "too many connections";
    case EBADMSG:
        return "the TLS stream failed its checks (changed on the way)";
    default:
        return "network error";
    }
}
