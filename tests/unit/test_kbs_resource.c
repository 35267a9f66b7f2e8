/*
 * Unit tests for the key broker's resource files (src/kbs/kbs_resource.c): both
 * routes, openat2 and the component walk its absence falls back to, open the same
 * paths and refuse the same ones: a symbolic link at every depth (out of the directory,
 * to /, or staying inside), "..", absolute paths, empty and "." components; a
 * directory reached through a link serves; FIFOs, directories and oversized files
 * are not resources.
 */
#include "kbs/kbs_protocol.h"
#include "kbs/kbs_resource.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static void at(char *out, size_t outlen, const char *rel)
{
    snprintf(out, outlen, "%s/%s", tmpdir, rel);
}

static void make_dir(const char *rel)
{
    char p[256];
    at(p, sizeof(p), rel);
    CHECK(mkdir(p, 0700) == 0);
}

static void make_file(const char *rel, const char *text, size_t len)
{
    char p[256];
    at(p, sizeof(p), rel);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fwrite(text, 1, len, f) == len);
        fclose(f);
    }
}

static void make_link(const char *target, const char *rel)
{
    char p[256];
    at(p, sizeof(p), rel);
    CHECK(symlink(target, p) == 0);
}

static int open_dir(const char *rel)
{
    char p[256];
    at(p, sizeof(p), rel);
    int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(fd >= 0);
    return fd;
}

static void make_tree(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_kbs_resource.XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    make_dir("outside");
    make_file("outside/x", "outside", 7);
    make_dir("res");
    make_dir("res/a");
    make_dir("res/a/b");
    make_file("res/a/b/c", "secret", 6);
    make_link("c", "res/a/b/lnk");                  /* depth 3, inside */
    make_link("../../../outside/x", "res/a/b/out"); /* depth 3, out */
    make_link("b", "res/a/dl");                     /* depth 2, inside */
    make_link("../../outside", "res/a/out");        /* depth 2, out */
    make_link("a", "res/top");                      /* depth 1, inside */
    make_link("../outside", "res/out");             /* depth 1, out */
    make_link("/", "res/root");                     /* depth 1, to the root */
    make_link("res", "res-link");                   /* the directory itself, as the operator may */
}

static const struct {
    const char *rel;
    int err; /* 0: opens, and reads "secret" */
} cases[] = {
    {"a/b/c", 0},
    {"a/b/lnk", ELOOP},
    {"a/b/out", ELOOP},
    {"a/dl/c", ELOOP},
    {"a/out/x", ELOOP},
    {"top/b/c", ELOOP},
    {"out/x", ELOOP},
    {"root/etc/passwd", ELOOP},
    {"../outside/x", EXDEV},
    {"a/../../outside/x", EXDEV},
    {"a/b/../b/c", EXDEV},
    {"a/b/..", EXDEV},
    {"..", EXDEV},
    {"/etc/passwd", EXDEV},
    {"", EINVAL},
    {".", EINVAL},
    {"./a/b/c", EINVAL},
    {"a//b/c", EINVAL},
    {"a/b/c/", EINVAL},
    {"a/b/c/d", ENOTDIR},
    {"a/none/c", ENOENT},
};

static void check_route(int dir_fd, enum kbs_resolve how, const char *route)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        errno = 0;
        int fd = kbs_open_beneath(dir_fd, cases[i].rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK, how);
        int err = fd < 0 ? errno : 0;
        char buf[16] = "";
        if (fd >= 0) {
            ssize_t n = read(fd, buf, sizeof(buf) - 1);
            buf[n > 0 ? n : 0] = '\0';
            close(fd);
        }
        if (err != cases[i].err || (err == 0 && strcmp(buf, "secret") != 0)) {
            fprintf(stderr, "  %s: '%s': errno %d (%s), expected %d\n", route, cases[i].rel, err,
                    strerror(err), cases[i].err);
            unit_case_failed = 1;
        }
    }
}

static void test_openat2(void)
{
    int dir = open_dir("res");
    check_route(dir, KBS_RESOLVE_AUTO, "openat2");
    close(dir);
}

static void test_walk(void)
{
    int dir = open_dir("res");
    check_route(dir, KBS_RESOLVE_WALK, "walk");
    close(dir);
}

/* The operator's --resources may itself be a link: only what lies beneath is held. */
static void test_directory_through_link(void)
{
    int dir = open_dir("res-link");
    check_route(dir, KBS_RESOLVE_AUTO, "openat2 via res-link");
    check_route(dir, KBS_RESOLVE_WALK, "walk via res-link");
    close(dir);
}

static void expect_read(int dir, const char *id, int status, const char *why_prefix)
{
    size_t len = 0;
    int st = 0;
    char why[256] = "";
    uint8_t *data = kbs_resource_read(dir, id, &len, &st, why, sizeof(why));
    if (status == 200) {
        CHECK(data != NULL && len == 6 && memcmp(data, "secret", 6) == 0);
    } else {
        CHECK(data == NULL);
        CHECK_EQ_INT(st, status);
        if (strncmp(why, why_prefix, strlen(why_prefix)) != 0) {
            fprintf(stderr, "  %s: why is '%s', expected '%s...'\n", id, why, why_prefix);
            unit_case_failed = 1;
        }
    }
    free(data);
}

static void test_read(void)
{
    char p[256];
    make_dir("res/k");
    make_dir("res/k/t");
    at(p, sizeof(p), "res/k/t/fifo");
    CHECK(mkfifo(p, 0600) == 0);
    static char big[KBS_MAX_RESOURCE_SIZE + 1];
    make_file("res/k/t/big", big, sizeof(big));
    int dir = open_dir("res");
    expect_read(dir, "a/b/c", 200, "");
    expect_read(dir, "a/b/lnk", 404, "no resource a/b/lnk (a symbolic link)");
    expect_read(dir, "root/etc/passwd", 404, "no resource root/etc/passwd (a symbolic link)");
    expect_read(dir, "a/b/none", 404, "no resource a/b/none");
    expect_read(dir, "k/t/fifo", 404, "no resource k/t/fifo (not a regular file)");
    expect_read(dir, "a/b", 404, "no resource a/b (not a regular file)");
    expect_read(dir, "k/t/big", 500, "resource k/t/big is larger than 1048576 bytes");
    close(dir);
}

int main(void)
{
    make_tree();
    RUN(openat2);
    RUN(walk);
    RUN(directory_through_link);
    RUN(read);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    UNIT_EXIT();
}
