/*
 * The ELF loader for static executables (ET_EXEC) and static PIE (ET_DYN without an
 * interpreter). The file is untrusted input: every offset and size is checked before
 * it is used, with overflow in mind.
 */
#include "kernel/elf.h"
#include "fs/file.h"
#include "fs/fs_image.h"
#include "mm/iov.h"
#include "uapi/errno.h"
#include "lib/lib.h"
#include "mm/mm.h"
#include "arch/x86/paging.h"
#include "arch/x86/random.h"
#include "mm/uaccess.h"
#include "fs/vfs.h"

#define ELF_ET_DYN_BASE 0x555555554000ull /* where Linux puts PIE programs on x86-64 */
#define MMAP_RND_PAGES  (1ull << 28)      /* 28 bits of randomness, as Linux's default */

static u32 prot_of(u32 pflags)
{
    return ((pflags & PF_R) ? PROT_READ : 0) | ((pflags & PF_W) ? PROT_WRITE : 0) |
           ((pflags & PF_X) ? PROT_EXEC : 0);
}

#define MAX_PHNUM 64

/* The headers, read once into shim memory: the file's bytes are not re-read after the
 * checks. */
static struct elf64_ehdr ehdr;
static struct elf64_phdr phdrs[MAX_PHNUM];

/* Validates the headers; fills lo/hi with the page-aligned span of the segments. */
static int check_headers(u64 size, u64 *lo, u64 *hi, const char **why)
{
    const struct elf64_ehdr *eh = &ehdr;
    if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0)
        return *why = "not an ELF file", -ENOEXEC;
    if (eh->e_ident[4] != 2 || eh->e_ident[5] != 1 || eh->e_machine != EM_X86_64)
        return *why = "not an x86-64 little-endian ELF file", -ENOEXEC;
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return *why = "ELF file is neither an executable nor a PIE", -ENOEXEC;
    if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 || eh->e_phnum > 64 ||
        eh->e_phoff > size || size - eh->e_phoff < (u64)eh->e_phnum * sizeof(struct elf64_phdr) ||
        !IS_ALIGNED(eh->e_phoff, 8))
        return *why = "ELF program headers out of bounds", -ENOEXEC;

    const struct elf64_phdr *ph = phdrs;
    u64 low = ~0ull, high = 0, prev_end = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP &&
            (ph[i].p_filesz < 2 || ph[i].p_filesz > PATH_MAX || ph[i].p_offset > size ||
             size - ph[i].p_offset < ph[i].p_filesz))
            return *why = "ELF interpreter path out of bounds", -ENOEXEC;
        if (ph[i].p_type != PT_LOAD)
            continue;
        const struct elf64_phdr *p = &ph[i];
        if (p->p_filesz > p->p_memsz || p->p_offset > size || size - p->p_offset < p->p_filesz)
            return *why = "ELF segment out of bounds", -ENOEXEC;
        if ((p->p_vaddr & (PAGE_SIZE - 1)) != (p->p_offset & (PAGE_SIZE - 1)))
            return *why = "ELF segment misaligned", -ENOEXEC;
        if (p->p_vaddr + p->p_memsz < p->p_vaddr || p->p_vaddr + p->p_memsz > CL_USER_TOP / 2)
            return *why = "ELF segment outside user space", -ENOEXEC;
        if (p->p_vaddr < prev_end)
            return *why = "ELF segments overlap or are not sorted", -ENOEXEC;

        prev_end = p->p_vaddr + p->p_memsz;
        low = MIN(low, ALIGN_DOWN(p->p_vaddr, PAGE_SIZE));
        high = MAX(high, ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE_SIZE));
    }
    if (high == 0)
        return *why = "ELF file has no loadable segment", -ENOEXEC;
    *lo = low;
    *hi = high;
    return 0;
}

/*
 * Maps one segment with its own protection from the start and copies its file bytes in
 * with the loader's forced writes, so no page-table entry changes afterwards (each
 * change would cost a TLB flush, and on PVM a trip to ring 0). Pages wholly past the
 * file bytes fault in as zero. A first page shared with the previous segment (the
 * linker may let them meet inside a page) keeps its contents and gains this one's
 * permissions.
 */
