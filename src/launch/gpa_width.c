/* Guest-physical address width and the fit of a launch in it (gpa_width.h). */
#include "launch/gpa_width.h"

#include <cloister/abi.h>

#include "launch/boot_page_tables.h"
#include "common/error_line.h"
#include "image/manifest_json.h"

#define GIB           (1ull << 30)
#define MAXPHYADDR_36 36u /* what the SDM and APM assume without leaf 0x80000008 */

unsigned gpa_width_from_cpuid(uint32_t eax, bool snp, uint32_t ebx)
{
    unsigned phys = eax & 0xff, guest = (eax >> 16) & 0xff;
    unsigned bits = guest ? guest : phys ? phys : MAXPHYADDR_36;
    if (snp) {
        unsigned cbit = ebx & 0x3f, reduction = (ebx >> 6) & 0x3f;
        bits = reduction < bits ? bits - reduction : 0;
        if (cbit && cbit < bits)
            bits = cbit;
    }
    return bits;
}

uint64_t gpa_launch_end(uint64_t mem_size, uint64_t image_size)
{
    uint64_t end = CL_GPA_DOORBELL + CL_PAGE_SIZE; /* every launch has the doorbell */
    if (mem_size > end)
        end = mem_size;
    if (image_size && CL_GPA_FILES + image_size > end)
        end = CL_GPA_FILES + image_size;
    return end;
}

unsigned gpa_bits_needed(uint64_t end)
{
    unsigned bits = 0;
    for (uint64_t last = end - 1; last; last >>= 1)
        bits++;
    return bits;
}

static uint64_t gib_up(uint64_t n)
{
    return n / GIB + (n % GIB != 0);
}

int gpa_layout_check(uint64_t mem_size, uint64_t image_size, char *err, size_t err_size)
{
    char mem[32], image[32];
    manifest_format_size(mem_size, mem, sizeof(mem));
    manifest_format_size(image_size, image, sizeof(image));
    if (mem_size > CL_MEM_MAX)
        return error_line(err, err_size,
                          "memory size %s is more than the %lluG of RAM the guest-physical "
                          "map has room for",
                          mem, (unsigned long long)(CL_MEM_MAX / GIB));
    if (image_size > CL_FILES_MAX_SIZE)
        return error_line(err, err_size,
                          "the image is %s, more than the %lluG file window of the "
                          "guest-physical map",
                          image, (unsigned long long)(CL_FILES_MAX_SIZE / GIB));
    if (gib_up(mem_size) + gib_up(image_size) > BOOT_PAGE_TABLES_GIB_MAX)
        return error_line(err, err_size,
                          "memory (%s) and image (%s) need more boot page tables than there "
                          "is room for: together at most %uG, each rounded up to whole GiB",
                          mem, image, BOOT_PAGE_TABLES_GIB_MAX);
    return 0;
}

int gpa_fit_check(unsigned host_bits, uint64_t mem_size, uint64_t image_size, char *err,
                  size_t err_size)
{
    uint64_t end = gpa_launch_end(mem_size, image_size);
    unsigned need = gpa_bits_needed(end);
    /* host_bits >= 64 cannot happen (8 bits of CPUID, < 64 by architecture); the test
     * keeps the shift below defined if a broken KVM says otherwise */
    if (host_bits < 64 && end > 1ull << host_bits)
        return error_line(err, err_size,
                          "this host's guests have %u physical address bits; "
                          "this image needs %u (docs/architecture.md, \"The guest-physical "
                          "map\")",
                          host_bits, need);
    return 0;
}
