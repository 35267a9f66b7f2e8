/*
 * Lays out guest memory before the first instruction: the shim image, the boot page
 * tables and the boot-info page with the workload's arguments (abi.h's memory map).
 */
#ifndef CLOISTER_VMM_BOOT_LAYOUT_H
#define CLOISTER_VMM_BOOT_LAYOUT_H

#include "vmm/vm.h"

/* Copies the embedded shim to CL_GPA_SHIM after checking its header; *entry gets the
 * virtual address to start at. */
int load_shim(struct vm *vm, uint64_t *entry);

/* Builds the boot page tables (kernel half only) at CL_GPA_PAGE_TABLES; *cr3 gets the
 * PML4's address. */
int build_page_tables(struct vm *vm, uint64_t *cr3);

/* Writes argv then envp strings into the argument area; fills the counts in bi. */
int write_args(struct vm *vm, struct cl_boot_info *bi, int argc, char *const *argv, int envc,
               char *const *envp);

#endif
