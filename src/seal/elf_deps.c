/*
 * Finding a program's interpreter and shared libraries as glibc's ld.so would
 * (elf_deps.h): the loaded-object list, name matching, and the search order.
 *
 * The objects are kept in load order in one array, indexed (the array grows, so nothing
 * holds a pointer into it across a load): the program first, then its interpreter, then
 * each library as it is found. The breadth-first walk is a cursor over that same array:
 * a library appended while its loader's dependencies are processed is processed after
 * everything loaded before it, which is ld.so's order.
 */
#include "seal/elf_deps.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal/elf_dyn.h"
#include "seal/ld_cache.h"
#include "seal/ld_hwcaps.h"

#define LD_SO_CACHE "/etc/ld.so.cache"
/* What Debian's glibc expands $LIB to (LD_DEBUG=libs shows it). */
#define DST_LIB           "lib/x86_64-linux-gnu"
#define NO_LOADER         SIZE_MAX
#define GLIBC_LDSO_SONAME "ld-linux-x86-64.so.2"

/* ld.so's built-in directories on Debian 12 x86-64, in order (`ld.so --help`). */
static const char *const default_dirs[] = {
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib", NULL,
};
#define NDEFAULT_DIRS (sizeof(default_dirs) / sizeof(*default_dirs) - 1)

static const char *const loader_files[] = {LD_SO_CACHE, NULL};

struct obj {
    char *path;   /* as opened (ld.so's l_name); for the program, the path given */
    char **names; /* the names it was asked for by (ld.so's l_libname) */
    size_t nnames;
    struct elf_dyn dyn;
    char *origin;  /* $ORIGIN for its own paths */
    size_t loader; /* the object whose dependency it is; NO_LOADER for program, interpreter */
    bool is_program, is_interp;
    dev_t dev;
    ino_t ino;
};

struct ctx {
    struct obj *objs;
    size_t nobjs, cap;
    struct ld_cache cache; /* data == NULL: no usable cache, as for ld.so */
    struct ld_hwcaps hw;
    struct elf_deps *out;
    char *err;
    size_t err_size;
};

/* A file a search found, not yet taken into the object list. */
struct found {
    char *path;
    struct elf_dyn dyn;
    dev_t dev;
    ino_t ino;
};

__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c, const char *fmt, ...)
{
    if (c->err && c->err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->err_size, fmt, ap);
        va_end(ap);
        /* Names come from files and may hold any byte: keep the message one line. */
        for (char *p = c->err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    }
    return -1;
}

__attribute__((format(printf, 1, 2))) static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

void elf_deps_init(struct elf_deps *d)
{
    memset(d, 0, sizeof(*d));
}

void elf_deps_free(struct elf_deps *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].path);
        free(d->items[i].reason);
    }
    free(d->items);
    elf_deps_init(d);
}

long elf_deps_find(const struct elf_deps *d, const char *path)
{
    for (size_t i = 0; i < d->count; i++)
        if (strcmp(d->items[i].path, path) == 0)
            return (long)i;
    return -1;
}

int elf_deps_add(struct elf_deps *d, const char *path, const char *reason)
{
    if (elf_deps_find(d, path) >= 0)
        return 0;
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        struct elf_dep *items = realloc(d->items, cap * sizeof(*items));
        if (!items)
            return -1;
        d->items = items;
        d->cap = cap;
    }
    char *p = strdup(path), *r = strdup(reason);
    if (!p || !r) {
        free(p);
        free(r);
        return -1;
    }
    d->items[d->count].path = p;
    d->items[d->count].reason = r;
    d->count++;
    return 0;
}

const char *const *elf_deps_loader_files(void)
{
    return loader_files;
}

const char *const *elf_deps_default_dirs(void)
{
    return default_dirs;
}

/* ---- dynamic string tokens ---- */

/* How many bytes after a '$' spell the token name ("ORIGIN" of "$ORIGIN/x", "{ORIGIN}"
 * of "${ORIGIN}x"), or 0: an unbraced name must not run on into identifier characters
 * ("$ORIGINAL" is no token). */
static size_t dst_match(const char *s, const char *name)
{
    size_t n = strlen(name);
    if (s[0] == '{' && strncmp(s + 1, name, n) == 0 && s[1 + n] == '}')
        return n + 2;
    if (strncmp(s, name, n) == 0) {
        char next = s[n];
        bool ident = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
                     (next >= '0' && next <= '9') || next == '_';
        if (!ident)
            return n;
    }
    return 0;
}

