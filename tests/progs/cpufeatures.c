/*
 * What user code learns from CPUID must match what the kernel enabled: glibc picks its
 * string functions by it. Checks OSXSAVE against XCR0, and runs an SSE, an AVX and an
 * AVX-512 instruction exactly when CPUID and XCR0 say they are usable.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

int main(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, sse2 = (d >> 26) & 1;
    printf("sse2 %d osxsave %d\n", sse2, osxsave);
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    int avx_usable = osxsave && avx && (xcr0 & 6) == 6;
    __cpuid_count(7, 0, a, b, c, d);
    int avx512_usable = avx_usable && ((b >> 16) & 1) && (xcr0 & 0xe6) == 0xe6;
    printf("avx usable %d avx512f usable %d\n", avx_usable, avx512_usable);
    float in[16] = {1, 2, 3, 4}, out[16];
    __asm__ volatile("movups %1, %%xmm0; addps %%xmm0, %%xmm0; movups %%xmm0, %0"
                     : "=m"(*(float(*)[4])out) : "m"(*(float(*)[4])in) : "xmm0");
    printf("sse: %g\n", out[3]);
    if (avx_usable) {
        __asm__ volatile("vmovups %1, %%ymm1; vaddps %%ymm1, %%ymm1, %%ymm1; vmovups %%ymm1, %0"
                         : "=m"(*(float(*)[8])out) : "m"(*(float(*)[8])in) : "xmm1");
        printf("avx: %g\n", out[3]);
    }
    if (avx512_usable) {
        __asm__ volatile("vmovups %1, %%zmm2; vaddps %%zmm2, %%zmm2, %%zmm2; vmovups %%zmm2, %0"
                         : "=m"(*(float(*)[16])out) : "m"(*(float(*)[16])in) : "xmm2");
        printf("avx512: %g\n", out[3]);
    }
    return 0;
}
