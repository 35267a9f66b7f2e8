/* ELF64 structures (the subset the loader reads) and the loader's interface. */
#ifndef SHIM_ELF_H
#define SHIM_ELF_H

#include "lib/types.h"

#define ET_EXEC      2
#define ET_DYN       3
#define EM_X86_64    62
#define PT_LOAD      1
#define PT_INTERP    3
#define PT_PHDR      6
#define PT_GNU_STACK 0x6474e551
#define PF_X         1
#define PF_W         2
#define PF_R         4

struct elf64_ehdr {
    u8 e_ident[16];
    u16 e_type, e_machine;
    u32 e_version;
    u64 e_entry, e_phoff, e_shoff;
    u32 e_flags;
    u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
    u32 p_type, p_flags;
    u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf_image {
    char interp[4096]; /* PT_INTERP's path, or "" */
    u64 entry;         /* entry point, relocated */
    u64 phdr;          /* where the program headers are in memory */
    u64 phnum;
    u64 bias; /* load bias (0 for ET_EXEC) */
    u64 end;  /* first byte above the highest segment */
};

struct file;

/*
 * Checks the ELF file open as f (size bytes, an image file) and loads its segments
 * into the user address space. Returns 0, or -errno with *why set to a one-line reason.
 */
enum elf_role { ELF_PROGRAM, ELF_INTERPRETER };

int elf_load(struct file *f, u64 size, enum elf_role role, const char *name, struct elf_image *out,
             const char **why);

#endif
