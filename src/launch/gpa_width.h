/*
 * Guest-physical address width: how many bits a host's guests may use, and whether a
 * launch fits in them.
 *
 * The guest-physical map is fixed (abi.h) and lies below 2^39, so the width is never an
 * input to the launch digest; it only decides whether this host can run the launch at
 * all. The monitor checks that before it creates a memslot, so that a host that cannot
 * run an image says so in one line instead of failing in a KVM ioctl.
 */
#ifndef CLOISTER_LAUNCH_GPA_WIDTH_H
#define CLOISTER_LAUNCH_GPA_WIDTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The width of guest-physical addresses from what KVM_GET_SUPPORTED_CPUID reports:
 * eax is leaf 0x80000008's EAX (0 if KVM lacks the leaf), ebx leaf 0x8000001F's EBX.
 * EAX[23:16] (GuestPhysBits, Linux 6.10 and later) when set, else EAX[7:0]; 36, the
 * architectural default, without the leaf. Under SEV-SNP (snp) EBX[11:6] bits are taken
 * off the top for memory encryption, and no address may reach the C-bit (EBX[5:0]).
 */
unsigned gpa_width_from_cpuid(uint32_t eax, bool snp, uint32_t ebx);

/* The first byte above every GPA a launch with mem_size bytes of RAM and image_size
 * bytes in the file window uses (image_size 0: no file window). */
uint64_t gpa_launch_end(uint64_t mem_size, uint64_t image_size);

/* The address bits GPAs below end need (end > 0). */
unsigned gpa_bits_needed(uint64_t end);

/* Whether RAM and the image fit the map itself (abi.h) and its boot page tables: 0, or
 * -1 with a one-line reason in err. Independent of the host. */
int gpa_layout_check(uint64_t mem_size, uint64_t image_size, char *err, size_t err_size);

/* Whether the launch fits a host whose guests have host_bits address bits: 0, or -1
 * with the one line naming both widths in err. */
int gpa_fit_check(unsigned host_bits, uint64_t mem_size, uint64_t image_size, char *err,
                  size_t err_size);

#endif
