/* The shim image header (struct cl_shim_header), read by the monitor. */
#include <cloister/abi.h>

    .section .header, "a"
    .globl shim_header
shim_header:
    .long CL_SHIM_MAGIC
    .long CL_ABI_VERSION
    .quad shim_entry
    .quad CL_GPA_SHIM
    .quad __shim_file_size  /* file_size: up to the end of .data */
    .quad __shim_size   /* mem_size */
    .quad 0, 0, 0
