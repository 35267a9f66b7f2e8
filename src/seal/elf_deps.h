/*
 * The files a dynamically linked program needs at run time, found on the build host
 * exactly where glibc's ld.so (Debian 12, glibc 2.36, x86-64) would find them, so that
 * `cloister build --entry PROG` can put them into the image at the same paths.
 *
 * What ld.so does, and so what we do (man ld.so(8), `ld.so --help`, LD_DEBUG=libs):
 *  - the kernel loads the program's PT_INTERP; ld.so then loads DT_NEEDED entries
 *    breadth-first: the program's in order, then each loaded library's in load order;
 *  - a name already loaded (as the name it was asked for, its path, or its DT_SONAME)
 *    is not loaded again: libc's "ld-linux-x86-64.so.2" is the interpreter itself;
 *  - a name with a '/' is a path; any other is searched in: the DT_RPATH of the object
 *    that needs it, then of the object that loaded that one, and so on up to the program
 *    (only when the needing object has no DT_RUNPATH; an object with both has its
 *    DT_RPATH ignored), then LD_LIBRARY_PATH, then the needing object's DT_RUNPATH, then
 *    /etc/ld.so.cache, then /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib,
 *    /usr/lib (for a needing object marked DF_1_NODEFLIB, neither these directories nor
 *    cache entries inside them); a cache entry that cannot be opened falls through to
 *    the directories; relative and empty RPATH/RUNPATH elements (the workload's working
 *    directory at run time) are not searched;
 *  - in every search directory the CPU's glibc-hwcaps and legacy hwcaps subdirectories
 *    are tried first (ld_hwcaps.h);
 *  - $ORIGIN, $LIB ("lib/x86_64-linux-gnu" on Debian) and $PLATFORM are expanded in
 *    paths; $ORIGIN is the directory of the needing object as it was opened, and for
 *    the program the directory of its real path (what /proc/self/exe gives ld.so, so
 *    for a symlinked program this differs from `ld.so --list`, which uses the link's);
 *  - a candidate of another class or machine (a 32-bit library) is skipped; a candidate
 *    that is not an ELF file at all stops ld.so, and us, with an error;
 *  - a candidate that is the same file (device and inode) as a library already loaded
 *    is not loaded twice, but ld.so still opens that path, so it is collected too.
 *
 * Only glibc's loader is understood: a program whose PT_INTERP is another (musl's
 * /lib/ld-musl-x86_64.so.1) is refused with a message, not resolved by the wrong rules.
 *
 * Deliberately not followed: LD_LIBRARY_PATH, LD_PRELOAD and every other environment
 * variable of the builder. The image must not depend on who built it, and the workload's
 * environment comes from its manifest, not from the build host. Libraries a program
 * opens itself with dlopen() (NSS modules, iconv modules, Python extensions) are not
 * DT_NEEDED and are not found here; they must be added to the image by name.
 */
#ifndef CLOISTER_SEAL_ELF_DEPS_H
#define CLOISTER_SEAL_ELF_DEPS_H

#include <stddef.h>

struct elf_dep {
    char *path;   /* absolute path as ld.so would open it (e.g.
                   * /lib/x86_64-linux-gnu/libc.so.6), symlinks not resolved */
    char *reason; /* one line: "interpreter of /usr/bin/lua5.4 (PT_INTERP)", "needed by
                   * /usr/bin/lua5.4 (DT_NEEDED liblua5.4.so.0), found via /etc/ld.so.cache"
                   */
};

struct elf_deps {
    struct elf_dep *items;
    size_t count, cap;
};

void elf_deps_init(struct elf_deps *d);
void elf_deps_free(struct elf_deps *d);

/* Appends a copy of (path, reason) unless d already holds path. 0, or -1 (out of memory). */
int elf_deps_add(struct elf_deps *d, const char *path, const char *reason);

/* The index of path in d, or -1. */
long elf_deps_find(const struct elf_deps *d, const char *path);

/*
 * Collects the interpreter and the transitive closure of DT_NEEDED (and DT_FILTER; a
 * DT_AUXILIARY that is not found is left out, as ld.so ignores it) of the ELF file at
 * `program` (a host path), appending to d. A statically linked program (no PT_INTERP,
 * no DT_NEEDED, static PIE included) collects nothing and succeeds. Order: the
 * interpreter first, then the libraries breadth-first in ld.so's load order, each path
 * once. Returns 0, or -1 with one line in err ("libfoo.so.1, needed by /usr/bin/x, not
 * found"; "/lib/x86_64-linux-gnu/libfoo.so.1, needed by /usr/bin/x: file too short for
 * an ELF header"); on error d may hold part of the result.
 */
int elf_deps_collect(const char *program, struct elf_deps *d, char *err, size_t err_size);

/*
 * The other files ld.so reads when it starts: just /etc/ld.so.cache (NULL-terminated).
 * Debian has no /etc/ld.so.preload, and the image must not have one either: it would
 * make ld.so load extra libraries into the workload. A missing cache is not an error
 * for ld.so (it then searches the default directories), so a caller may skip a file of
 * this list that does not exist.
 */
const char *const *elf_deps_loader_files(void);

/* ld.so's built-in search directories, in order, NULL-terminated (for tests and
 * messages): /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib, /usr/lib. */
const char *const *elf_deps_default_dirs(void);

/*
 * What must be in the image for each path of `in` to resolve there exactly as on the
 * host, with symlinks kept as symlinks: every symlink met while resolving the path, at
 * its own location (a directory symlink such as /lib -> usr/lib included), and the file
 * it ends at, at its real location. Every path appended to out is absolute, has no
 * symlink in its directory part and no "." or ".." component, and names a symlink or a
 * regular file on the host: adding each as it is (file_tree_add(t, p, p)) reproduces the
 * host's layout. Each path once; the reason says which collected path needs it.
 * 0, or -1 with err (a dangling link, a loop, a path that is not a regular file).
 */
int elf_deps_expand_links(const struct elf_deps *in, struct elf_deps *out, char *err,
                          size_t err_size);

#endif