/*
 * Expands $ORIGIN, $LIB and $PLATFORM (braced or not) in s for object o. Returns the
 * new string, or NULL with *unusable set when a token has no value (ld.so then drops
 * that path), or NULL alone when out of memory. An unknown $NAME stays as it is.
 */
static char *dst_expand(const struct ctx *c, const struct obj *o, const char *s, bool *unusable)
{
    *unusable = false;
    size_t cap = strlen(s) + 1, len = 0;
    char *r = malloc(cap);
    if (!r)
        return NULL;
    while (*s) {
        const char *val = NULL;
        size_t skip = 0;
        char one[2] = {*s, '\0'};
        if (*s == '$') {
            if ((skip = dst_match(s + 1, "ORIGIN")))
                val = o->origin ? o->origin : "";
            else if ((skip = dst_match(s + 1, "LIB")))
                val = DST_LIB;
            else if ((skip = dst_match(s + 1, "PLATFORM")))
                val = c->hw.platform;
        }
        if (!val) {
            val = one;
            skip = 0;
        } else if (!*val) {
            free(r);
            *unusable = true;
            return NULL;
        }
        size_t vl = strlen(val);
        if (len + vl + strlen(s) + 1 > cap) {
            cap = len + vl + strlen(s) + 1;
            char *nr = realloc(r, cap);
            if (!nr) {
                free(r);
                return NULL;
            }
            r = nr;
        }
        memcpy(r + len, val, vl);
        len += vl;
        s += 1 + skip;
    }
    r[len] = '\0';
    return r;
}

/* ---- the loaded-object list ---- */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static bool obj_answers_to(const struct obj *o, const char *name)
{
    /* The program's own l_name is "" in ld.so: only its DT_SONAME can match. */
    if (!o->is_program) {
        if (strcmp(o->path, name) == 0)
            return true;
        for (size_t i = 0; i < o->nnames; i++)
            if (strcmp(o->names[i], name) == 0)
                return true;
    }
    return o->dyn.soname && strcmp(o->dyn.soname, name) == 0;
}

static int add_name(struct obj *o, const char *name)
{
    char **n = realloc(o->names, (o->nnames + 1) * sizeof(*n));
    if (!n)
        return -1;
    o->names = n;
    if (!(n[o->nnames] = strdup(name)))
        return -1;
    o->nnames++;
    return 0;
}

/* Appends an object; takes f's path and dyn. Its index, or SIZE_MAX (out of memory). */
static size_t add_obj(struct ctx *c, struct found *f, size_t loader, const char *name)
{
    if (c->nobjs == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct obj *o = realloc(c->objs, cap * sizeof(*o));
        if (!o)
            return SIZE_MAX;
        c->objs = o;
        c->cap = cap;
    }
    struct obj *o = &c->objs[c->nobjs];
    memset(o, 0, sizeof(*o));
    o->path = f->path;
    o->dyn = f->dyn;
    o->dev = f->dev;
    o->ino = f->ino;
    o->loader = loader;
    f->path = NULL;
    memset(&f->dyn, 0, sizeof(f->dyn));
    c->nobjs++;
    if (!(o->origin = dir_of(o->path)) || (name && add_name(o, name) < 0))
        return SIZE_MAX;
    return c->nobjs - 1;
}

static void free_found(struct found *f)
{
    free(f->path);
    elf_dyn_free(&f->dyn);
    f->path = NULL;
}

/*
 * Opens path as ld.so would a candidate: 1 found (f filled, path copied), 0 not there
 * (cannot be opened, or another class or machine: the search goes on; *other_arch says
 * which), -1 an error that stops ld.so (err says why, naming path and who needs it).
 */
static int try_file(struct ctx *c, const char *path, const char *needed_by, struct found *f,
                    bool *other_arch)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char why[256];
    struct stat st;
    enum elf_verdict v = ELF_BAD;
    if (fstat(fd, &st) < 0)
        snprintf(why, sizeof(why), "cannot stat: %s", strerror(errno));
    else
        v = elf_dyn_read(fd, &f->dyn, why, sizeof(why));
    close(fd);
    if (v == ELF_OTHER_ARCH) {
        if (other_arch)
            *other_arch = true;
        return 0;
    }
    if (v == ELF_BAD)
        return fail(c, "%s, needed by %s: %s", path, needed_by, why);
    if (!(f->path = strdup(path))) {
        elf_dyn_free(&f->dyn);
        return fail(c, "out of memory");
    }
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    return 1;
}

