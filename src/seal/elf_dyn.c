/*
 * Reading an ELF file's loader-relevant parts with every offset checked (elf_dyn.h).
 *
 * The header checks follow what glibc's ld.so documents and does when it opens a
 * candidate library: wrong class or machine means "not this one, keep searching"; any
 * other defect is fatal. Strings of the dynamic section live in the string table, which
 * DT_STRTAB names by its virtual address, so the address is mapped back to a file
 * offset through the PT_LOAD segment that contains it (ld.so reads it from memory,
 * where the segment put it; reading the file at the matching offset gives the same
 * bytes, as long as the table lies in the segment's file part, which we require).
 */
#include "seal/elf_dyn.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bounds on what we read, far above any real file, so a hostile header cannot make us
 * allocate without limit. */
#define MAX_INTERP  4096u
#define MAX_DYNAMIC (1u << 20)
#define MAX_STRTAB  (64u << 20)
#define MAX_NEEDED  4096u
/* Versions of the GNU OS ABI glibc 2.36 accepts in e_ident[EI_ABIVERSION]: it refuses
 * ABI versions newer than it knows (up to "absolute symbols", 3). */
#define MAX_GNU_ABIVERSION 3

__attribute__((format(printf, 3, 4))) static enum elf_verdict bad(char *err, size_t err_size,
                                                                  const char *fmt, ...)
{
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return ELF_BAD;
}

