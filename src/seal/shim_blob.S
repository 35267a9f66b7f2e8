/* The shim, embedded in the monitor so that `cloister` is one self-contained file. */
    .section .rodata
    .balign 4096
    .globl cl_shim_blob, cl_shim_blob_end
cl_shim_blob:
    .incbin SHIM_BIN_PATH
cl_shim_blob_end:
    .section .note.GNU-stack, "", @progbits