/* ---- the search ---- */

/* Tries name in dir and in the CPU's subdirectories of dir, in ld.so's order. */
static int search_dir(struct ctx *c, const char *dir, const char *name, const char *needed_by,
                      struct found *f, bool *other_arch)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--; /* ld.so strips trailing slashes before adding its own */
    for (size_t i = 0; i < c->hw.nsubdirs; i++) {
        char *p = str_printf("%.*s%s%s%s", (int)dl, dir, dl == 1 && dir[0] == '/' ? "" : "/",
                             c->hw.subdirs[i], name);
        if (!p)
            return fail(c, "out of memory");
        int r = try_file(c, p, needed_by, f, other_arch);
        free(p);
        if (r != 0)
            return r;
    }
    return 0;
}

/*
 * Searches the directories of an RPATH or RUNPATH string of object o, each element with
 * its tokens expanded for o. On success *via names the element that matched.
 */
static int search_path_list(struct ctx *c, const struct obj *o, const char *list, const char *name,
                            const char *needed_by, struct found *f, bool *other_arch, char **via)
{
    char *copy = strdup(list);
    if (!copy)
        return fail(c, "out of memory");
    int r = 0;
    for (char *el = copy, *next; el && r == 0; el = next) {
        next = strchr(el, ':');
        if (next)
            *next++ = '\0';
        bool unusable;
        char *dir = dst_expand(c, o, el, &unusable);
        if (!dir && !unusable) {
            r = fail(c, "out of memory");
            break;
        }
        /* An empty element means the current directory, and a relative one is taken
         * from the current directory: both depend on where the workload runs, not on
         * anything the build host can see, so they are not searched here. */
        if (dir && dir[0] == '/') {
            r = search_dir(c, dir, name, needed_by, f, other_arch);
            if (r > 0 && !(*via = strdup(el)))
                r = fail(c, "out of memory");
        }
        free(dir);
    }
    free(copy);
    return r;
}

static bool in_default_dir(const char *path)
{
    for (size_t i = 0; i < NDEFAULT_DIRS; i++) {
        size_t n = strlen(default_dirs[i]);
        if (strncmp(path, default_dirs[i], n) == 0 && path[n] == '/')
            return true;
    }
    return false;
}

/*
 * Finds name (no '/') for loader l in ld.so's order. 1 found with *how saying where,
 * 0 not found, -1 error.
 */
static int search(struct ctx *c, size_t l, const char *name, const char *needed_by, struct found *f,
                  bool *other_arch, char **how)
{
    const struct obj *lo = &c->objs[l];
    char *via = NULL;
    int r;
    /* DT_RPATH of the loader, then of its loader, up to the program; only if the loader
     * has no DT_RUNPATH, and an object with both has its DT_RPATH ignored. (ld.so then
     * tries the program's DT_RPATH once more if the chain did not reach it: here every
     * chain ends at the program, as nothing is loaded by dlopen.) */
    if (!lo->dyn.runpath) {
        for (size_t i = l; i != NO_LOADER; i = c->objs[i].loader) {
            const struct obj *o = &c->objs[i];
            if (!o->dyn.rpath || o->dyn.runpath)
                continue;
            r = search_path_list(c, o, o->dyn.rpath, name, needed_by, f, other_arch, &via);
            if (r < 0)
                return r;
            if (r > 0) {
                *how = str_printf("found via RPATH %s of %s", via, o->path);
                free(via);
                return *how ? 1 : fail(c, "out of memory");
            }
        }
    }
    /* LD_LIBRARY_PATH would come here: deliberately not used (elf_deps.h). */
    if (lo->dyn.runpath) {
        r = search_path_list(c, lo, lo->dyn.runpath, name, needed_by, f, other_arch, &via);
        if (r < 0)
            return r;
        if (r > 0) {
            *how = str_printf("found via RUNPATH %s of %s", via, lo->path);
            free(via);
            return *how ? 1 : fail(c, "out of memory");
        }
    }
    bool nodeflib = lo->dyn.flags_1 & DF_1_NODEFLIB;
    const char *cached = ld_cache_lookup(&c->cache, name, &c->hw);
    if (cached && !(nodeflib && in_default_dir(cached))) {
        r = try_file(c, cached, needed_by, f, other_arch);
        if (r < 0)
            return r;
        if (r > 0) {
            *how = strdup("found via " LD_SO_CACHE);
            return *how ? 1 : fail(c, "out of memory");
        }
        /* A cache entry that does not open falls through to the directories. */
    }
    if (nodeflib)
        return 0;
    for (size_t i = 0; i < NDEFAULT_DIRS; i++) {
        r = search_dir(c, default_dirs[i], name, needed_by, f, other_arch);
        if (r < 0)
            return r;
        if (r > 0) {
            *how = str_printf("found in the default directory %s", default_dirs[i]);
            return *how ? 1 : fail(c, "out of memory");
        }
    }
    return 0;
}

