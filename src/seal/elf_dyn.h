/*
 * What the dynamic loader reads from an ELF file before it loads it: the header checks
 * ld.so applies, PT_INTERP, and the names in the dynamic section.
 *
 * Every byte comes from a host file we do not trust (a library on the builder's disk may
 * be truncated, corrupt or hostile): each offset, size and count is checked against the
 * file before it is used, with overflow-safe arithmetic, and a bad file gives a message,
 * never a crash. The file is read with pread(), not mapped or read whole: libraries can
 * be hundreds of megabytes and we need a few kilobytes of each.
 */
#ifndef CLOISTER_SEAL_ELF_DYN_H
#define CLOISTER_SEAL_ELF_DYN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * How ld.so treats a file it found while searching, from its header alone. ELF_OTHER_ARCH
 * (a 32-bit or non-x86-64 file) is skipped and the search goes on, as on a host with
 * multilib directories; any other defect (not ELF, big-endian, a bad version or OS ABI,
 * a core file) stops ld.so with an error, so it is ELF_BAD here too.
 */
enum elf_verdict {
    ELF_BAD = -1,
    ELF_USABLE = 0,
    ELF_OTHER_ARCH = 1,
};

/* A dependency entry of the dynamic section. */
struct elf_dep_name {
    char *name;
    int64_t tag; /* DT_NEEDED, DT_AUXILIARY or DT_FILTER */
};

struct elf_dyn {
    uint16_t type;               /* ET_EXEC or ET_DYN */
    char *interp;                /* PT_INTERP, or NULL */
    bool has_dynamic;            /* a PT_DYNAMIC segment exists */
    struct elf_dep_name *needed; /* dependencies in dynamic-section order */
    size_t nneeded;
    char *soname, *rpath, *runpath; /* NULL when absent */
    uint64_t flags_1;               /* DT_FLAGS_1 (DF_1_NODEFLIB matters to the search) */
};

/*
 * Reads the open file fd. Returns ELF_USABLE with *out filled (free it with
 * elf_dyn_free), ELF_OTHER_ARCH with *out empty, or ELF_BAD with a one-line reason in err
 * (without the file name: the caller knows it) and *out empty.
 */
enum elf_verdict elf_dyn_read(int fd, struct elf_dyn *out, char *err, size_t err_size);

void elf_dyn_free(struct elf_dyn *e);

#endif
