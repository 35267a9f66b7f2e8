/* Hypercall transport: fill the request header, signal, read the answer. */
#include "arch/x86/hcall.h"
#include "arch/x86/arch.h"
#include "lib/lib.h"

u8 *hcall_buffer(void)
{
    return this_cpu()->hc_data;
}

s64 hcall(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
    volatile struct cl_hcall *h = this_cpu()->hcall;
    h->nr = nr;
    h->args[0] = a0;
    h->args[1] = a1;
    h->args[2] = a2;
    h->args[3] = a3;
    h->args[4] = a4;
    h->args[5] = a5;
    h->ret = -38; /* -ENOSYS unless the monitor answers */
    barrier();
    arch_hypercall_signal();
    barrier();
    return h->ret;
}

u64 hcall_ret(int i)
{
    volatile struct cl_hcall *h = this_cpu()->hcall;
    return h->rets[i];
}

void hlog(const char *fmt, ...)
{
    u8 *buf = hcall_buffer();
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf((char *)buf, CL_HC_DATA_SIZE, fmt, ap);
    va_end(ap);
    if (n >= (int)CL_HC_DATA_SIZE)
        n = CL_HC_DATA_SIZE - 1;
    hcall(CL_HC_LOG, (u64)n, 0, 0, 0, 0, 0);
}

void hcall_exit(int status)
{
    hcall(CL_HC_EXIT, (u64)(status & 0xff), 0, 0, 0, 0, 0);
    arch_halt(); /* the monitor never resumes us; if it does, stay stopped */
}
