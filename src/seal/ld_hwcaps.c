/*
 * The CPU-dependent search subdirectories and platform of glibc 2.36's ld.so on x86-64
 * (ld_hwcaps.h), from CPUID.
 */
#include "seal/ld_hwcaps.h"

#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

/* The platforms glibc numbers for legacy ld.so.cache entries, from bit 48 on; on x86-64
 * only the last two can be the running platform. */
static const char *const numbered_platforms[] = {"i586", "i686", "haswell", "xeon_phi"};

static void add_subdir(struct ld_hwcaps *h, const char *s)
{
    if (h->nsubdirs < LD_HWCAPS_MAX_SUBDIRS)
        snprintf(h->subdirs[h->nsubdirs++], LD_HWCAPS_SUBDIR_LEN, "%s", s);
}

/*
 * The legacy part: every subset of names[0..n-1], the full set first and the empty set
 * last (subset number mask counts down), a subset written from its highest-numbered name
 * to its lowest, each followed by '/'. This is the order `LD_DEBUG=libs` shows.
 */
static void add_power_set(struct ld_hwcaps *h, const char *const *names, size_t n)
{
    for (unsigned mask = (1u << n); mask-- > 0;) {
        char buf[LD_HWCAPS_SUBDIR_LEN] = "";
        size_t len = 0;
        for (size_t i = n; i-- > 0;)
            if (mask & (1u << i))
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s/", names[i]);
        add_subdir(h, buf);
    }
}

void ld_hwcaps_compute(struct ld_hwcaps *h, const struct ld_cpu *cpu)
{
    memset(h, 0, sizeof(*h));
    h->isa_bits = 1u | (cpu->v2 ? 2u : 0) | (cpu->v2 && cpu->v3 ? 4u : 0) |
                  (cpu->v2 && cpu->v3 && cpu->v4 ? 8u : 0);
    if (h->isa_bits & 8u)
        h->levels[h->nlevels++] = "x86-64-v4";
    if (h->isa_bits & 4u)
        h->levels[h->nlevels++] = "x86-64-v3";
    if (h->isa_bits & 2u)
        h->levels[h->nlevels++] = "x86-64-v2";
    for (size_t i = 0; i < h->nlevels; i++) {
        char buf[LD_HWCAPS_SUBDIR_LEN];
        snprintf(buf, sizeof(buf), "glibc-hwcaps/%s/", h->levels[i]);
        add_subdir(h, buf);
    }

    /* Legacy hwcaps: "x86_64" always; on Intel, "avx512_1" and a platform by features. */
    const char *platform = cpu->at_platform;
    h->legacy_hwcap = LD_HWCAP_X86_64;
    if (cpu->intel) {
        const char *intel_platform = NULL;
        if (cpu->avx512cd) {
            if (cpu->avx512er) {
                if (cpu->avx512pf)
                    intel_platform = "xeon_phi";
            } else if (cpu->avx512bw && cpu->avx512dq && cpu->avx512vl) {
                h->legacy_hwcap |= LD_HWCAP_AVX512_1;
            }
        }
        if (!intel_platform && cpu->avx2 && cpu->fma && cpu->bmi1 && cpu->bmi2 && cpu->lzcnt &&
            cpu->movbe && cpu->popcnt)
            intel_platform = "haswell";
        if (intel_platform)
            platform = intel_platform;
    }
    const char *names[4];
    size_t n = 0;
    names[n++] = "x86_64";
    if (h->legacy_hwcap & LD_HWCAP_AVX512_1)
        names[n++] = "avx512_1";
    if (platform && *platform) {
        names[n++] = platform;
        snprintf(h->platform, sizeof(h->platform), "%s", platform);
        for (size_t i = 2; i < sizeof(numbered_platforms) / sizeof(*numbered_platforms); i++)
            if (strcmp(platform, numbered_platforms[i]) == 0)
                h->platform_bit = 1ull << (48 + i);
    }
    names[n++] = "tls";
    add_power_set(h, names, n);
}

static uint64_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

void ld_cpu_host(struct ld_cpu *c)
{
    memset(c, 0, sizeof(*c));
    unsigned a, b, cx, d, max;
    char vendor[13] = "";
    if (!__get_cpuid(0, &max, &b, &cx, &d))
        return;
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &cx, 4);
    c->intel = strcmp(vendor, "GenuineIntel") == 0;

    unsigned ecx1 = 0, ebx7 = 0, ecx81 = 0;
    if (__get_cpuid(1, &a, &b, &ecx1, &d) == 0)
        ecx1 = 0;
    if (max >= 7)
        __cpuid_count(7, 0, a, ebx7, cx, d);
    if (__get_cpuid(0x80000001, &a, &b, &ecx81, &d) == 0)
        ecx81 = 0;
    /* A feature with register state is usable only if the OS saves that state. */
    uint64_t x = (ecx1 & bit_OSXSAVE) ? xcr0() : 0;
    bool avx_state = (x & 0x6) == 0x6, avx512_state = (x & 0xe6) == 0xe6;

    bool avx = avx_state && (ecx1 & bit_AVX);
    c->avx2 = avx && (ebx7 & bit_AVX2);
    c->fma = avx && (ecx1 & bit_FMA);
    bool f16c = avx && (ecx1 & bit_F16C);
    c->bmi1 = ebx7 & bit_BMI;
    c->bmi2 = ebx7 & bit_BMI2;
    c->lzcnt = ecx81 & bit_LZCNT;
    c->movbe = ecx1 & bit_MOVBE;
    c->popcnt = ecx1 & bit_POPCNT;
    c->avx512f = avx512_state && (ebx7 & bit_AVX512F);
    c->avx512cd = c->avx512f && (ebx7 & bit_AVX512CD);
    c->avx512bw = c->avx512f && (ebx7 & bit_AVX512BW);
    c->avx512dq = c->avx512f && (ebx7 & bit_AVX512DQ);
    c->avx512vl = c->avx512f && (ebx7 & bit_AVX512VL);
    c->avx512er = c->avx512f && (ebx7 & bit_AVX512ER);
    c->avx512pf = c->avx512f && (ebx7 & bit_AVX512PF);

    /* The psABI's levels, as glibc tests them. */
    c->v2 = (ecx1 & bit_CMPXCHG16B) && (ecx81 & bit_LAHF_LM) && c->popcnt && (ecx1 & bit_SSE3) &&
            (ecx1 & bit_SSE4_1) && (ecx1 & bit_SSE4_2) && (ecx1 & bit_SSSE3);
    c->v3 = c->v2 && avx && c->avx2 && c->bmi1 && c->bmi2 && f16c && c->fma && c->lzcnt && c->movbe;
    c->v4 = c->v3 && c->avx512f && c->avx512bw && c->avx512cd && c->avx512dq && c->avx512vl;
    c->at_platform = (const char *)getauxval(AT_PLATFORM);
}

void ld_hwcaps_host(struct ld_hwcaps *h)
{
    struct ld_cpu c;
    ld_cpu_host(&c);
    ld_hwcaps_compute(h, &c);
}