static const char *tag_name(int64_t tag)
{
    return tag == DT_NEEDED ? "DT_NEEDED" : tag == DT_FILTER ? "DT_FILTER" : "DT_AUXILIARY";
}

/* Records a found file: a new object, or (same device and inode) an alias of one. */
static int take(struct ctx *c, size_t l, const struct elf_dep_name *dep, struct found *f,
                const char *how)
{
    const char *by = c->objs[l].path;
    for (size_t i = 0; i < c->nobjs; i++) {
        struct obj *o = &c->objs[i];
        /* ld.so compares files only with the libraries it loaded itself. */
        if (o->is_program || o->is_interp || o->dev != f->dev || o->ino != f->ino)
            continue;
        char *reason = str_printf("needed by %s (%s %s), %s; ld.so opens it and finds "
                                  "%s, already loaded, under another name",
                                  by, tag_name(dep->tag), dep->name, how, o->path);
        int r = reason && add_name(o, dep->name) == 0 && elf_deps_add(c->out, f->path, reason) == 0
                    ? 0
                    : fail(c, "out of memory");
        free(reason);
        free_found(f);
        return r;
    }
    char *reason = str_printf("needed by %s (%s %s), %s", by, tag_name(dep->tag), dep->name, how);
    int r = reason && elf_deps_add(c->out, f->path, reason) == 0 &&
                    add_obj(c, f, l, dep->name) != SIZE_MAX
                ? 0
                : fail(c, "out of memory");
    free(reason);
    free_found(f);
    return r;
}

/* Loads one dependency of object l, as ld.so's _dl_map_object would. */
static int resolve(struct ctx *c, size_t l, const struct elf_dep_name *dep)
{
    for (size_t i = 0; i < c->nobjs; i++)
        if (obj_answers_to(&c->objs[i], dep->name))
            return 0; /* already loaded: nothing new to collect */
    char *by = strdup(c->objs[l].path);
    if (!by)
        return fail(c, "out of memory");
    struct found f = {0};
    bool other_arch = false;
    char *how = NULL;
    int r;
    if (strchr(dep->name, '/')) {
        bool unusable;
        char *p = dst_expand(c, &c->objs[l], dep->name, &unusable);
        if (!p)
            r = unusable ? fail(c, "%s, needed by %s: a token in it has no value", dep->name, by)
                         : fail(c, "out of memory");
        else if (p[0] != '/')
            r = fail(c, "%s, needed by %s: a relative path depends on the working directory",
                     dep->name, by);
        else if ((r = try_file(c, p, by, &f, &other_arch)) > 0 &&
                 !(how = strdup("a path in the dynamic section")))
            r = fail(c, "out of memory");
        free(p);
    } else {
        r = search(c, l, dep->name, by, &f, &other_arch, &how);
    }
    if (r > 0)
        r = take(c, l, dep, &f, how);
    else if (r < 0 && dep->tag == DT_AUXILIARY)
        r = 0; /* ld.so ignores any failure to load an auxiliary filtee */
    else if (r == 0 && dep->tag != DT_AUXILIARY)
        r = fail(c, "%s, needed by %s, not found%s", dep->name, by,
                 other_arch ? " (only files of another ELF class or machine)" : "");
    free(how);
    free(by);
    return r < 0 ? -1 : 0;
}

/* ---- the program and its interpreter ---- */

