/* Starting the workload: its address-space layout, initial stack and registers. */
#ifndef SHIM_EXEC_H
#define SHIM_EXEC_H

#include "arch/x86/arch.h"
#include "lib/types.h"

struct file;

struct exec_args {
    struct file *file; /* the program, open */
    u64 file_size;
    const char *path;    /* its path in the guest (AT_EXECFN, /proc/self/exe) */
    const char *strings; /* argv then envp strings, each NUL-terminated */
    u64 strings_size;
    u32 argc, envc;
};

/* A copy of the path p[0..len), NUL-terminated, kept for the VM's life (one per
 * distinct path): what areas are named by. NULL without memory. */
const char *exec_intern_path(const char *p, size_t len);

/* Loads the program and prepares tf to enter it. 0, or -errno with *why set. */
int exec_prepare(const struct exec_args *a, struct trap_frame *tf, const char **why);

#endif
