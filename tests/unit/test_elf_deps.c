/*
 * Unit tests for finding a program's runtime dependencies as ld.so would.
 *
 * The reference is the host itself: the set of files must equal what the host's ld.so
 * loads (`ld.so --list`), the search subdirectories what it prints (`ld.so --help`,
 * LD_DEBUG=libs), the cache entries what `ldconfig -p` prints. Programs and libraries
 * with RUNPATH, RPATH, tokens, hwcaps subdirectories and broken files are built here at
 * run time with gcc in a temporary directory. Corrupt ELF files and caches, hand-made
 * and randomly mutated, must fail with a message and never crash (run under ASan too).
 */
#include "seal/elf_deps.h"
#include "seal/elf_dyn.h"
#include "seal/ld_cache.h"
#include "seal/ld_hwcaps.h"
#include "unit.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LDSO "/lib64/ld-linux-x86-64.so.2"

static char T[PATH_MAX]; /* the temporary directory, its real path */

/* ---- helpers: shell, files, sets ---- */

__attribute__((format(printf, 1, 2))) static int sh(const char *fmt, ...)
{
    char *cmd;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0)
        abort();
    va_end(ap);
    int st = system(cmd);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    if (rc != 0)
        fprintf(stderr, "  (command failed with %d: %s)\n", rc, cmd);
    free(cmd);
    return rc;
}

/* stdout (and stderr, with "2>&1" in the command) of a shell command, or NULL. */
__attribute__((format(printf, 2, 3))) static char *output(int *status, const char *fmt, ...)
{
    char *cmd;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0)
        abort();
    va_end(ap);
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    int st = pclose(p);
    if (status)
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

static uint8_t *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return b;
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n)
        abort();
    fclose(f);
}

struct strset {
    char **v;
    size_t n;
};

static void set_add(struct strset *s, const char *x)
{
    s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
    s->v[s->n++] = strdup(x);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_free(struct strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* Whether a and b hold the same strings; prints what differs. */
static bool set_equal(struct strset *a, struct strset *b, const char *an, const char *bn)
{
    qsort(a->v, a->n, sizeof(*a->v), cmp_str);
    qsort(b->v, b->n, sizeof(*b->v), cmp_str);
    bool eq = a->n == b->n;
    for (size_t i = 0; eq && i < a->n; i++)
        eq = strcmp(a->v[i], b->v[i]) == 0;
    if (!eq) {
        fprintf(stderr, "  %s:\n", an);
        for (size_t i = 0; i < a->n; i++)
            fprintf(stderr, "    %s\n", a->v[i]);
        fprintf(stderr, "  %s:\n", bn);
        for (size_t i = 0; i < b->n; i++)
            fprintf(stderr, "    %s\n", b->v[i]);
    }
    return eq;
}

/*
 * The files the host's ld.so loads for prog: the "=>" paths and the interpreter line of
 * `ld.so --list` (linux-vdso.so.1 is in the kernel, not a file). -1 if ld.so fails or
 * reports a library not found. The environment is emptied: no LD_LIBRARY_PATH.
 */
static int ldso_list(const char *prog, struct strset *s)
{
    int status;
    char *out = output(&status, "env -i " LDSO " --list '%s' 2>&1", prog);
    if (!out || status != 0) {
        free(out);
        return -1;
    }
    int rc = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        while (*line == '\t' || *line == ' ')
            line++;
        char *arrow = strstr(line, " => ");
        char *p = arrow ? arrow + 4 : line[0] == '/' ? line : NULL;
        if (!p)
            continue;
        if (strncmp(p, "not found", 9) == 0) {
            rc = -1;
            continue;
        }
        char *paren = strstr(p, " (0x");
        if (paren)
            *paren = '\0';
        set_add(s, p);
    }
    free(out);
    return rc;
}

/* Our collection for prog as a set; the list itself is checked for order basics. */
static int collect_set(const char *prog, struct strset *s, char *err, size_t err_size)
{
    struct elf_deps d;
    elf_deps_init(&d);
    int r = elf_deps_collect(prog, &d, err, err_size);
    for (size_t i = 0; i < d.count; i++) {
        set_add(s, d.items[i].path);
        CHECK(d.items[i].reason[0] != '\0' && !strchr(d.items[i].reason, '\n'));
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(d.items[i].path, d.items[j].path) != 0); /* each path once */
    }
    if (r == 0 && d.count > 0)
        CHECK(strstr(d.items[0].reason, "interpreter of") == d.items[0].reason);
    elf_deps_free(&d);
    return r;
}

/* Ours equals the host ld.so's for prog. */
static void check_like_ldso(const char *prog)
{
    struct strset ours = {0}, theirs = {0};
    char err[512] = "";
    int r = collect_set(prog, &ours, err, sizeof(err));
    if (r != 0)
        fprintf(stderr, "  %s: %s\n", prog, err);
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(ldso_list(prog, &theirs), 0);
    CHECK(set_equal(&ours, &theirs, "collected", "ld.so --list"));
    set_free(&ours);
    set_free(&theirs);
}

/* The reason collected for path (a copy), or NULL. */
static char *reason_of(const char *prog, const char *path)
{
    struct elf_deps d;
    elf_deps_init(&d);
    char err[512];
    char *r = NULL;
    if (elf_deps_collect(prog, &d, err, sizeof(err)) == 0) {
        long i = elf_deps_find(&d, path);
        if (i >= 0)
            r = strdup(d.items[i].reason);
    }
    elf_deps_free(&d);
    return r;
}

/* ---- test programs built at run time ---- */

static const char main_c[] = "int demo(void);\nint main(void) { return demo() == 42 ? 0 : 1; }\n";
static const char demo_c[] = "int deep(void);\nint demo(void) { return deep() + 1; }\n";
static const char deep_c[] = "int deep(void) { return 41; }\n";

/*
 * Builds under T/dir: lib/libdeep.so.1, lib/libdemo.so.1 (needing libdeep, with the
 * given link flags, e.g. a RUNPATH), and bin/prog (needing libdemo, with prog_flags).
 */
