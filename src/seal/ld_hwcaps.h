/*
 * The CPU-dependent parts of glibc 2.36's library search on x86-64: which subdirectories
 * ld.so tries inside every directory it searches, $PLATFORM, and which ld.so.cache
 * entries for a particular CPU level it may take.
 *
 * ld.so tries, in each search directory D and before D itself, D/glibc-hwcaps/x86-64-vN/
 * for every ISA level N the CPU supports (best first), then the "legacy hwcaps" power
 * set: every subset of {hwcap names, platform, "tls"}, largest first, each written in
 * reverse order ("tls/x86_64/x86_64/"), the empty subset being D itself. `ld.so --help`
 * lists the names and `LD_DEBUG=libs` shows the resulting paths; the unit test compares
 * our list with both. What decides the list is CPUID and AT_PLATFORM, so it is computed
 * from the host CPU: the image is built for the host it is built on.
 */
#ifndef CLOISTER_SEAL_LD_HWCAPS_H
#define CLOISTER_SEAL_LD_HWCAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The CPU facts ld.so's choices depend on (already "usable": the OS enables the state). */
struct ld_cpu {
    bool intel;      /* only Intel CPUs get a "haswell"/"xeon_phi" platform */
    bool v2, v3, v4; /* x86-64 psABI micro-architecture levels */
    bool avx2, fma, bmi1, bmi2, lzcnt, movbe, popcnt; /* the "haswell" platform test */
    bool avx512f, avx512cd, avx512bw, avx512dq, avx512vl, avx512er, avx512pf;
    const char *at_platform; /* the kernel's AT_PLATFORM, or NULL */
};

#define LD_HWCAPS_MAX_SUBDIRS 24 /* 3 glibc-hwcaps levels + 2^4 legacy subsets */
#define LD_HWCAPS_SUBDIR_LEN  64

struct ld_hwcaps {
    /* Subdirectories to try in each search directory, in order, each "" or ending in '/'. */
    char subdirs[LD_HWCAPS_MAX_SUBDIRS][LD_HWCAPS_SUBDIR_LEN];
    size_t nsubdirs;
    /* The glibc-hwcaps names the CPU supports, best first ("x86-64-v3", "x86-64-v2"). */
    const char *levels[3];
    size_t nlevels;
    /* Bit n set: ISA level n is supported (0 baseline, 1 v2, 2 v3, 3 v4). */
    uint32_t isa_bits;
    /* Legacy ld.so.cache hwcap bits the CPU has, and the platform's bit (or none). */
    uint64_t legacy_hwcap;
    uint64_t platform_bit; /* 0 when the platform is not one ld.so numbers ("x86_64") */
    char platform[16];     /* $PLATFORM; "" when unknown */
};

/* Computes the search facts for a given CPU (the tests use made-up ones). */
void ld_hwcaps_compute(struct ld_hwcaps *h, const struct ld_cpu *cpu);

/* The facts for the CPU we are running on (CPUID, XGETBV, AT_PLATFORM). */
void ld_cpu_host(struct ld_cpu *cpu);
void ld_hwcaps_host(struct ld_hwcaps *h);

/* Bits of the legacy hwcap field of ld.so.cache entries on x86-64 (glibc's numbering). */
#define LD_HWCAP_X86_64    (1ull << 1)
#define LD_HWCAP_AVX512_1  (1ull << 2)
#define LD_HWCAP_PLATFORMS (0xfull << 48) /* i586, i686, haswell, xeon_phi */
#define LD_HWCAP_TLS       (1ull << 63)

#endif
