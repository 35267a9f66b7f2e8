/*
 * The boot page tables a VM starts with: the kernel half only (abi.h's virtual map),
 * a pure function of the RAM size and the size of the file region, so that they can be
 * measured offline as part of the launch plan.
 */
#ifndef CLOISTER_LAUNCH_BOOT_PAGE_TABLES_H
#define CLOISTER_LAUNCH_BOOT_PAGE_TABLES_H

#include <stdint.h>

#include <cloister/abi.h>

/* GiB of RAM and file window the tables can map together: CL_PAGE_TABLES_MAX pages
 * less the PML4, the kernel image's PDPT and PD, the physmap's PDPT and the doorbell's
 * PD; then one PD per GiB of RAM and per GiB of the file window. */
#define BOOT_PAGE_TABLES_GIB_MAX (CL_PAGE_TABLES_MAX - 5u)

/*
 * Builds the tables into pages (CL_PAGE_TABLES_MAX pages of 4 KiB, to be placed at
 * CL_GPA_PAGE_TABLES, the PML4 first). Returns the number of pages used, or 0 if they
 * do not fit.
 */
unsigned boot_page_tables_build(uint64_t mem_size, uint64_t files_size, uint8_t *pages);

#endif