static int build_demo(const char *dir, const char *demo_flags, const char *prog_flags)
{
    return sh("set -e; cd '%s'; mkdir -p %s/lib %s/bin; cd %s;"
              "gcc -shared -fPIC -o lib/libdeep.so.1 -Wl,-soname,libdeep.so.1 ../src/deep.c;"
              "gcc -shared -fPIC -o lib/libdemo.so.1 -Wl,-soname,libdemo.so.1 ../src/demo.c "
              "  -Llib -l:libdeep.so.1 %s;"
              "gcc -o bin/prog ../src/main.c -Llib -l:libdemo.so.1 -Wl,-rpath-link,lib %s",
              T, dir, dir, dir, demo_flags, prog_flags);
}

static char *tpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *tpath(const char *fmt, ...)
{
    static char bufs[8][PATH_MAX];
    static int k;
    char *b = bufs[k++ % 8];
    int n = snprintf(b, PATH_MAX, "%s/", T);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b + n, PATH_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    return b;
}

static void expect_error(const char *prog, const char *want)
{
    struct elf_deps d;
    elf_deps_init(&d);
    char err[512] = "";
    CHECK_EQ_INT(elf_deps_collect(prog, &d, err, sizeof(err)), -1);
    if (strstr(err, want) == NULL)
        fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", err, want);
    CHECK(strstr(err, want) != NULL);
    CHECK(strchr(err, '\n') == NULL);
    elf_deps_free(&d);
}

/* ---- comparisons with the host's ld.so ---- */

static void test_debian_programs_like_ldso(void)
{
    const char *progs[] = {"/bin/ls", "/usr/bin/sha256sum", "/bin/bash", "/usr/bin/python3"};
    for (size_t i = 0; i < sizeof(progs) / sizeof(*progs); i++) {
        if (i == 3 && access(progs[i], X_OK) != 0)
            continue; /* python3 is optional */
        check_like_ldso(progs[i]);
    }
}

static void test_static_programs_collect_nothing(void)
{
    CHECK_EQ_INT(sh("cd '%s' && gcc -static -o static src/deep.c src/nop.c && "
                    "gcc -static-pie -fpie -o static-pie src/deep.c src/nop.c",
                    T),
                 0);
    const char *progs[] = {tpath("static"), tpath("static-pie")};
    for (int i = 0; i < 2; i++) {
        struct elf_deps d;
        elf_deps_init(&d);
        char err[256] = "";
        CHECK_EQ_INT(elf_deps_collect(progs[i], &d, err, sizeof(err)), 0);
        CHECK_EQ_INT(d.count, 0);
        elf_deps_free(&d);
    }
}

static void test_runpath_origin(void)
{
    CHECK_EQ_INT(build_demo("rp", "-Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN'",
                            "-Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib'"),
                 0);
    const char *prog = tpath("rp/bin/prog");
    CHECK_EQ_INT(sh("'%s'", prog), 0); /* it really runs */
    check_like_ldso(prog);
    char *why = reason_of(prog, tpath("rp/bin/../lib/libdemo.so.1"));
    CHECK(why != NULL);
    if (why) {
        char want[PATH_MAX + 128];
        snprintf(want, sizeof(want),
                 "needed by %s (DT_NEEDED libdemo.so.1), found via RUNPATH $ORIGIN/../lib of %s",
                 prog, prog);
        CHECK_STREQ(why, want);
    }
    free(why);
    /* libdemo's own $ORIGIN is the directory it was opened from, unresolved. */
    why = reason_of(prog, tpath("rp/bin/../lib/libdeep.so.1"));
    CHECK(why && strstr(why, "found via RUNPATH $ORIGIN of"));
    free(why);

    /* Run through a symlink, the program's $ORIGIN is where the link leads (the kernel
     * and /proc/self/exe say so); `ld.so --list LINK` would take the link's directory. */
    CHECK_EQ_INT(sh("cd '%s' && mkdir -p rplink && ln -sf ../rp/bin/prog rplink/prog && "
                    "rplink/prog",
                    T),
                 0);
    why = reason_of(tpath("rplink/prog"), tpath("rp/bin/../lib/libdemo.so.1"));
    CHECK(why != NULL);
    free(why);
}

static void test_rpath_is_inherited_runpath_is_not(void)
{
    /* DT_RPATH of the program serves its libraries' needs too; DT_RUNPATH does not. */
    CHECK_EQ_INT(build_demo("chain", "", "-Wl,--disable-new-dtags -Wl,-rpath,'$ORIGIN/../lib'"), 0);
    const char *prog = tpath("chain/bin/prog");
    check_like_ldso(prog);
    char *why = reason_of(prog, tpath("chain/bin/../lib/libdeep.so.1"));
    char want[PATH_MAX + 128];
    snprintf(want, sizeof(want), "found via RPATH $ORIGIN/../lib of %s", prog);
    CHECK(why && strstr(why, want));
    free(why);

    CHECK_EQ_INT(build_demo("nochain", "", "-Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib'"),
                 0);
    prog = tpath("nochain/bin/prog");
    struct strset s = {0};
    CHECK_EQ_INT(ldso_list(prog, &s), -1); /* the host's ld.so fails too */
    set_free(&s);
    snprintf(want, sizeof(want), "libdeep.so.1, needed by %s, not found",
             tpath("nochain/bin/../lib/libdemo.so.1"));
    expect_error(prog, want);

    /* A library with a DT_RUNPATH of its own does not look in its loaders' DT_RPATH. */
    CHECK_EQ_INT(build_demo("mixed", "-Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/none'",
                            "-Wl,--disable-new-dtags -Wl,-rpath,'$ORIGIN/../lib'"),
                 0);
    prog = tpath("mixed/bin/prog");
    CHECK_EQ_INT(ldso_list(prog, &s), -1);
    set_free(&s);
    snprintf(want, sizeof(want), "libdeep.so.1, needed by %s, not found",
             tpath("mixed/bin/../lib/libdemo.so.1"));
    expect_error(prog, want);
}