/* Reads exactly len bytes at off, which must lie inside a file of file_size bytes. */
static int read_at(int fd, uint64_t off, void *buf, uint64_t len, uint64_t file_size)
{
    if (off > file_size || len > file_size - off)
        return -1;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

static enum elf_verdict check_header(const Elf64_Ehdr *h, char *err, size_t err_size)
{
    if (memcmp(h->e_ident, ELFMAG, SELFMAG) != 0)
        return bad(err, err_size, "not an ELF file (invalid ELF header)");
    if (h->e_ident[EI_CLASS] != ELFCLASS64)
        return ELF_OTHER_ARCH;
    if (h->e_ident[EI_DATA] != ELFDATA2LSB)
        return bad(err, err_size, "ELF data encoding is not little-endian");
    if (h->e_ident[EI_VERSION] != EV_CURRENT)
        return bad(err, err_size, "ELF identification version %u is not %u", h->e_ident[EI_VERSION],
                   EV_CURRENT);
    uint8_t osabi = h->e_ident[EI_OSABI], abiver = h->e_ident[EI_ABIVERSION];
    if (osabi != ELFOSABI_SYSV && osabi != ELFOSABI_GNU)
        return bad(err, err_size, "ELF OS ABI %u is neither System V nor GNU", osabi);
    if ((osabi == ELFOSABI_SYSV && abiver != 0) ||
        (osabi == ELFOSABI_GNU && abiver > MAX_GNU_ABIVERSION))
        return bad(err, err_size, "ELF ABI version %u is not supported", abiver);
    for (size_t i = EI_PAD; i < EI_NIDENT; i++)
        if (h->e_ident[i] != 0)
            return bad(err, err_size, "nonzero padding in the ELF identification");
    if (h->e_version != EV_CURRENT)
        return bad(err, err_size, "ELF version %u is not %u", h->e_version, EV_CURRENT);
    if (h->e_machine != EM_X86_64)
        return ELF_OTHER_ARCH;
    if (h->e_type != ET_DYN && h->e_type != ET_EXEC)
        return bad(err, err_size, "ELF type %u is neither ET_DYN nor ET_EXEC", h->e_type);
    if (h->e_phentsize != sizeof(Elf64_Phdr))
        return bad(err, err_size, "program header size %u is not %zu", h->e_phentsize,
                   sizeof(Elf64_Phdr));
    return ELF_USABLE;
}

/* The file offset of virtual address vaddr, with how many file bytes follow it in its
 * PT_LOAD segment; -1 if no segment holds it in its file part. */
static int vaddr_to_offset(const Elf64_Phdr *ph, size_t phnum, uint64_t vaddr, uint64_t *off,
                           uint64_t *avail)
{
    for (size_t i = 0; i < phnum; i++) {
        if (ph[i].p_type != PT_LOAD || vaddr < ph[i].p_vaddr)
            continue;
        uint64_t delta = vaddr - ph[i].p_vaddr;
        if (delta >= ph[i].p_filesz)
            continue;
        if (ph[i].p_offset > UINT64_MAX - delta)
            return -1;
        *off = ph[i].p_offset + delta;
        *avail = ph[i].p_filesz - delta;
        return 0;
    }
    return -1;
}

/* The values of the dynamic entries we use; string-valued ones are still offsets. */
struct dyn_raw {
    uint64_t strtab, strsz, soname, rpath, runpath, flags_1;
    bool has_strtab, has_strsz, has_soname, has_rpath, has_runpath;
    struct {
        uint64_t off;
        int64_t tag;
    } deps[MAX_NEEDED];
    size_t ndeps;
};

static enum elf_verdict scan_dynamic(const Elf64_Dyn *dyn, size_t n, struct dyn_raw *r, char *err,
                                     size_t err_size)
{
    for (size_t i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
        uint64_t v = dyn[i].d_un.d_val;
        switch (dyn[i].d_tag) {
        case DT_NEEDED:
        case DT_AUXILIARY:
        case DT_FILTER:
            if (r->ndeps == MAX_NEEDED)
                return bad(err, err_size, "more than %u DT_NEEDED entries", MAX_NEEDED);
            r->deps[r->ndeps].off = v;
            r->deps[r->ndeps].tag = dyn[i].d_tag;
            r->ndeps++;
            break;
        /* Later entries of one tag replace earlier ones, as in ld.so's table. */
        case DT_STRTAB:
            r->strtab = v, r->has_strtab = true;
            break;
        case DT_STRSZ:
            r->strsz = v, r->has_strsz = true;
            break;
        case DT_SONAME:
            r->soname = v, r->has_soname = true;
            break;
        case DT_RPATH:
            r->rpath = v, r->has_rpath = true;
            break;
        case DT_RUNPATH:
            r->runpath = v, r->has_runpath = true;
            break;
        case DT_FLAGS_1:
            r->flags_1 = v;
            break;
        default:
            break;
        }
    }
    return ELF_USABLE;
}

/* A copy of the NUL-terminated string at off in the string table, or NULL (err set). */
static char *table_string(const char *tab, uint64_t size, uint64_t off, const char *what, char *err,
                          size_t err_size)
{
    if (off >= size) {
        bad(err, err_size, "%s string offset %llu is outside the string table (%llu bytes)", what,
            (unsigned long long)off, (unsigned long long)size);
        return NULL;
    }
    const char *end = memchr(tab + off, '\0', size - off);
    if (!end) {
        bad(err, err_size, "%s string at offset %llu runs past the string table", what,
            (unsigned long long)off);
        return NULL;
    }
    if (end == tab + off) {
        bad(err, err_size, "%s string at offset %llu is empty", what, (unsigned long long)off);
        return NULL;
    }
    char *s = strdup(tab + off);
    if (!s)
        bad(err, err_size, "out of memory");
    return s;
}

static const char *tag_name(int64_t tag)
{
    return tag == DT_NEEDED ? "DT_NEEDED" : tag == DT_FILTER ? "DT_FILTER" : "DT_AUXILIARY";
}

/* Turns the raw entries into strings. */
static enum elf_verdict fill_strings(int fd, uint64_t file_size, const Elf64_Phdr *ph, size_t phnum,
                                     const struct dyn_raw *r, struct elf_dyn *out, char *err,
                                     size_t err_size)
{
    if (r->ndeps == 0 && !r->has_soname && !r->has_rpath && !r->has_runpath)
        return ELF_USABLE;
    if (!r->has_strtab || !r->has_strsz)
        return bad(err, err_size, "dynamic section names strings but has no %s",
                   r->has_strtab ? "DT_STRSZ" : "DT_STRTAB");
    uint64_t off, avail;
    if (vaddr_to_offset(ph, phnum, r->strtab, &off, &avail) < 0)
        return bad(err, err_size, "DT_STRTAB address 0x%llx is in no loaded part of the file",
                   (unsigned long long)r->strtab);
    if (r->strsz > avail)
        return bad(err, err_size, "string table (%llu bytes) runs past its segment",
                   (unsigned long long)r->strsz);
    if (r->strsz > MAX_STRTAB)
        return bad(err, err_size, "string table of %llu bytes is too large",
                   (unsigned long long)r->strsz);
    char *tab = malloc(r->strsz ? r->strsz : 1);
    if (!tab)
        return bad(err, err_size, "out of memory");
    enum elf_verdict v = ELF_BAD;
    if (read_at(fd, off, tab, r->strsz, file_size) < 0) {
        bad(err, err_size, "string table lies past the end of the file");
        goto out;
    }
    if (r->ndeps) {
        out->needed = calloc(r->ndeps, sizeof(*out->needed));
        if (!out->needed) {
            bad(err, err_size, "out of memory");
            goto out;
        }
    }
    for (size_t i = 0; i < r->ndeps; i++) {
        out->needed[i].tag = r->deps[i].tag;
        out->needed[i].name =
            table_string(tab, r->strsz, r->deps[i].off, tag_name(r->deps[i].tag), err, err_size);
        if (!out->needed[i].name)
            goto out;
        out->nneeded++;
    }
    if (r->has_soname &&
        !(out->soname = table_string(tab, r->strsz, r->soname, "DT_SONAME", err, err_size)))
        goto out;
    if (r->has_rpath &&
        !(out->rpath = table_string(tab, r->strsz, r->rpath, "DT_RPATH", err, err_size)))
        goto out;
    if (r->has_runpath &&
        !(out->runpath = table_string(tab, r->strsz, r->runpath, "DT_RUNPATH", err, err_size)))
        goto out;
    v = ELF_USABLE;
out:
    free(tab);
    return v;
}

static enum elf_verdict read_interp(int fd, uint64_t file_size, const Elf64_Phdr *p,
                                    struct elf_dyn *out, char *err, size_t err_size)
{
    if (p->p_filesz < 2 || p->p_filesz > MAX_INTERP)
        return bad(err, err_size, "PT_INTERP of %llu bytes", (unsigned long long)p->p_filesz);
    char *s = malloc(p->p_filesz);
    if (!s)
        return bad(err, err_size, "out of memory");
    if (read_at(fd, p->p_offset, s, p->p_filesz, file_size) < 0) {
        free(s);
        return bad(err, err_size, "PT_INTERP lies past the end of the file");
    }
    /* The kernel wants the segment to end in a NUL and uses the string up to the first. */
    if (s[p->p_filesz - 1] != '\0' || s[0] == '\0') {
        free(s);
        return bad(err, err_size, "PT_INTERP is not a NUL-terminated path");
    }
    out->interp = s;
    return ELF_USABLE;
}

static enum elf_verdict read_dynamic(int fd, uint64_t file_size, const Elf64_Phdr *ph, size_t phnum,
                                     const Elf64_Phdr *d, struct elf_dyn *out, char *err,
                                     size_t err_size)
{
    if (d->p_filesz > MAX_DYNAMIC)
        return bad(err, err_size, "PT_DYNAMIC of %llu bytes is too large",
                   (unsigned long long)d->p_filesz);
    size_t n = d->p_filesz / sizeof(Elf64_Dyn);
    Elf64_Dyn *dyn = malloc(n ? n * sizeof(*dyn) : 1);
    struct dyn_raw *raw = calloc(1, sizeof(*raw));
    enum elf_verdict v = ELF_BAD;
    if (!dyn || !raw) {
        bad(err, err_size, "out of memory");
        goto out;
    }
    if (read_at(fd, d->p_offset, dyn, n * sizeof(*dyn), file_size) < 0) {
        bad(err, err_size, "PT_DYNAMIC lies past the end of the file");
        goto out;
    }
    v = scan_dynamic(dyn, n, raw, err, err_size);
    if (v == ELF_USABLE) {
        out->flags_1 = raw->flags_1;
        v = fill_strings(fd, file_size, ph, phnum, raw, out, err, err_size);
    }
out:
    free(dyn);
    free(raw);
    return v;
}

enum elf_verdict elf_dyn_read(int fd, struct elf_dyn *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    struct stat st;
    if (fstat(fd, &st) < 0)
        return bad(err, err_size, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return bad(err, err_size, "not a regular file");
    uint64_t size = (uint64_t)st.st_size;
    Elf64_Ehdr h;
    if (size < sizeof(h) || read_at(fd, 0, &h, sizeof(h), size) < 0)
        return bad(err, err_size, "file too short for an ELF header");
    enum elf_verdict v = check_header(&h, err, err_size);
    if (v != ELF_USABLE)
        return v;
    out->type = h.e_type;
    if (h.e_phnum == 0)
        return ELF_USABLE;
    size_t phnum = h.e_phnum;
    Elf64_Phdr *ph = malloc(phnum * sizeof(*ph));
    if (!ph)
        return bad(err, err_size, "out of memory");
    if (read_at(fd, h.e_phoff, ph, phnum * sizeof(*ph), size) < 0) {
        free(ph);
        return bad(err, err_size, "program headers lie past the end of the file");
    }
    const Elf64_Phdr *interp = NULL, *dynamic = NULL;
    for (size_t i = 0; i < phnum; i++) {
        if (ph[i].p_type == PT_INTERP && !interp)
            interp = &ph[i]; /* the kernel takes the first */
        else if (ph[i].p_type == PT_DYNAMIC)
            dynamic = &ph[i]; /* ld.so's loop keeps the last */
    }
    if (interp)
        v = read_interp(fd, size, interp, out, err, err_size);
    if (v == ELF_USABLE && dynamic) {
        out->has_dynamic = true;
        v = read_dynamic(fd, size, ph, phnum, dynamic, out, err, err_size);
    }
    free(ph);
    if (v != ELF_USABLE)
        elf_dyn_free(out);
    return v;
}

void elf_dyn_free(struct elf_dyn *e)
{
    for (size_t i = 0; i < e->nneeded; i++)
        free(e->needed[i].name);
    free(e->needed);
    free(e->interp);
    free(e->soname);
    free(e->rpath);
    free(e->runpath);
    memset(e, 0, sizeof(*e));
}
