/* The vDSO image (src/shim/vdso/), embedded in the shim; vdso_map.c maps it in. */
    .section .rodata
    .balign 4096
    .globl vdso_blob, vdso_blob_end
vdso_blob:
    .incbin VDSO_SO_PATH
vdso_blob_end:
    .balign 4096