static void test_tokens_lib_and_platform(void)
{
    struct ld_hwcaps h;
    ld_hwcaps_host(&h);
    CHECK(h.platform[0] != '\0');
    CHECK_EQ_INT(build_demo("tok", "-Wl,-rpath,'$ORIGIN'", "-Wl,-rpath,'$ORIGIN/../$LIB'"), 0);
    CHECK_EQ_INT(sh("cd '%s/tok' && mkdir -p lib/x86_64-linux-gnu && mv lib/*.so.1 "
                    "lib/x86_64-linux-gnu/ && gcc -o bin/prog2 ../src/main.c "
                    "lib/x86_64-linux-gnu/libdemo.so.1 -Wl,-rpath-link,lib/x86_64-linux-gnu "
                    "-Wl,-rpath,'${ORIGIN}/../${PLATFORM}' && mkdir -p %s && "
                    "cp lib/x86_64-linux-gnu/*.so.1 %s/",
                    T, h.platform, h.platform),
                 0);
    check_like_ldso(tpath("tok/bin/prog"));
    check_like_ldso(tpath("tok/bin/prog2"));
    struct strset s = {0};
    char err[256];
    CHECK_EQ_INT(collect_set(tpath("tok/bin/prog2"), &s, err, sizeof(err)), 0);
    bool found = false;
    for (size_t i = 0; i < s.n; i++)
        found |= strcmp(s.v[i], tpath("tok/bin/../%s/libdemo.so.1", h.platform)) == 0;
    CHECK(found);
    set_free(&s);
}

static void test_hwcaps_subdirectories_first(void)
{
    struct ld_hwcaps h;
    ld_hwcaps_host(&h);
    /* A copy in a glibc-hwcaps subdirectory (if the CPU has a level) and one in a legacy
     * "tls/" subdirectory each win over the plain directory, for ld.so as for us. */
    CHECK_EQ_INT(build_demo("hw", "-Wl,-rpath,'$ORIGIN'", "-Wl,-rpath,'$ORIGIN/../lib'"), 0);
    CHECK_EQ_INT(build_demo("hw2", "-Wl,-rpath,'$ORIGIN'", "-Wl,-rpath,'$ORIGIN/../lib'"), 0);
    if (h.nlevels > 0) {
        CHECK_EQ_INT(sh("cd '%s/hw/lib' && mkdir -p glibc-hwcaps/%s && cp *.so.1 "
                        "glibc-hwcaps/%s/",
                        T, h.levels[h.nlevels - 1], h.levels[h.nlevels - 1]),
                     0);
        check_like_ldso(tpath("hw/bin/prog"));
        struct strset s = {0};
        char err[256];
        CHECK_EQ_INT(collect_set(tpath("hw/bin/prog"), &s, err, sizeof(err)), 0);
        bool found = false;
        for (size_t i = 0; i < s.n; i++)
            found |= strstr(s.v[i], "/glibc-hwcaps/") != NULL;
        CHECK(found);
        set_free(&s);
    }
    CHECK_EQ_INT(sh("cd '%s/hw2/lib' && mkdir -p tls && cp *.so.1 tls/", T), 0);
    check_like_ldso(tpath("hw2/bin/prog"));
}

static void test_search_paths_like_ldso(void)
{
    struct ld_hwcaps h;
    ld_hwcaps_host(&h);
    int status;
    char *help = output(&status, "env -i " LDSO " --help");
    CHECK(help && status == 0);
    if (!help)
        return;
    /* glibc-hwcaps levels: "  x86-64-v3 (supported, searched)", best first. */
    size_t k = 0;
    char *sec = strstr(help, "Subdirectories of glibc-hwcaps directories");
    for (char *l = sec ? strchr(sec, '\n') + 1 : NULL; l && *l == ' '; l = strchr(l, '\n') + 1) {
        char name[64], line[256];
        snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
        if (sscanf(line, " %63s", name) == 1 && strstr(line, "(supported, searched)")) {
            CHECK(k < h.nlevels && strcmp(name, h.levels[k]) == 0);
            k++;
        }
    }
    CHECK_EQ_INT(k, h.nlevels);
    /* The built-in directories: "  /lib/x86_64-linux-gnu (system search path)". */
    const char *const *dirs = elf_deps_default_dirs();
    k = 0;
    for (char *l = help; (l = strstr(l, " (system search path)")); l++) {
        char *start = l;
        while (start > help && start[-1] != ' ')
            start--;
        CHECK(dirs[k] && strncmp(start, dirs[k], (size_t)(l - start)) == 0 &&
              strlen(dirs[k]) == (size_t)(l - start));
        k++;
    }
    CHECK(k > 0 && dirs[k] == NULL);
    free(help);

    /* Every path ld.so tries in the default directories, as LD_DEBUG=libs shows them. */
    CHECK_EQ_INT(sh("cd '%s' && mkdir -p gone && gcc -shared -fPIC -o gone/libgone.so.1 "
                    "-Wl,-soname,libgone.so.1 src/deep.c && gcc -o gone/prog src/nop.c "
                    "-Wl,--no-as-needed gone/libgone.so.1 && rm gone/libgone.so.1",
                    T),
                 0);
    char *dbg = output(NULL, "env -i LD_DEBUG=libs '%s/gone/prog' 2>&1", T);
    char *line = dbg ? strstr(dbg, "(system search path)") : NULL;
    CHECK(line != NULL);
    if (line) {
        *line = '\0';
        char *list = strrchr(dbg, '=') + 1;
        char *tab = strchr(list, '\t');
        if (tab)
            *tab = '\0';
        struct strset got = {0}, want = {0};
        for (char *e = strtok(list, ":"); e; e = strtok(NULL, ":"))
            set_add(&got, e);
        for (size_t d = 0; dirs[d]; d++)
            for (size_t i = 0; i < h.nsubdirs; i++) {
                char p[PATH_MAX];
                int n = snprintf(p, sizeof(p), "%s/%s", dirs[d], h.subdirs[i]);
                p[n - 1] = '\0'; /* LD_DEBUG shows no trailing '/' */
                set_add(&want, p);
            }
        /* Same paths in the same order (compare unsorted first). */
        bool same = got.n == want.n;
        for (size_t i = 0; same && i < got.n; i++)
            same = strcmp(got.v[i], want.v[i]) == 0;
        if (!same)
            set_equal(&got, &want, "LD_DEBUG=libs", "ours");
        CHECK(same);
        set_free(&got);
        set_free(&want);
    }
    free(dbg);
    expect_error(tpath("gone/prog"), "libgone.so.1, needed by ");
}