static int load_program(struct ctx *c, const char *program)
{
    struct found f = {0};
    int fd = open(program, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(c, "cannot open %s: %s", program, strerror(errno));
    char why[256];
    enum elf_verdict v = elf_dyn_read(fd, &f.dyn, why, sizeof(why));
    close(fd);
    if (v == ELF_OTHER_ARCH)
        return fail(c, "%s is not an x86-64 ELF64 program", program);
    if (v == ELF_BAD)
        return fail(c, "%s: %s", program, why);
    if (!(f.path = strdup(program))) {
        elf_dyn_free(&f.dyn);
        return fail(c, "out of memory");
    }
    size_t i = add_obj(c, &f, NO_LOADER, NULL);
    if (i == SIZE_MAX)
        return fail(c, "out of memory");
    c->objs[i].is_program = true;
    /* ld.so takes the program's $ORIGIN from /proc/self/exe: its real path. */
    char *real = realpath(program, NULL);
    if (!real)
        return fail(c, "cannot resolve %s: %s", program, strerror(errno));
    free(c->objs[i].origin);
    c->objs[i].origin = dir_of(real);
    free(real);
    if (!c->objs[i].origin)
        return fail(c, "out of memory");
    return 0;
}

static int load_interp(struct ctx *c, const char *program, const char *interp)
{
    if (interp[0] != '/')
        return fail(c, "%s: its interpreter %s is not an absolute path", program, interp);
    struct found f = {0};
    int r = try_file(c, interp, program, &f, NULL);
    if (r == 0)
        return fail(c, "%s, the interpreter of %s, not found (or not x86-64 ELF64)", interp,
                    program);
    if (r < 0)
        return r;
    /* The search rules here are glibc's; another loader (musl's) has its own. */
    if (!f.dyn.soname || strcmp(f.dyn.soname, GLIBC_LDSO_SONAME) != 0) {
        free_found(&f);
        return fail(c,
                    "%s: its interpreter %s is not glibc's %s, whose search rules are the "
                    "only ones supported (link the program statically instead)",
                    program, interp, GLIBC_LDSO_SONAME);
    }
    char *reason = str_printf("interpreter of %s (PT_INTERP)", program);
    size_t i = SIZE_MAX;
    if (reason && elf_deps_add(c->out, interp, reason) == 0)
        i = add_obj(c, &f, NO_LOADER, interp);
    free(reason);
    free_found(&f);
    if (i == SIZE_MAX)
        return fail(c, "out of memory");
    c->objs[i].is_interp = true;
    return 0;
}

static void ctx_free(struct ctx *c)
{
    for (size_t i = 0; i < c->nobjs; i++) {
        struct obj *o = &c->objs[i];
        free(o->path);
        for (size_t j = 0; j < o->nnames; j++)
            free(o->names[j]);
        free(o->names);
        free(o->origin);
        elf_dyn_free(&o->dyn);
    }
    free(c->objs);
    ld_cache_free(&c->cache);
}

int elf_deps_collect(const char *program, struct elf_deps *d, char *err, size_t err_size)
{
    struct ctx c = {.out = d, .err = err, .err_size = err_size};
    int r = load_program(&c, program);
    if (r == 0 && !c.objs[0].dyn.interp) {
        /* Static (PIE or not): nothing loads anything. A DT_NEEDED with no interpreter
         * would never be honoured, which is a broken program rather than a static one. */
        if (c.objs[0].dyn.nneeded)
            r = fail(&c, "%s has DT_NEEDED entries but no PT_INTERP: nothing would load them",
                     program);
        ctx_free(&c);
        return r;
    }
    if (r == 0)
        r = load_interp(&c, program, c.objs[0].dyn.interp);
    if (r == 0) {
        ld_hwcaps_host(&c.hw);
        char ignored[256];
        if (ld_cache_load(&c.cache, LD_SO_CACHE, ignored, sizeof(ignored)) < 0)
            memset(&c.cache, 0, sizeof(c.cache)); /* ld.so runs without a cache too */
    }
    /* Breadth-first: the cursor walks the object list while loads append to it. */
    for (size_t i = 0; r == 0 && i < c.nobjs; i++) {
        if (c.objs[i].is_interp)
            continue; /* ld.so does not load its own dependencies (it has none) */
        for (size_t j = 0; r == 0 && j < c.objs[i].dyn.nneeded; j++) {
            /* resolve() may grow the array: copy the entry, not a pointer into it. */
            struct elf_dep_name dep = c.objs[i].dyn.needed[j];
            r = resolve(&c, i, &dep);
        }
    }
    ctx_free(&c);
    return r;
}
