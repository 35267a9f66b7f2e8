/*
 * Unit tests for the guest-physical address width (src/launch/gpa_width.c): the width
 * read from KVM's CPUID, the fit of a launch in it at the widths real hosts have (39
 * bits: Intel client parts; 40: QEMU's default; 46: Intel servers; 48: AMD EPYC), and
 * the limits of the map itself, checked against the boot page tables that map it.
 */
#include "launch/boot_page_tables.h"
#include "launch/gpa_width.h"
#include "unit.h"

#include <cloister/abi.h>

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static void test_width_from_cpuid(void)
{
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3030, false, 0), 48);
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3027, false, 0), 39);
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3028, false, 0), 40);
    CHECK_EQ_INT(gpa_width_from_cpuid(0x302e, false, 0), 46);
    /* GuestPhysBits (EAX[23:16]) wins: 52-bit MAXPHYADDR with 4-level nested paging */
    CHECK_EQ_INT(gpa_width_from_cpuid(0x303034, false, 0), 48);
    CHECK_EQ_INT(gpa_width_from_cpuid(0x2e3034, false, 0), 46);
    /* no leaf: the architectural default */
    CHECK_EQ_INT(gpa_width_from_cpuid(0, false, 0), 36);
    /* without SEV-SNP, leaf 0x8000001F does not matter */
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3030, false, 51 | 5 << 6), 48);
}

static void test_width_under_snp(void)
{
    /* EPYC, 48 bits, C-bit 47, 5 bits for memory encryption: 43 */
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3030, true, 47 | 5 << 6), 43);
    /* 52 bits, C-bit 51, one bit taken: 51 */
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3034, true, 51 | 1 << 6), 51);
    /* nothing reaches the C-bit, whatever the reduction says */
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3034, true, 45 | 1 << 6), 45);
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3030, true, 0), 48);
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3027, true, 51 | 1 << 6), 38);
    CHECK_EQ_INT(gpa_width_from_cpuid(0x3004, true, 8 << 6), 0);
}

static void test_bits_needed(void)
{
    CHECK_EQ_INT(gpa_bits_needed(1), 0);
    CHECK_EQ_INT(gpa_bits_needed(2), 1);
    CHECK_EQ_INT(gpa_bits_needed(1ull << 39), 39);
    CHECK_EQ_INT(gpa_bits_needed((1ull << 39) + 1), 40);
    CHECK_EQ_INT(gpa_launch_end(256 * MIB, 0), CL_GPA_DOORBELL + CL_PAGE_SIZE);
    CHECK_EQ_INT(gpa_launch_end(256 * MIB, 8192), CL_GPA_FILES + 8192);
    CHECK_EQ_INT(gpa_launch_end(CL_MEM_MAX, CL_FILES_MAX_SIZE), 1ull << 39);
}

/* Every launch the map allows fits 39 bits, so it runs on 39, 40, 46 and 48. */
static void test_fits_every_width(void)
{
    static const unsigned widths[] = {39, 40, 46, 48, 52};
    static const uint64_t mems[] = {32 * MIB, 256 * MIB, 4 * GIB, 200 * GIB, CL_MEM_MAX};
    static const uint64_t images[] = {4096, 64 * MIB, 35 * GIB, CL_FILES_MAX_SIZE};
    char err[256];
    for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
        for (size_t m = 0; m < sizeof(mems) / sizeof(mems[0]); m++)
            for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
                err[0] = 0;
                CHECK_EQ_INT(gpa_fit_check(widths[w], mems[m], images[i], err, sizeof(err)), 0);
                CHECK_STREQ(err, "");
            }
}

static void test_refused_below_39(void)
{
    char err[256];
    CHECK_EQ_INT(gpa_fit_check(38, 256 * MIB, 4096, err, sizeof(err)), -1);
    CHECK_STREQ(err, "this host's guests have 38 physical address bits; this image needs 39 "
                     "(docs/architecture.md, \"The guest-physical map\")");
    CHECK_EQ_INT(gpa_fit_check(36, 32 * MIB, 0, err, sizeof(err)), -1);
    CHECK_STREQ(err, "this host's guests have 36 physical address bits; this image needs 38 "
                     "(docs/architecture.md, \"The guest-physical map\")");
    CHECK_EQ_INT(gpa_fit_check(0, 32 * MIB, 4096, err, sizeof(err)), -1);
    CHECK_EQ_INT(gpa_fit_check(255, 32 * MIB, 4096, err, sizeof(err)), 0);
}