static void test_missing_library(void)
{
    CHECK_EQ_INT(build_demo("miss", "", "-Wl,-rpath,'$ORIGIN/../lib'"), 0);
    CHECK_EQ_INT(sh("rm '%s/miss/lib/libdemo.so.1'", T), 0);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof(want), "libdemo.so.1, needed by %s, not found", tpath("miss/bin/prog"));
    struct elf_deps d;
    elf_deps_init(&d);
    char err[512] = "";
    CHECK_EQ_INT(elf_deps_collect(tpath("miss/bin/prog"), &d, err, sizeof(err)), -1);
    CHECK_STREQ(err, want);
    elf_deps_free(&d);
    expect_error(tpath("nonexistent"), "cannot open");
    /* Another loader's rules are not glibc's: refused, not guessed. */
    if (access("/lib/ld-musl-x86_64.so.1", F_OK) == 0 && sh("cd '%s' && musl-gcc -o musl-dyn "
                                                            "src/nop.c 2>/dev/null",
                                                            T) == 0)
        expect_error(tpath("musl-dyn"), "is not glibc's ld-linux-x86-64.so.2");
}

static void test_other_class_skipped_bad_file_fatal(void)
{
    /* A 64-bit library marked ELFCLASS32 stands for a 32-bit one: skipped. */
    CHECK_EQ_INT(
        build_demo("cls", "-Wl,-rpath,'$ORIGIN'", "-Wl,-rpath,'$ORIGIN/../lib32:$ORIGIN/../lib'"),
        0);
    CHECK_EQ_INT(sh("cd '%s/cls' && mkdir -p lib32 && cp lib/libdemo.so.1 lib32/ && "
                    "printf '\\001' | dd of=lib32/libdemo.so.1 bs=1 seek=4 conv=notrunc "
                    "status=none",
                    T),
                 0);
    check_like_ldso(tpath("cls/bin/prog"));
    /* A library that is no ELF file stops ld.so, and us. */
    CHECK_EQ_INT(build_demo("bad", "", "-Wl,-rpath,'$ORIGIN/../lib'"), 0);
    CHECK_EQ_INT(sh("truncate -s 40 '%s/bad/lib/libdemo.so.1'", T), 0);
    struct strset s = {0};
    CHECK_EQ_INT(ldso_list(tpath("bad/bin/prog"), &s), -1);
    set_free(&s);
    char want[PATH_MAX * 2];
    snprintf(want, sizeof(want), "%s, needed by %s: file too short",
             tpath("bad/bin/../lib/libdemo.so.1"), tpath("bad/bin/prog"));
    expect_error(tpath("bad/bin/prog"), want);
}

static void test_nodeflib_and_same_file(void)
{
    /* -z nodefaultlib: neither the cache's system entries nor the default directories. */
    CHECK_EQ_INT(sh("cd '%s' && gcc -o nodef src/nop.c -Wl,-z,nodefaultlib", T), 0);
    struct strset s = {0};
    CHECK_EQ_INT(ldso_list(tpath("nodef"), &s), -1);
    set_free(&s);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof(want), "libc.so.6, needed by %s, not found", tpath("nodef"));
    expect_error(tpath("nodef"), want);

    /* Two names, one file: loaded once, but ld.so opens both paths, so both are kept. */
    CHECK_EQ_INT(sh("set -e; cd '%s'; mkdir -p same/lib same/bin;"
                    "gcc -shared -fPIC -o same/lib/libA.so.1 -Wl,-soname,libA.so.1 src/deep.c;"
                    "gcc -shared -fPIC -o same/lib/libB.so.1 -Wl,-soname,libB.so.1 src/deep.c;"
                    "gcc -o same/bin/prog src/nop.c -Wl,--no-as-needed same/lib/libA.so.1 "
                    "same/lib/libB.so.1 -Wl,-rpath,'$ORIGIN/../lib';"
                    "ln -sf libA.so.1 same/lib/libB.so.1",
                    T),
                 0);
    CHECK_EQ_INT(ldso_list(tpath("same/bin/prog"), &s), 0);
    bool b_listed = false;
    for (size_t i = 0; i < s.n; i++)
        b_listed |= strstr(s.v[i], "libB") != NULL;
    CHECK(!b_listed); /* ld.so loads the file once */
    set_free(&s);
    char *why = reason_of(tpath("same/bin/prog"), tpath("same/bin/../lib/libB.so.1"));
    CHECK(why && strstr(why, "already loaded"));
    free(why);
}

/* ---- the CPU-dependent subdirectories ---- */

static void test_hwcaps_for_made_up_cpus(void)
{
    struct ld_cpu amd = {.v2 = true, .v3 = true, .at_platform = "x86_64"};
    struct ld_hwcaps h;
    ld_hwcaps_compute(&h, &amd);
    CHECK_EQ_INT(h.nsubdirs, 2 + 8);
    CHECK_STREQ(h.subdirs[0], "glibc-hwcaps/x86-64-v3/");
    CHECK_STREQ(h.subdirs[1], "glibc-hwcaps/x86-64-v2/");
    CHECK_STREQ(h.subdirs[2], "tls/x86_64/x86_64/");
    CHECK_STREQ(h.subdirs[5], "tls/");
    CHECK_STREQ(h.subdirs[9], "");
    CHECK_STREQ(h.platform, "x86_64");
    CHECK_EQ_INT(h.platform_bit, 0);

    struct ld_cpu intel = {.intel = true,
                           .v2 = true,
                           .v3 = true,
                           .v4 = true,
                           .avx2 = true,
                           .fma = true,
                           .bmi1 = true,
                           .bmi2 = true,
                           .lzcnt = true,
                           .movbe = true,
                           .popcnt = true,
                           .avx512f = true,
                           .avx512cd = true,
                           .avx512bw = true,
                           .avx512dq = true,
                           .avx512vl = true,
                           .at_platform = "x86_64"};
    ld_hwcaps_compute(&h, &intel);
    CHECK_EQ_INT(h.nlevels, 3);
    CHECK_EQ_INT(h.nsubdirs, 3 + 16);
    CHECK_STREQ(h.subdirs[3], "tls/haswell/avx512_1/x86_64/");
    CHECK_STREQ(h.subdirs[18], "");
    CHECK_STREQ(h.platform, "haswell");
    CHECK(h.platform_bit == (1ull << 50));
    CHECK(h.legacy_hwcap == (LD_HWCAP_X86_64 | LD_HWCAP_AVX512_1));

    struct ld_cpu old = {0};
    ld_hwcaps_compute(&h, &old);
    CHECK_EQ_INT(h.nlevels, 0);
    CHECK_EQ_INT(h.nsubdirs, 4); /* tls/x86_64/, tls/, x86_64/, "" */
    CHECK_STREQ(h.subdirs[0], "tls/x86_64/");
    CHECK_STREQ(h.platform, "");
}

