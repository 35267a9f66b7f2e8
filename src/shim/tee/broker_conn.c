/* Broker connections by hypercall; counts from the host are bounded before use. */
#include "tee/broker_conn.h"
#include "uapi/errno.h"
#include "arch/x86/hcall.h"
#include "lib/lib.h"

static s64 host_result(s64 r, u64 most)
{
    if (r < 0)
        return r >= -EMAXERRNO ? r : -EIO;
    return (u64)r <= most ? r : -EIO;
}

s64 broker_connect(u32 i)
{
    s64 h = hcall(CL_HC_NET_CONNECT, i, 0, 0, 0, 0, 0);
    return h < 0 ? host_result(h, 0) : (h < 16 ? h : -EIO);
}

s64 broker_send_all(s64 h, const void *p, size_t n)
{
    const u8 *b = p;
    while (n) {
        size_t k = MIN(n, CL_HC_DATA_SIZE);
        memcpy(hcall_buffer(), b, k);
        s64 r = host_result(hcall(CL_HC_NET_SEND, (u64)h, k, 0, 0, 0, 0), k);
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
    s64 r = host_result(hcall(CL_HC_NET_RECV, (u64)h, k, 0, 0, 0, 0), k);
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
    default:
        return "network error";
    }
}