static void test_layout_limits(void)
{
    char err[256];
    CHECK_EQ_INT(gpa_layout_check(234 * GIB, 4096, err, sizeof(err)), 0);
    CHECK_EQ_INT(gpa_layout_check(32 * MIB, 234 * GIB, err, sizeof(err)), 0);
    /* the map's own limits come first; the page tables then bound the sum */
    CHECK_EQ_INT(gpa_layout_check(CL_MEM_MAX, 4096, err, sizeof(err)), -1);
    CHECK_STREQ(err, "memory (255G) and image (4K) need more boot page tables than there is "
                     "room for: together at most 235G, each rounded up to whole GiB");
    CHECK_EQ_INT(gpa_layout_check(CL_MEM_MAX + 2 * MIB, 4096, err, sizeof(err)), -1);
    CHECK_STREQ(err, "memory size 261122M is more than the 255G of RAM the guest-physical map "
                     "has room for");
    CHECK_EQ_INT(gpa_layout_check(256 * MIB, CL_FILES_MAX_SIZE + 4096, err, sizeof(err)), -1);
    CHECK_STREQ(err, "the image is 268435460K, more than the 256G file window of the "
                     "guest-physical map");
    CHECK_EQ_INT(gpa_layout_check(200 * GIB, 35 * GIB, err, sizeof(err)), 0);
    CHECK_EQ_INT(gpa_layout_check(200 * GIB, 35 * GIB + 4096, err, sizeof(err)), -1);
    CHECK_STREQ(err, "memory (200G) and image (36700164K) need more boot page tables than "
                     "there is room for: together at most 235G, each rounded up to whole GiB");
}

/* The GPA that va maps to through the boot tables, or ~0 if it maps none. */
static uint64_t walk(const uint8_t *pages, uint64_t va)
{
    uint64_t table = CL_GPA_PAGE_TABLES;
    for (int shift = 39; shift >= 21; shift -= 9) {
        const uint64_t *t = (const uint64_t *)(pages + (table - CL_GPA_PAGE_TABLES));
        uint64_t e = t[(va >> shift) & 511];
        if (!(e & 1))
            return ~0ull;
        if (shift == 21)
            return (e & 0x000fffffffe00000ull) + (va & (CL_LARGE_PAGE - 1));
        table = e & 0x000ffffffffff000ull;
    }
    return ~0ull;
}

/* gpa_layout_check's page-table limit is the builder's: what it allows is built, with
 * RAM, the doorbell and the whole file window in the physmap; one GiB more is not. */
static void test_layout_matches_page_tables(void)
{
    static uint8_t pages[CL_PAGE_TABLES_MAX * CL_PAGE_SIZE];
    uint64_t mem = 200 * GIB, image = 35 * GIB;
    CHECK(boot_page_tables_build(mem, image, pages) > 0);
    CHECK_EQ_INT(walk(pages, CL_PHYSMAP_BASE + mem - 1), mem - 1);
    CHECK_EQ_INT(walk(pages, CL_PHYSMAP_BASE + mem), ~0ull);
    CHECK_EQ_INT(walk(pages, CL_PHYSMAP_BASE + CL_GPA_DOORBELL), CL_GPA_DOORBELL);
    CHECK_EQ_INT(walk(pages, CL_PHYSMAP_BASE + CL_GPA_FILES), CL_GPA_FILES);
    CHECK_EQ_INT(walk(pages, CL_PHYSMAP_BASE + CL_GPA_FILES + image - 1), CL_GPA_FILES + image - 1);
    CHECK_EQ_INT(walk(pages, CL_PHYSMAP_BASE + CL_GPA_FILES + image), ~0ull);
    CHECK_EQ_INT(walk(pages, CL_KERNEL_BASE + CL_GPA_SHIM), CL_GPA_SHIM);
    CHECK_EQ_INT(boot_page_tables_build(mem, image + GIB, pages), 0);
    CHECK_EQ_INT(boot_page_tables_build(mem + GIB, image, pages), 0);
}

int main(void)
{
    RUN(width_from_cpuid);
    RUN(width_under_snp);
    RUN(bits_needed);
    RUN(fits_every_width);
    RUN(refused_below_39);
    RUN(layout_limits);
    RUN(layout_matches_page_tables);
    UNIT_EXIT();
}