/* ---- /etc/ld.so.cache ---- */

static void test_cache_matches_ldconfig(void)
{
    struct ld_cache c;
    char err[256];
    int r = ld_cache_load(&c, "/etc/ld.so.cache", err, sizeof(err));
    CHECK_EQ_INT(r, 0);
    if (r != 0) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    struct ld_hwcaps h;
    ld_hwcaps_host(&h);
    int status;
    char *out = output(&status, "env -i /sbin/ldconfig -p");
    CHECK(out && status == 0);
    unsigned n = 0;
    CHECK(out && sscanf(out, "%u libs found", &n) == 1);
    CHECK_EQ_INT(n, c.nlibs);
    /* Entry i of the file is line i of `ldconfig -p`: name, kind and path. */
    uint32_t i = 0;
    struct strset seen = {0};
    size_t looked_up = 0;
    for (char *l = out ? strchr(out, '\n') : NULL; l && l[1]; l = strchr(l + 1, '\n'), i++) {
        char name[256], kind[256], path[PATH_MAX];
        if (l[1] != '\t')
            break; /* "Cache generated by: ..." ends the list */
        if (sscanf(l + 1, " %255s (%255[^)]) => %4095s", name, kind, path) != 3) {
            CHECK(!"unparsed ldconfig -p line");
            break;
        }
        struct ld_cache_entry e;
        CHECK_EQ_INT(ld_cache_entry(&c, i, &e), 0);
        CHECK(e.name && strcmp(e.name, name) == 0);
        CHECK(e.path && strcmp(e.path, path) == 0);
        bool x86_64 = strncmp(kind, "libc6,x86-64", 12) == 0;
        CHECK_EQ_INT(e.flags == LD_CACHE_FLAGS_X86_64, x86_64);
        /* The first x86-64 entry of a name (no hwcaps here) is what ld.so takes. */
        bool first = true;
        for (size_t k = 0; k < seen.n; k++)
            first &= strcmp(seen.v[k], name) != 0;
        if (x86_64 && first && !strstr(kind, "hwcap")) {
            set_add(&seen, name);
            const char *got = ld_cache_lookup(&c, name, &h);
            CHECK(got && strcmp(got, path) == 0);
            looked_up++;
        }
    }
    CHECK_EQ_INT(i, c.nlibs);
    CHECK(looked_up > 10);
    const char *libc = ld_cache_lookup(&c, "libc.so.6", &h);
    CHECK(libc && strcmp(libc, "/lib/x86_64-linux-gnu/libc.so.6") == 0);
    CHECK(ld_cache_lookup(&c, "libcloister-nonexistent.so.9", &h) == NULL);
    /* Listed by ldconfig, but only for i386 (flags 1 or 3): never taken on x86-64. */
    if (out && strstr(out, "\tld-linux.so.2 "))
        CHECK(ld_cache_lookup(&c, "ld-linux.so.2", &h) == NULL);
    set_free(&seen);
    free(out);
    ld_cache_free(&c);
}

static void test_cache_name_order(void)
{
    CHECK_EQ_INT(ld_cache_name_cmp("libfoo.so.1", "libfoo.so.1"), 0);
    CHECK_EQ_INT(ld_cache_name_cmp("libfoo.so.01", "libfoo.so.1"), 0);
    CHECK(ld_cache_name_cmp("libfoo.so.10", "libfoo.so.9") > 0);
    CHECK(ld_cache_name_cmp("libz3.so.4", "libz3.so") > 0);
    CHECK(ld_cache_name_cmp("libz3.so", "libz3.so.4") < 0);
    CHECK(ld_cache_name_cmp("lib2", "libx") > 0); /* a digit sorts after a letter */
    CHECK(ld_cache_name_cmp("libx", "lib2") < 0);
    CHECK(ld_cache_name_cmp("liba", "libb") < 0);
}

/* A hand-made cache: entries (name, path, flags, hwcap) in the given order, hwcaps
 * names for the extension, written to path. Returns the byte size. */
struct mk_entry {
    const char *name, *path;
    int32_t flags;
    uint64_t hwcap;
};

static size_t make_cache(uint8_t *buf, size_t cap, const struct mk_entry *e, size_t n,
                         const char *const *hwnames, size_t nhw)
{
    memset(buf, 0, cap);
    memcpy(buf, "glibc-ld.so.cache1.1", 20);
    uint32_t nl = (uint32_t)n;
    memcpy(buf + 20, &nl, 4);
    buf[28] = 2; /* little-endian */
    size_t strs = 48 + 24 * n, pos = strs;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = buf + 48 + 24 * i;
        uint32_t k = (uint32_t)pos;
        memcpy(p, &e[i].flags, 4);
        memcpy(p + 4, &k, 4);
        pos += (size_t)sprintf((char *)buf + pos, "%s", e[i].name) + 1;
        k = (uint32_t)pos;
        memcpy(p + 8, &k, 4);
        pos += (size_t)sprintf((char *)buf + pos, "%s", e[i].path) + 1;
        memcpy(p + 16, &e[i].hwcap, 8);
    }
    uint32_t hwoff[8];
    for (size_t i = 0; i < nhw; i++) {
        hwoff[i] = (uint32_t)pos;
        pos += (size_t)sprintf((char *)buf + pos, "%s", hwnames[i]) + 1;
    }
    uint32_t len = (uint32_t)(pos - strs);
    memcpy(buf + 24, &len, 4);
    pos = (pos + 3) & ~(size_t)3;
    uint32_t arr = (uint32_t)pos;
    memcpy(buf + pos, hwoff, 4 * nhw);
    pos += 4 * nhw;
    uint32_t ext = (uint32_t)pos, words[6] = {0xeaa42174u, 1, 1, 0, arr, (uint32_t)(4 * nhw)};
    memcpy(buf + 32, &ext, 4);
    memcpy(buf + pos, words, sizeof(words));
    return pos + sizeof(words);
}