static int load_segment(struct file *f, const struct elf64_phdr *p, u64 bias, const char *name)
{
    static u8 buf[PAGE_SIZE];
    u64 va = p->p_vaddr + bias;
    u64 start = ALIGN_DOWN(va, PAGE_SIZE);
    u64 end = ALIGN_UP(va + p->p_memsz, PAGE_SIZE);
    u32 prot = prot_of(p->p_flags);
    struct vma *shared = mm_find(start);
    if (shared) {
        int err = mm_protect(start, PAGE_SIZE, shared->prot | prot);
        if (err)
            return err;
        start += PAGE_SIZE;
    }
    if (end > start) {
        int err = mm_map(start, end - start, prot, VMA_ELF);
        if (err)
            return err;
        struct vma *v = mm_find(start);
        v->name = name;
        v->file_off = ALIGN_DOWN(p->p_offset, PAGE_SIZE) + (start - ALIGN_DOWN(va, PAGE_SIZE));
    }
    for (u64 done = 0; done < p->p_filesz;) {
        u64 k = MIN(p->p_filesz - done, PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1)));
        s64 n = image_read_kernel(f->inode, p->p_offset + done, buf, k);
        if (n != (s64)k)
            return n < 0 ? (int)n : -EIO;
        if (copy_to_user_force(va + done, buf, k))
            return -ENOMEM;
        done += k;
    }
    u64 file_end = va + p->p_filesz;
    u64 zero_end = MIN(ALIGN_UP(file_end, PAGE_SIZE), va + p->p_memsz);
    if (zero_end > file_end && zero_user_force(file_end, zero_end - file_end))
        return -ENOMEM;
    return 0;
}

int elf_load(struct file *f, u64 size, enum elf_role role, const char *name, struct elf_image *out,
             const char **why)
{
    u64 lo, hi;
    memzero(&ehdr, sizeof(ehdr));
    s64 n = image_read_kernel(f->inode, 0, &ehdr, sizeof(ehdr));
    if (n < 0)
        return *why = "cannot read the program (integrity failure?)", (int)n;
    if ((u64)n == sizeof(ehdr) && ehdr.e_phnum <= MAX_PHNUM && ehdr.e_phoff < size) {
        n = image_read_kernel(f->inode, ehdr.e_phoff, phdrs, ehdr.e_phnum * sizeof(phdrs[0]));
        if (n < 0)
            return *why = "cannot read the program (integrity failure?)", (int)n;
    }
    int err = check_headers(size, &lo, &hi, why);
    if (err)
        return err;
    const struct elf64_ehdr *eh = &ehdr;
    const struct elf64_phdr *ph = phdrs;

    u64 bias = 0;
    out->interp[0] = 0;
    if (role == ELF_INTERPRETER) {
        /* ld.so goes where mmap puts things, as Linux does */
        if (eh->e_type != ET_DYN)
            return *why = "the ELF interpreter is not position-independent", -ELIBBAD;
        u64 base = mm_find_free(hi - lo);
        if (!base)
            return *why = "no room for the ELF interpreter", -ENOMEM;
        bias = base - lo;
    } else if (eh->e_type == ET_DYN) {
        bias = ELF_ET_DYN_BASE + (random_u64() % MMAP_RND_PAGES) * PAGE_SIZE - lo;
    }
    if (lo + bias < MMAP_MIN_ADDR)
        return *why = "ELF segment below the lowest mappable address", -ENOEXEC;

    out->phdr = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP) {
            if (role == ELF_INTERPRETER)
                return *why = "the ELF interpreter has an interpreter itself", -ELIBBAD;
            n = image_read_kernel(f->inode, ph[i].p_offset, out->interp, ph[i].p_filesz);
            if (n != (s64)ph[i].p_filesz || out->interp[ph[i].p_filesz - 1] != 0 ||
                strlen(out->interp) != ph[i].p_filesz - 1)
                return *why = "bad ELF interpreter path", -ENOEXEC;
        }
        if (ph[i].p_type == PT_PHDR)
            out->phdr = ph[i].p_vaddr + bias;
        if (ph[i].p_type != PT_LOAD)
            continue;
        if (!out->phdr && ph[i].p_offset <= eh->e_phoff &&
            eh->e_phoff - ph[i].p_offset < ph[i].p_filesz)
            out->phdr = ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset) + bias;
        if (ph[i].p_memsz == 0)
            continue; /* nothing to map; Linux skips it too */
        err = load_segment(f, &ph[i], bias, name);
        if (err)
            return *why = err == -EIO ? "integrity failure loading the program"
                                      : "out of memory loading the program",
                   err;
    }
    out->entry = eh->e_entry + bias;
    out->phnum = eh->e_phnum;
    out->bias = bias;
    out->end = hi + bias;
    return 0;
}