#define HWCAP_NAMED(isa, idx) ((1ull << 62) | ((uint64_t)(isa) << 32) | (idx))

static const char *lookup_in(const uint8_t *buf, size_t n, const char *name,
                             const struct ld_cpu *cpu)
{
    static char result[256];
    char *p = tpath("cache.bin");
    write_bytes(p, buf, n);
    struct ld_cache c;
    char err[256];
    if (ld_cache_load(&c, p, err, sizeof(err)) < 0)
        return "(load failed)";
    struct ld_hwcaps h;
    ld_hwcaps_compute(&h, cpu);
    const char *r = ld_cache_lookup(&c, name, &h);
    snprintf(result, sizeof(result), "%s", r ? r : "(none)");
    ld_cache_free(&c);
    return result;
}

static void test_cache_hwcaps_selection(void)
{
    const char *hwnames[] = {"x86-64-v2", "x86-64-v3"};
    const struct mk_entry e[] = {
        {"libzz.so.1", "/z", 0x303, 0},
        {"libhw.so.1", "/i386/libhw.so.1", 1, 0},
        {"libhw.so.1", "/v2/libhw.so.1", 0x303, HWCAP_NAMED(1, 0)},
        {"libhw.so.1", "/v3/libhw.so.1", 0x303, HWCAP_NAMED(2, 1)},
        {"libhw.so.1", "/avx512/libhw.so.1", 0x303, LD_HWCAP_AVX512_1},
        {"libhw.so.1", "/plain/libhw.so.1", 0x303, 0},
        {"libaa.so.1", "/a", 0x303, 0},
    };
    static uint8_t buf[4096];
    size_t n = make_cache(buf, sizeof(buf), e, 7, hwnames, 2);
    struct ld_cpu v3 = {.v2 = true, .v3 = true}, v2 = {.v2 = true}, base = {0};
    struct ld_cpu avx512 = {.intel = true,
                            .avx512f = true,
                            .avx512cd = true,
                            .avx512bw = true,
                            .avx512dq = true,
                            .avx512vl = true};
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v3), "/v3/libhw.so.1");
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v2), "/v2/libhw.so.1");
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &base), "/plain/libhw.so.1");
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &avx512), "/avx512/libhw.so.1");
    CHECK_STREQ(lookup_in(buf, n, "libzz.so.1", &base), "/z");
    CHECK_STREQ(lookup_in(buf, n, "libaa.so.1", &base), "/a");
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.01", &v2), "/v2/libhw.so.1");
    CHECK_STREQ(lookup_in(buf, n, "libmm.so.1", &v3), "(none)");
}

static void test_cache_corrupt(void)
{
    const char *hwnames[] = {"x86-64-v2"};
    const struct mk_entry e[] = {
        {"libhw.so.1", "/v2/libhw.so.1", 0x303, HWCAP_NAMED(1, 0)},
        {"libhw.so.1", "/plain/libhw.so.1", 0x303, 0},
    };
    static uint8_t good[4096], buf[4096];
    size_t n = make_cache(good, sizeof(good), e, 2, hwnames, 1);
    struct ld_cpu v2 = {.v2 = true};
    CHECK_STREQ(lookup_in(good, n, "libhw.so.1", &v2), "/v2/libhw.so.1");

    CHECK_STREQ(lookup_in(good, 47, "libhw.so.1", &v2), "(load failed)"); /* truncated */
    memcpy(buf, good, n);
    buf[0] = 'G';
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v2), "(load failed)"); /* magic */
    memcpy(buf, good, n);
    memcpy(buf + 20, &(uint32_t){1000000}, 4);
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v2), "(load failed)"); /* count */
    memcpy(buf, good, n);
    buf[28] = 3;
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v2), "(load failed)"); /* big-endian */
    memcpy(buf, good, n);
    memcpy(buf + 48 + 4, &(uint32_t){0xffffffffu}, 4); /* a key out of the file */
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v2), "(none)");
    memcpy(buf, good, n);
    memcpy(buf + 48 + 8, &(uint32_t){(uint32_t)n + 5}, 4); /* a value out of the file */
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v2), "/plain/libhw.so.1");
    memcpy(buf, good, n);
    memcpy(buf + 32, &(uint32_t){0x7ffffff0u}, 4); /* the extension out of the file */
    CHECK_STREQ(lookup_in(buf, n, "libhw.so.1", &v2), "/plain/libhw.so.1");
    memcpy(buf, good, n);
    memset(buf + n - 40, 'x', 40); /* strings run to the end with no NUL */
    lookup_in(buf, n, "libhw.so.1", &v2);

    /* The real cache, mutated at random: loads or not, never crashes. */
    size_t rn;
    uint8_t *real = read_all("/etc/ld.so.cache", &rn);
    CHECK(real != NULL);
    if (!real)
        return;
    uint8_t *m = malloc(rn);
    uint32_t seed = 12345;
    struct ld_hwcaps h;
    ld_hwcaps_host(&h);
    for (int iter = 0; iter < 300; iter++) {
        memcpy(m, real, rn);
        for (int k = 0; k < 1 + iter % 8; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = iter % 2 ? (seed >> 8) % 64 : (seed >> 8) % rn;
            m[at] ^= (uint8_t)(1u << (seed % 8));
        }
        write_bytes(tpath("cache.bin"), m, rn);
        struct ld_cache c;
        char err[256];
        if (ld_cache_load(&c, tpath("cache.bin"), err, sizeof(err)) == 0) {
            ld_cache_lookup(&c, "libc.so.6", &h);
            ld_cache_lookup(&c, "libz.so.1", &h);
            for (uint32_t i = 0; i < c.nlibs; i++) {
                struct ld_cache_entry ce;
                ld_cache_entry(&c, i, &ce);
            }
            ld_cache_free(&c);
        } else {
            CHECK(err[0] != '\0');
        }
    }
    free(m);
    free(real);
}

/* ---- corrupt ELF files ---- */

static enum elf_verdict read_bytes(const uint8_t *b, size_t n, char *err, size_t err_size)
{
    int fd = memfd_create("elf", MFD_CLOEXEC);
    if (fd < 0 || (n && write(fd, b, n) != (ssize_t)n))
        abort();
    struct elf_dyn e;
    err[0] = '\0';
    enum elf_verdict v = elf_dyn_read(fd, &e, err, err_size);
    close(fd);
    if (v == ELF_USABLE)
        elf_dyn_free(&e);
    else
        CHECK(e.needed == NULL && e.interp == NULL);
    if (v == ELF_BAD)
        CHECK(err[0] != '\0' && !strchr(err, '\n'));
    return v;
}

/* Offsets of things to break in a well-formed library. */
struct elf_map {
    size_t dyn_phdr;   /* file offset of the PT_DYNAMIC program header */
    size_t dyn;        /* file offset of the dynamic section */
    size_t strtab_ent; /* file offset of the DT_STRTAB entry */
    size_t strsz_ent;  /* of the DT_STRSZ entry */
    size_t needed_ent; /* of the first DT_NEEDED entry */
    size_t strtab;     /* file offset of the string table */
    uint64_t strsz;
};

static bool map_elf(const uint8_t *b, size_t n, struct elf_map *m)
{
    const Elf64_Ehdr *h = (const void *)b;
    memset(m, 0, sizeof(*m));
    for (size_t i = 0; i < h->e_phnum; i++) {
        size_t at = h->e_phoff + i * sizeof(Elf64_Phdr);
        const Elf64_Phdr *p = (const void *)(b + at);
        if (p->p_type == PT_DYNAMIC) {
            m->dyn_phdr = at;
            m->dyn = p->p_offset;
        }
    }
    if (!m->dyn)
        return false;
    for (size_t at = m->dyn; at + 16 <= n; at += 16) {
        const Elf64_Dyn *d = (const void *)(b + at);
        if (d->d_tag == DT_NULL)
            break;
        if (d->d_tag == DT_STRTAB)
            m->strtab_ent = at, m->strtab = d->d_un.d_ptr; /* vaddr == offset here */
        if (d->d_tag == DT_STRSZ)
            m->strsz_ent = at, m->strsz = d->d_un.d_val;
        if (d->d_tag == DT_NEEDED && !m->needed_ent)
            m->needed_ent = at;
    }
    return m->strtab_ent && m->strsz_ent && m->needed_ent;
}

#define MUT(field_off, type, value)                                                                \
    do {                                                                                           \
        memcpy(buf, good, n);                                                                      \
        type v_ = (value);                                                                         \
        memcpy(buf + (field_off), &v_, sizeof(v_));                                                \
    } while (0)

static void test_elf_corrupt(void)
{
    size_t n;
    uint8_t *good = read_all(tpath("rp/lib/libdemo.so.1"), &n);
    CHECK(good != NULL);
    if (!good)
        return;
    uint8_t *buf = malloc(n);
    char err[256];
    struct elf_map m;
    CHECK(map_elf(good, n, &m));
    CHECK_EQ_INT(read_bytes(good, n, err, sizeof(err)), ELF_USABLE);

    /* Truncated. */
    size_t cuts[] = {0, 1, 16, 63, 64, 100, m.dyn + 8, m.strtab + 3};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(*cuts); i++)
        CHECK_EQ_INT(read_bytes(good, cuts[i], err, sizeof(err)), ELF_BAD);
    CHECK_EQ_INT(read_bytes(good, 10, err, sizeof(err)), ELF_BAD);
    CHECK(strstr(err, "too short") != NULL);

    /* The header, field by field. */
    MUT(0, uint8_t, 0x7e);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    CHECK(strstr(err, "not an ELF file") != NULL);
    MUT(EI_CLASS, uint8_t, ELFCLASS32);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_OTHER_ARCH);
    MUT(offsetof(Elf64_Ehdr, e_machine), uint16_t, EM_AARCH64);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_OTHER_ARCH);
    MUT(EI_DATA, uint8_t, ELFDATA2MSB);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(EI_OSABI, uint8_t, ELFOSABI_FREEBSD);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(EI_OSABI, uint8_t, ELFOSABI_GNU);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_USABLE);
    MUT(EI_ABIVERSION, uint8_t, 1);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(EI_PAD + 2, uint8_t, 1);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(offsetof(Elf64_Ehdr, e_type), uint16_t, ET_CORE);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(offsetof(Elf64_Ehdr, e_phentsize), uint16_t, 32);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(offsetof(Elf64_Ehdr, e_phoff), uint64_t, UINT64_MAX - 8);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(offsetof(Elf64_Ehdr, e_phoff), uint64_t, n - 10);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(offsetof(Elf64_Ehdr, e_phnum), uint16_t, 0xffff);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);

    /* The dynamic segment and the string table. */
    MUT(m.dyn_phdr + offsetof(Elf64_Phdr, p_offset), uint64_t, n + 100);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(m.dyn_phdr + offsetof(Elf64_Phdr, p_offset), uint64_t, UINT64_MAX - 4);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(m.dyn_phdr + offsetof(Elf64_Phdr, p_filesz), uint64_t, UINT64_MAX);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(m.strtab_ent + 8, uint64_t, 0xdead00000000ull);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    CHECK(strstr(err, "DT_STRTAB") != NULL);
    MUT(m.strtab_ent + 8, uint64_t, UINT64_MAX);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(m.strsz_ent + 8, uint64_t, UINT64_MAX);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(m.needed_ent + 8, uint64_t, m.strsz + 5);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    CHECK(strstr(err, "DT_NEEDED") != NULL);
    MUT(m.needed_ent + 8, uint64_t, UINT64_MAX);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    memcpy(buf, good, n); /* a string table with no NUL at its end */
    memset(buf + m.strtab, 'A', m.strsz);
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);
    MUT(m.strtab_ent, int64_t, DT_DEBUG); /* strings named, no table */
    CHECK_EQ_INT(read_bytes(buf, n, err, sizeof(err)), ELF_BAD);

    /* Random mutations of the header, program headers and dynamic section. */
    uint32_t seed = 777;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, good, n);
        for (int k = 0; k < 1 + iter % 6; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t span = iter % 3 == 0 ? 64 + 56 * 12 : iter % 3 == 1 ? n : 512;
            size_t base = iter % 3 == 2 ? m.dyn : 0;
            size_t at = (base + (seed >> 8) % span) % n;
            buf[at] = (uint8_t)(seed >> 20);
        }
        enum elf_verdict v = read_bytes(buf, n, err, sizeof(err));
        CHECK(v == ELF_BAD || v == ELF_USABLE || v == ELF_OTHER_ARCH);
    }

    /* Through the collector: a corrupt program, and a directory given as one. */
    MUT(offsetof(Elf64_Ehdr, e_phnum), uint16_t, 0xffff);
    write_bytes(tpath("corrupt-prog"), buf, n);
    expect_error(tpath("corrupt-prog"), "program headers lie past the end of the file");
    expect_error(T, "not a regular file");
    const char script[] = "#!/bin/sh\n# a script is no ELF program, however long it is......\n";
    write_bytes(tpath("text-prog"), script, sizeof(script) - 1);
    expect_error(tpath("text-prog"), "not an ELF file");
    free(buf);
    free(good);
}

/* ---- symlinks ---- */

static void test_expand_links(void)
{
    /* The Debian layout: every path out is a link or a file with a link-free directory. */
    struct elf_deps d, x;
    elf_deps_init(&d);
    elf_deps_init(&x);
    char err[512] = "";
    CHECK_EQ_INT(elf_deps_collect("/bin/ls", &d, err, sizeof(err)), 0);
    CHECK_EQ_INT(elf_deps_expand_links(&d, &x, err, sizeof(err)), 0);
    for (size_t i = 0; i < x.count; i++) {
        const char *p = x.items[i].path;
        struct stat st;
        CHECK(lstat(p, &st) == 0 && (S_ISLNK(st.st_mode) || S_ISREG(st.st_mode)));
        CHECK(!strstr(p, "/./") && !strstr(p, "/../") && !strstr(p, "//"));
        char *dir = strdup(p), *real = realpath(dirname(dir), NULL);
        CHECK(real && strcmp(real, dirname(strcpy(dir, p))) == 0);
        free(real);
        free(dir);
    }
    for (size_t i = 0; i < d.count; i++) {
        char *real = realpath(d.items[i].path, NULL);
        CHECK(real && elf_deps_find(&x, real) >= 0);
        free(real);
    }
    elf_deps_free(&d);
    elf_deps_free(&x);

    /* Made-up links: a -> b (a directory), c -> a/lib.so, a loop and a dangling link. */
    CHECK_EQ_INT(sh("set -e; cd '%s'; mkdir -p links/b; echo x > links/b/lib.so;"
                    "ln -s b links/a; ln -s a/lib.so links/c; ln -s l2 links/l1;"
                    "ln -s l1 links/l2; ln -s nowhere links/dangling",
                    T),
                 0);
    elf_deps_init(&d);
    elf_deps_add(&d, tpath("links/c"), "wanted");
    elf_deps_add(&d, tpath("links/a/../b/./lib.so"), "wanted too");
    CHECK_EQ_INT(elf_deps_expand_links(&d, &x, err, sizeof(err)), 0);
    CHECK_EQ_INT(x.count, 3);
    if (x.count == 3) {
        CHECK_STREQ(x.items[0].path, tpath("links/c"));
        CHECK_STREQ(x.items[1].path, tpath("links/a"));
        CHECK_STREQ(x.items[2].path, tpath("links/b/lib.so"));
        CHECK(strstr(x.items[0].reason, "symlink") != NULL);
    }
    elf_deps_free(&d);
    elf_deps_free(&x);
    const char *bad[] = {"links/l1", "links/dangling", "links/b/lib.so/x", "links/b"};
    const char *why[] = {"too many levels", "No such file", "not a directory",
                         "not a regular file"};
    for (int i = 0; i < 4; i++) {
        elf_deps_init(&d);
        elf_deps_add(&d, tpath("%s", bad[i]), "bad");
        CHECK_EQ_INT(elf_deps_expand_links(&d, &x, err, sizeof(err)), -1);
        if (!strstr(err, why[i]))
            fprintf(stderr, "  \"%s\" lacks \"%s\"\n", err, why[i]);
        CHECK(strstr(err, why[i]) != NULL);
        elf_deps_free(&d);
        elf_deps_free(&x);
    }
}

static void test_loader_files(void)
{
    const char *const *f = elf_deps_loader_files();
    CHECK(f[0] && strcmp(f[0], "/etc/ld.so.cache") == 0);
    CHECK(f[1] == NULL);
    for (size_t i = 0; f[i]; i++)
        CHECK(strstr(f[i], "preload") == NULL);
}

int main(void)
{
    char tmpl[] = "/tmp/cloister-elf-deps.XXXXXX";
    if (!mkdtemp(tmpl) || !realpath(tmpl, T)) {
        perror("mkdtemp");
        return 1;
    }
    if (sh("mkdir -p '%s/src'", T) != 0)
        return 1;
    write_file(tpath("src/main.c"), main_c);
    write_file(tpath("src/demo.c"), demo_c);
    write_file(tpath("src/deep.c"), deep_c);
    write_file(tpath("src/nop.c"), "int main(void) { return 0; }\n");

    RUN(debian_programs_like_ldso);
    RUN(static_programs_collect_nothing);
    RUN(runpath_origin);
    RUN(rpath_is_inherited_runpath_is_not);
    RUN(tokens_lib_and_platform);
    RUN(hwcaps_subdirectories_first);
    RUN(search_paths_like_ldso);
    RUN(missing_library);
    RUN(other_class_skipped_bad_file_fatal);
    RUN(nodeflib_and_same_file);
    RUN(hwcaps_for_made_up_cpus);
    RUN(cache_matches_ldconfig);
    RUN(cache_name_order);
    RUN(cache_hwcaps_selection);
    RUN(cache_corrupt);
    RUN(elf_corrupt);
    RUN(expand_links);
    RUN(loader_files);

    sh("rm -rf '%s'", T);
    UNIT_EXIT();
}
