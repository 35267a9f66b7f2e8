/*
 * Unit tests for the image: collecting a host tree, writing an image, reading it back,
 * and refusing broken ones. Hashes are recomputed here with OpenSSL straight from the
 * source files, and expected layouts from the rules of include/cloister/cwi.h, so the
 * writer and the reader are checked against the format, not against each other.
 *
 * Broken images are made from a valid one by editing bytes; where a test means to reach
 * a structural check behind a section hash, it re-hashes the edited section first, so
 * only that check can catch the damage.
 *
 * With --seed-corpus DIR, also writes small valid images into DIR as seeds for
 * tests/fuzz/fuzz_cwi_read.c.
 */
#include "image/cwi_read.h"
#include "image/cwi_write.h"
#include "image/file_tree.h"
#include "unit.h"
#include "seal/shim_blob.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cloister/abi.h>
#include <cloister/cwi.h>

static char root[256]; /* the temporary directory of this run */

/* A stand-in shim: a valid header on two pages; the real one is tested once. */
static uint8_t fake_shim[8192];

static void make_fake_shim(void)
{
    struct cl_shim_header h = {
        .magic = CL_SHIM_MAGIC,
        .abi_version = CL_ABI_VERSION,
        .entry = 0xffffffff80000000ull + CL_GPA_SHIM + 0x1000,
        .load_gpa = CL_GPA_SHIM,
        .file_size = sizeof(fake_shim),
        .mem_size = sizeof(fake_shim),
    };
    for (size_t i = 0; i < sizeof(fake_shim); i++)
        fake_shim[i] = (uint8_t)(i * 7);
    memcpy(fake_shim, &h, sizeof(h));
}

static void sha256(const void *p, size_t n, uint8_t out[32])
{
    unsigned len;
    EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

static char *path_of(const char *rel)
{
    static char buf[4][512];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 512, "%s/%s", root, rel);
    return b;
}

static void write_file(const char *rel, const void *data, size_t len, mode_t mode)
{
    int fd = open(path_of(rel), O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        fprintf(stderr, "  cannot write %s: %s\n", rel, strerror(errno));
        exit(2);
    }
    fchmod(fd, mode);
    close(fd);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        return NULL;
    uint8_t *b = malloc((size_t)st.st_size + 1);
    *len = (size_t)st.st_size;
    if (read(fd, b, *len) != (ssize_t)*len) {
        free(b);
        b = NULL;
    }
    close(fd);
    return b;
}

/* The big file spans four chunks: 3 * 64 KiB + 123 bytes. */
#define BIG_SIZE (3u * CWI_CHUNK_SIZE + 123u)

/*
 * The source tree:
 *   src/bin/app (0700)  src/etc/conf  src/etc/empty  src/data/big  src/data/sub/deep/file
 *   src/link -> etc/conf  src/emptydir/
 */
static void make_tree(void)
{
    static const char *const dirs[] = {"src",         "src/bin",      "src/etc",
                                       "src/data",    "src/data/sub", "src/data/sub/deep",
                                       "src/emptydir"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        mkdir(path_of(dirs[i]), 0700);
    uint8_t app[1000];
    for (size_t i = 0; i < sizeof(app); i++)
        app[i] = (uint8_t)(i * 13 + 1);
    write_file("src/bin/app", app, sizeof(app), 0700);
    write_file("src/etc/conf", "hello\n", 6, 0600);
    write_file("src/etc/empty", "", 0, 0640);
    uint8_t *big = malloc(BIG_SIZE);
    uint32_t x = 12345;
    for (size_t i = 0; i < BIG_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (uint8_t)(x >> 16);
    }
    write_file("src/data/big", big, BIG_SIZE, 0644);
    free(big);
    write_file("src/data/sub/deep/file", "deep", 4, 0444);
    symlink("etc/conf", path_of("src/link"));
}

static void small_manifest(struct cl_manifest *m, const char *entry)
{
    manifest_init(m);
    m->entry = strdup(entry);
    m->argv = calloc(2, sizeof(char *));
    m->argv[0] = strdup(entry);
    m->argv[1] = strdup("--serve");
    m->argc = 2;
}

/* Builds src (added at "/", plus the entry program) into out. 0 or -1 with err. */
static int build(const char *out, bool reverse, const uint8_t *shim, size_t shim_len, char *err,
                 size_t err_size)
{
    struct file_tree t;
    struct cl_manifest m;
    int rc;

    file_tree_init(&t);
    small_manifest(&m, "/bin/app");
    /* The same inputs named in a different order must give the same image. */
    if (reverse)
        rc = file_tree_add_program(&t, path_of("src/bin/app"), "/bin/app", err, err_size) ||
             file_tree_add(&t, path_of("src"), "/", err, err_size);
    else
        rc = file_tree_add(&t, path_of("src"), "/", err, err_size) ||
             file_tree_add_program(&t, path_of("src/bin/app"), "/bin/app", err, err_size);
    if (rc == 0) {
        int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
        rc = fd < 0 ? -1 : cwi_write(fd, &m, &t, shim, shim_len, NULL, err, err_size);
        if (fd >= 0)
            close(fd);
    }
    file_tree_free(&t);
    manifest_free(&m);
    return rc ? -1 : 0;
}

/* The valid image every corruption test starts from, read into memory. */
static uint8_t *good;
static size_t good_len;

static int open_buf(const uint8_t *buf, size_t len, unsigned flags, struct cwi_image *img,
                    char *err, size_t err_size)
{
    int fd = memfd_create("cwi", MFD_CLOEXEC);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
        fprintf(stderr, "  memfd: %s\n", strerror(errno));
        exit(2);
    }
    return cwi_open_fd(fd, flags, img, err, err_size);
}

/* Expects buf to be refused with a one-line "image: " message containing frag. */
static void expect_bad_flags(const uint8_t *buf, size_t len, unsigned flags, const char *frag,
                             int line)
{
    struct cwi_image img;
    char err[512] = "";
    int rc = open_buf(buf, len, flags, &img, err, sizeof(err));
    if (rc != -1) {
        fprintf(stderr, "  line %d: image accepted, expected \"%s\"\n", line, frag);
        unit_case_failed = 1;
        cwi_close(&img);
        return;
    }
    if (!strstr(err, frag) || strncmp(err, "image: ", 7) != 0 || strchr(err, '\n')) {
        fprintf(stderr, "  line %d: message \"%s\" lacks \"%s\"\n", line, err, frag);
        unit_case_failed = 1;
    }
    CHECK(img.map == NULL && img.fd == -1);
    cwi_close(&img); /* harmless after a failed open */
}
#define EXPECT_BAD(buf, len, frag) expect_bad_flags(buf, len, 0, frag, __LINE__)

static uint8_t *copy_good(void)
{
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    return b;
}

static struct cwi_section *sec_of(uint8_t *buf, uint32_t type)
{
    struct cwi_header *h = (struct cwi_header *)buf;
    struct cwi_section *s = (struct cwi_section *)(buf + CWI_HEADER_SIZE);
    for (uint32_t i = 0; i < h->section_count; i++)
        if (s[i].type == type)
            return &s[i];
    return NULL;
}

/* Rewrites the header's hash of the section table to match the table as buf holds it. */
static void reseal(uint8_t *buf)
{
    struct cwi_header *h = (struct cwi_header *)buf;
    uint32_t n = h->section_count < CWI_MAX_SECTIONS ? h->section_count : CWI_MAX_SECTIONS;
    sha256(buf + CWI_HEADER_SIZE, n * sizeof(struct cwi_section), h->table_sha256);
}

/* Re-hashes a section, and then the table that holds its hash. */
static void rehash(uint8_t *buf, uint32_t type)
{
    struct cwi_section *s = sec_of(buf, type);
    sha256(buf + s->offset, (size_t)s->length, s->sha256);
    reseal(buf);
}

/* A table edited as an attacker would, who re-hashes it, so that only the rule can tell. */
#define EXPECT_BAD_SEALED(buf, len, frag)                                                          \
    do {                                                                                           \
        reseal(buf);                                                                               \
        expect_bad_flags(buf, len, 0, frag, __LINE__);                                             \
    } while (0)

/* The index entry for path inside buf, and its path bytes. */
static struct cwi_entry *entry_of(uint8_t *buf, const char *path, char **path_bytes)
{
    struct cwi_section *s = sec_of(buf, CWI_SEC_FILE_INDEX);
    struct cwi_index_header *h = (struct cwi_index_header *)(buf + s->offset);
    struct cwi_entry *e = (struct cwi_entry *)(buf + s->offset + h->entries_offset);
    char *strings = (char *)buf + s->offset + h->strings_offset;
    for (uint32_t i = 0; i < h->entry_count; i++)
        if (e[i].path_length == strlen(path) &&
            !memcmp(strings + e[i].path_offset, path, strlen(path))) {
            if (path_bytes)
                *path_bytes = strings + e[i].path_offset;
            return &e[i];
        }
    fprintf(stderr, "  no %s in the test image\n", path);
    exit(2);
}

/* SHA-256 over the 64 KiB chunk hashes of data, computed here from scratch. */
static void tree_hash(const uint8_t *data, size_t len, uint8_t out[32], uint8_t *chunks)
{
    size_t n = 0;
    for (size_t off = 0; off < len; off += CWI_CHUNK_SIZE, n++)
        sha256(data + off, len - off < CWI_CHUNK_SIZE ? len - off : CWI_CHUNK_SIZE,
               chunks + 32 * n);
    sha256(chunks, 32 * n, out);
}

static const char *const expected_paths[] = {
    "/",         "/bin",      "/bin/app",       "/data",
    "/data/big", "/data/sub", "/data/sub/deep", "/data/sub/deep/file",
    "/emptydir", "/etc",      "/etc/conf",      "/etc/empty",
    "/link",
};
#define NPATHS (sizeof(expected_paths) / sizeof(expected_paths[0]))

static void test_tree_collect(void)
{
    struct file_tree t;
    char err[512];
    file_tree_init(&t);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src"), "/", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/etc"), "/opt/etc", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_finish(&t, err, sizeof(err)), 0);
    /* /opt is a parent nobody named; it and the copies of etc join the sorted list. */
    CHECK_EQ_INT(t.count, NPATHS + 4);
    for (size_t i = 1; i < t.count; i++)
        CHECK(strcmp(t.entries[i - 1].path, t.entries[i].path) < 0);
    const struct ft_entry *e = file_tree_find(&t, "/bin/app");
    CHECK(e && e->mode == (CWI_S_IFREG | 0755)); /* 0700 on the host */
    e = file_tree_find(&t, "/etc/conf");
    CHECK(e && e->mode == (CWI_S_IFREG | 0644)); /* 0600 on the host */
    e = file_tree_find(&t, "/data/sub/deep/file");
    CHECK(e && e->mode == (CWI_S_IFREG | 0644)); /* 0444 on the host */
    e = file_tree_find(&t, "/opt");
    CHECK(e && e->mode == (CWI_S_IFDIR | 0755) && e->src == NULL);
    e = file_tree_find(&t, "/link");
    CHECK(e && e->mode == (CWI_S_IFLNK | 0777) && !strcmp(e->target, "etc/conf") && e->size == 8);
    e = file_tree_find(&t, "/emptydir");
    CHECK(e && e->mode == (CWI_S_IFDIR | 0755));
    CHECK(file_tree_find(&t, "/nope") == NULL);
    file_tree_free(&t);
}

static void expect_tree_error(int rc, const char *err, const char *frag)
{
    CHECK_EQ_INT(rc, -1);
    if (!strstr(err, frag)) {
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err, frag);
        unit_case_failed = 1;
    }
}

static void test_tree_rejects(void)
{
    struct file_tree t;
    char err[512] = "";

    /* Two different sources for one path. */
    file_tree_init(&t);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/etc/conf"), "/x", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/bin/app"), "/x", err, sizeof(err)), 0);
    expect_tree_error(file_tree_finish(&t, err, sizeof(err)), err, "two different sources for /x");
    file_tree_free(&t);

    /* The same source twice is fine, as are two directories at one path. */
    file_tree_init(&t);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/etc/conf"), "/x", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/etc/../etc/conf"), "/x", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/etc"), "/d", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/bin"), "/d", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_finish(&t, err, sizeof(err)), 0);
    CHECK_EQ_INT(t.count, 6); /* / /d /d/app /d/conf /d/empty /x */
    file_tree_free(&t);

    /* A file where a directory must be. */
    file_tree_init(&t);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/etc/conf"), "/a", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/bin/app"), "/a/b", err, sizeof(err)), 0);
    expect_tree_error(file_tree_finish(&t, err, sizeof(err)), err, "/a is a file");
    CHECK(strstr(err, "/a/b") != NULL);
    file_tree_free(&t);

    /* Paths that are not clean. */
    static const char *const bad[] = {"rel", "/a/../b", "/a/", "/a//b", "/./a"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        file_tree_init(&t);
        expect_tree_error(file_tree_add(&t, path_of("src/etc/conf"), bad[i], err, sizeof(err)), err,
                          "is not clean");
        file_tree_free(&t);
    }

    /* Special files, named in the message. */
    mkfifo(path_of("fifo"), 0600);
    file_tree_init(&t);
    expect_tree_error(file_tree_add(&t, path_of("fifo"), "/f", err, sizeof(err)), err, "is a fifo");
    CHECK(strstr(err, path_of("fifo")) != NULL);
    file_tree_free(&t);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path_of("sock"));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_EQ_INT(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    file_tree_init(&t);
    expect_tree_error(file_tree_add(&t, path_of("sock"), "/s", err, sizeof(err)), err,
                      "is a socket");
    file_tree_free(&t);
    close(s);
    file_tree_init(&t);
    expect_tree_error(file_tree_add(&t, "/dev/null", "/null", err, sizeof(err)), err,
                      "/dev/null is a character device");
    expect_tree_error(file_tree_add(&t, path_of("missing"), "/m", err, sizeof(err)), err,
                      "No such file");
    file_tree_free(&t);
}

static void test_tree_program(void)
{
    struct file_tree t;
    char err[512] = "";
    file_tree_init(&t);
    /* The entry program is followed through a symlink; --add keeps symlinks. */
    symlink("src/bin/app", path_of("src-app-link"));
    CHECK_EQ_INT(file_tree_add_program(&t, path_of("src-app-link"), "/app", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src-app-link"), "/l", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_finish(&t, err, sizeof(err)), 0);
    const struct ft_entry *e = file_tree_find(&t, "/app");
    CHECK(e && (e->mode & CWI_S_IFMT) == CWI_S_IFREG && e->size == 1000);
    e = file_tree_find(&t, "/l");
    CHECK(e && (e->mode & CWI_S_IFMT) == CWI_S_IFLNK);
    expect_tree_error(file_tree_add_program(&t, path_of("src/etc"), "/e", err, sizeof(err)), err,
                      "is not a regular file");
    file_tree_free(&t);
}

static void test_round_trip(void)
{
    struct cwi_image img;
    char err[512] = "";
    size_t len;

    CHECK_EQ_INT(cwi_open(path_of("good.cwi"), CWI_OPEN_VERIFY_DATA, &img, err, sizeof(err)), 0);
    if (img.map == NULL) {
        fprintf(stderr, "  %s\n", err);
        unit_case_failed = 1;
        return;
    }
    CHECK_EQ_INT(img.size % CWI_ALIGN, 0);
    CHECK_EQ_INT(img.header.section_count, 5);

    /* Section hashes, recomputed; alignment as cwi.h demands. */
    for (uint32_t i = 0; i < img.header.section_count; i++) {
        const struct cwi_section *s = &img.sections[i];
        uint8_t h[32];
        sha256(img.map + s->offset, (size_t)s->length, h);
        CHECK(memcmp(h, s->sha256, 32) == 0);
        CHECK_EQ_INT(s->type, i + 1);
        if (s->type != CWI_SEC_MANIFEST)
            CHECK_EQ_INT(s->offset % CWI_ALIGN, 0);
    }
    const struct cwi_section *shim = cwi_section(&img, CWI_SEC_SHIM);
    CHECK(shim->length == sizeof(fake_shim) &&
          memcmp(cwi_section_data(&img, shim), fake_shim, sizeof(fake_shim)) == 0);

    CHECK_STREQ(img.manifest.entry, "/bin/app");
    CHECK_EQ_INT(img.manifest.argc, 2);
    CHECK_STREQ(img.manifest.argv[1], "--serve");

    CHECK_EQ_INT(img.index->entry_count, NPATHS);
    const uint8_t *data = cwi_section_data(&img, cwi_section(&img, CWI_SEC_FILE_DATA));
    const uint8_t *chunks = cwi_section_data(&img, cwi_section(&img, CWI_SEC_CHUNK_HASHES));
    for (size_t i = 0; i < NPATHS && i < img.index->entry_count; i++) {
        const struct cwi_entry *e = &img.entries[i];
        CHECK(e->path_length == strlen(expected_paths[i]) &&
              !memcmp(img.strings + e->path_offset, expected_paths[i], e->path_length));
        CHECK(cwi_lookup(&img, expected_paths[i]) == e);
    }
    static const struct {
        const char *path, *src;
        uint32_t mode;
    } files[] = {{"/bin/app", "src/bin/app", 0100755},
                 {"/etc/conf", "src/etc/conf", 0100644},
                 {"/etc/empty", "src/etc/empty", 0100644},
                 {"/data/big", "src/data/big", 0100644},
                 {"/data/sub/deep/file", "src/data/sub/deep/file", 0100644}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        const struct cwi_entry *e = cwi_lookup(&img, files[i].path);
        uint8_t *src = read_file(path_of(files[i].src), &len);
        CHECK(e && src);
        if (!e || !src)
            continue;
        CHECK_EQ_INT(e->mode, files[i].mode);
        CHECK_EQ_INT(e->size, len);
        CHECK_EQ_INT(e->data_offset % CWI_ALIGN, 0);
        CHECK(memcmp(data + e->data_offset, src, len) == 0);
        uint8_t want[32], want_chunks[32 * 8];
        tree_hash(src, len, want, want_chunks);
        CHECK(memcmp(e->sha256, want, 32) == 0);
        size_t n = (len + CWI_CHUNK_SIZE - 1) / CWI_CHUNK_SIZE;
        CHECK(memcmp(chunks + 32 * e->first_chunk, want_chunks, 32 * n) == 0);
        free(src);
    }
    uint8_t empty_hash[32];
    sha256("", 0, empty_hash);
    CHECK(memcmp(cwi_lookup(&img, "/etc/empty")->sha256, empty_hash, 32) == 0);
    CHECK_EQ_INT(cwi_section(&img, CWI_SEC_CHUNK_HASHES)->length, 32 * (1 + 1 + 4 + 1));

    const struct cwi_entry *l = cwi_lookup(&img, "/link");
    CHECK(l && l->mode == 0120777 && l->size == 8 &&
          !memcmp(img.strings + l->data_offset, "etc/conf", 8));
    const struct cwi_entry *d = cwi_lookup(&img, "/emptydir");
    CHECK(d && d->mode == 040755 && d->size == 0);
    CHECK(cwi_lookup(&img, "/bin/ap") == NULL && cwi_lookup(&img, "/bin/app/") == NULL &&
          cwi_lookup(&img, "/zzz") == NULL);
    CHECK(cwi_section(&img, CWI_SEC_SIGNATURE) == NULL);
    cwi_close(&img);
}

static void test_reproducible(void)
{
    char err[512] = "";
    size_t a_len, b_len;
    /* Other host modes and times must not reach the image. */
    chmod(path_of("src/etc/conf"), 0640);
    chmod(path_of("src/data"), 0700);
    struct timespec times[2] = {{.tv_sec = 1000000}, {.tv_sec = 2000000}};
    utimensat(AT_FDCWD, path_of("src/data/big"), times, 0);
    CHECK_EQ_INT(build(path_of("again.cwi"), true, fake_shim, sizeof(fake_shim), err, sizeof(err)),
                 0);
    uint8_t *a = read_file(path_of("good.cwi"), &a_len);
    uint8_t *b = read_file(path_of("again.cwi"), &b_len);
    CHECK(a && b && a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
}

static void test_real_shim(void)
{
    char err[512] = "";
    struct cwi_image img;
    size_t n = (size_t)(cl_shim_blob_end - cl_shim_blob);
    CHECK_EQ_INT(build(path_of("real.cwi"), false, cl_shim_blob, n, err, sizeof(err)), 0);
    CHECK_EQ_INT(cwi_open(path_of("real.cwi"), CWI_OPEN_VERIFY_DATA, &img, err, sizeof(err)), 0);
    if (img.map) {
        const struct cwi_section *s = cwi_section(&img, CWI_SEC_SHIM);
        CHECK(s->length == n && !memcmp(cwi_section_data(&img, s), cl_shim_blob, n));
    }
    cwi_close(&img);
}

static void test_writer_rejects(void)
{
    struct file_tree t;
    struct cl_manifest m;
    char err[512] = "";
    int fd = open(path_of("w.cwi"), O_RDWR | O_CREAT | O_TRUNC, 0644);

    /* The entry must be a file of the image. */
    file_tree_init(&t);
    small_manifest(&m, "/bin/nope");
    CHECK_EQ_INT(file_tree_add(&t, path_of("src"), "/", err, sizeof(err)), 0);
    expect_tree_error(cwi_write(fd, &m, &t, fake_shim, sizeof(fake_shim), NULL, err, sizeof(err)),
                      err, "/bin/nope is not among the image's files");
    free(m.entry);
    m.entry = strdup("/etc");
    expect_tree_error(cwi_write(fd, &m, &t, fake_shim, sizeof(fake_shim), NULL, err, sizeof(err)),
                      err, "not a regular file");
    free(m.entry);
    m.entry = strdup("/bin/app");
    /* A shim from another ABI. */
    uint8_t other[4096] = {0};
    memcpy(other, fake_shim, sizeof(other));
    ((struct cl_shim_header *)other)->abi_version = CL_ABI_VERSION + 1;
    expect_tree_error(cwi_write(fd, &m, &t, other, sizeof(other), NULL, err, sizeof(err)), err,
                      "bad header");
    file_tree_free(&t);

    /* A file that changes between collecting and writing. */
    write_file("changing", "12345", 5, 0644);
    file_tree_init(&t);
    CHECK_EQ_INT(file_tree_add(&t, path_of("src/bin/app"), "/bin/app", err, sizeof(err)), 0);
    CHECK_EQ_INT(file_tree_add(&t, path_of("changing"), "/c", err, sizeof(err)), 0);
    write_file("changing", "1234567", 7, 0644);
    expect_tree_error(cwi_write(fd, &m, &t, fake_shim, sizeof(fake_shim), NULL, err, sizeof(err)),
                      err, "changed while the image was being built");
    file_tree_free(&t);
    manifest_free(&m);
    close(fd);
}

static void test_stats(void)
{
    struct file_tree t;
    struct cl_manifest m;
    struct cwi_write_stats st;
    char err[512] = "";
    int fd = open(path_of("s.cwi"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    file_tree_init(&t);
    small_manifest(&m, "/bin/app");
    CHECK_EQ_INT(file_tree_add(&t, path_of("src"), "/", err, sizeof(err)), 0);
    CHECK_EQ_INT(cwi_write(fd, &m, &t, fake_shim, sizeof(fake_shim), &st, err, sizeof(err)), 0);
    CHECK_EQ_INT(st.entries, NPATHS);
    CHECK_EQ_INT(st.files, 5);
    CHECK_EQ_INT(st.data_bytes, 1000 + 6 + 0 + BIG_SIZE + 4);
    CHECK_EQ_INT(st.image_size, (uint64_t)lseek(fd, 0, SEEK_END));
    file_tree_free(&t);
    manifest_free(&m);
    close(fd);
}

static void test_bad_truncated(void)
{
    /* At every section boundary, and inside every section. */
    struct cwi_header *h = (struct cwi_header *)good;
    struct cwi_section *s = (struct cwi_section *)(good + CWI_HEADER_SIZE);
    EXPECT_BAD(good, 0, "too short for a header");
    EXPECT_BAD(good, 64, "too short for a header");
    EXPECT_BAD(good, CWI_HEADER_SIZE, "(truncated)");
    for (uint32_t i = 0; i < h->section_count; i++) {
        uint64_t cuts[] = {s[i].offset, s[i].offset + 1, s[i].offset + s[i].length / 2,
                           s[i].offset + s[i].length - 1};
        for (size_t c = 0; c < 4; c++)
            if (cuts[c] < good_len)
                EXPECT_BAD(good, (size_t)cuts[c], "(truncated)");
    }
    EXPECT_BAD(good, good_len - 1, "(truncated)");
    /* And one byte too many is as wrong as one too few. */
    uint8_t *b = malloc(good_len + 1);
    memcpy(b, good, good_len);
    b[good_len] = 0;
    EXPECT_BAD(b, good_len + 1, "the file has");
    free(b);
}

static void test_bad_header(void)
{
    uint8_t *b = copy_good();
    struct cwi_header *h = (struct cwi_header *)b;
    h->magic[1] = 'X';
    EXPECT_BAD(b, good_len, "bad magic");
    memcpy(h->magic, CWI_MAGIC, 8);
    h->version = CWI_VERSION + 1;
    char want[96];
    snprintf(want, sizeof(want), "format version %u, this cloister reads version %u",
             CWI_VERSION + 1, CWI_VERSION);
    EXPECT_BAD(b, good_len, want);
    h->version = 2;
    EXPECT_BAD(b, good_len, "format version 2, this cloister reads version 3");
    h->version = CWI_VERSION;
    h->flags = 1;
    EXPECT_BAD(b, good_len, "unknown header flags 0x1");
    h->flags = 0;
    h->header_size = 256;
    EXPECT_BAD(b, good_len, "header size 256");
    h->header_size = CWI_HEADER_SIZE;
    h->section_count = 0;
    EXPECT_BAD(b, good_len, "0 sections");
    h->section_count = 9;
    EXPECT_BAD(b, good_len, "9 sections");
    h->section_count = 5;
    h->reserved[50] = 1;
    EXPECT_BAD(b, good_len, "reserved");
    h->reserved[50] = 0;
    h->file_size = 1ull << 63;
    EXPECT_BAD(b, good_len, "(truncated)");
    h->file_size = good_len;
    struct cwi_image img;
    char err[512];
    CHECK_EQ_INT(open_buf(b, good_len, 0, &img, err, sizeof(err)), 0); /* all restored */
    cwi_close(&img);
    free(b);
}

static void test_bad_table(void)
{
    uint8_t *b = copy_good();
    struct cwi_section *s = (struct cwi_section *)(b + CWI_HEADER_SIZE);
    struct cwi_section saved[5];
    memcpy(saved, s, sizeof(saved));
#define RESTORE() memcpy(s, saved, sizeof(saved))

    /* Any change to the table, a section's type included, breaks the header's hash. */
    s[1].type = 9;
    EXPECT_BAD(b, good_len, "the section table does not match its SHA-256 in the header");
    EXPECT_BAD_SEALED(b, good_len, "section 2 has unknown type 9");
    RESTORE();
    s[2].type = CWI_SEC_SHIM;
    EXPECT_BAD_SEALED(b, good_len, "section 3 (SHIM) appears twice");
    RESTORE();
    s[0].flags = 4;
    EXPECT_BAD_SEALED(b, good_len, "section 1 (MANIFEST) has unknown flags");
    RESTORE();
    s[1].length += CWI_ALIGN; /* the shim now runs into the index */
    EXPECT_BAD_SEALED(b, good_len, "section 3 (FILE_INDEX) overlaps section 2 (SHIM)");
    RESTORE();
    s[4].length += CWI_ALIGN;
    EXPECT_BAD_SEALED(b, good_len, "section 5 (FILE_DATA) ends past the end of the file");
    RESTORE();
    s[4].offset = good_len + CWI_ALIGN;
    EXPECT_BAD_SEALED(b, good_len, "section 5 (FILE_DATA) ends past the end of the file");
    RESTORE();
    s[2].length = 1ull << 63;
    EXPECT_BAD_SEALED(b, good_len, "section 3 (FILE_INDEX) ends past the end of the file");
    RESTORE();
    s[2].length = UINT64_MAX;
    EXPECT_BAD_SEALED(b, good_len, "ends past the end of the file");
    RESTORE();
    s[2].offset = 1ull << 63;
    s[2].length = 1ull << 63;
    EXPECT_BAD_SEALED(b, good_len, "ends past the end of the file");
    RESTORE();
    s[0].offset = 64;
    EXPECT_BAD_SEALED(b, good_len, "starts inside the header or the section table");
    RESTORE();
    s[1].offset += 8;
    s[1].length -= 8;
    EXPECT_BAD_SEALED(b, good_len, "section 2 (SHIM) at offset");
    RESTORE();
    memcpy(&s[1], &saved[2], sizeof(s[1]));
    memcpy(&s[2], &saved[1], sizeof(s[2]));
    EXPECT_BAD_SEALED(b, good_len, "not in ascending offset order");
    RESTORE();
    s[4].type = CWI_SEC_SIGNATURE; /* FILE_DATA becomes a signature: now none is left */
    EXPECT_BAD_SEALED(b, good_len, "no FILE_DATA section");
    RESTORE();
    s[3].length -= 1;
    EXPECT_BAD_SEALED(b, good_len, "CHUNK_HASHES is");
    RESTORE();
    /* A stray byte in the padding after the manifest, which no hash covers. */
    b[saved[0].offset + saved[0].length + 5] = 0xcc;
    EXPECT_BAD_SEALED(b, good_len, "outside any section");
    b[saved[0].offset + saved[0].length + 5] = 0;
    /* The last section cut short leaves bytes nobody owns. */
    s[4].length -= CWI_ALIGN;
    EXPECT_BAD_SEALED(b, good_len, "4096 bytes after the last section");
    RESTORE();
#undef RESTORE
    free(b);
}

static void test_bad_hash(void)
{
    uint8_t *b = copy_good();
    struct cwi_section *man = sec_of(b, CWI_SEC_MANIFEST);
    b[man->offset + 9] ^= 1;
    EXPECT_BAD(b, good_len, "section 1 (MANIFEST) does not match its SHA-256");
    b[man->offset + 9] ^= 1;
    struct cwi_section *sh = sec_of(b, CWI_SEC_SHIM);
    b[sh->offset + 100] ^= 1;
    EXPECT_BAD(b, good_len, "section 2 (SHIM) does not match");
    b[sh->offset + 100] ^= 1;
    struct cwi_section *ix = sec_of(b, CWI_SEC_FILE_INDEX);
    ix->sha256[0] ^= 1;
    EXPECT_BAD_SEALED(b, good_len, "section 3 (FILE_INDEX) does not match");
    ix->sha256[0] ^= 1;
    reseal(b);

    /* File contents are checked only when asked: opening to run costs no hashing. */
    struct cwi_entry *e = entry_of(b, "/data/big", NULL);
    struct cwi_section *fd = sec_of(b, CWI_SEC_FILE_DATA);
    b[fd->offset + e->data_offset + 70000] ^= 1;
    struct cwi_image img;
    char err[512];
    CHECK_EQ_INT(open_buf(b, good_len, 0, &img, err, sizeof(err)), 0);
    cwi_close(&img);
    expect_bad_flags(b, good_len, CWI_OPEN_VERIFY_DATA, "section 5 (FILE_DATA) does not match",
                     __LINE__);
    /* With the section hash patched, the chunk hash still catches it. */
    rehash(b, CWI_SEC_FILE_DATA);
    expect_bad_flags(b, good_len, CWI_OPEN_VERIFY_DATA, "/data/big: chunk 1 does not match",
                     __LINE__);
    b[fd->offset + e->data_offset + 70000] ^= 1;
    rehash(b, CWI_SEC_FILE_DATA);
    /* A tree hash that disagrees with its chunks. */
    e->sha256[3] ^= 1;
    rehash(b, CWI_SEC_FILE_INDEX);
    expect_bad_flags(b, good_len, CWI_OPEN_VERIFY_DATA, "/data/big: tree hash", __LINE__);
    e->sha256[3] ^= 1;
    rehash(b, CWI_SEC_FILE_INDEX);
    /* Non-zero bytes past a file's end, inside its last page. */
    struct cwi_entry *conf = entry_of(b, "/etc/conf", NULL);
    b[fd->offset + conf->data_offset + 100] = 1;
    rehash(b, CWI_SEC_FILE_DATA);
    expect_bad_flags(b, good_len, CWI_OPEN_VERIFY_DATA, "/etc/conf: non-zero bytes after",
                     __LINE__);
    free(b);
}

static void test_bad_shim(void)
{
    uint8_t *b = copy_good();
    struct cwi_section *sh = sec_of(b, CWI_SEC_SHIM);
    struct cl_shim_header *h = (struct cl_shim_header *)(b + sh->offset);
    h->abi_version = CL_ABI_VERSION + 7;
    rehash(b, CWI_SEC_SHIM);
    char want[128];
    snprintf(want, sizeof(want), "image's shim speaks ABI %u, this cloister speaks %u",
             CL_ABI_VERSION + 7, CL_ABI_VERSION);
    EXPECT_BAD(b, good_len, want);
    h->abi_version = CL_ABI_VERSION;
    h->magic = 0;
    rehash(b, CWI_SEC_SHIM);
    EXPECT_BAD(b, good_len, "does not start with a shim header");
    h->magic = CL_SHIM_MAGIC;
    h->file_size = sh->length + 1;
    rehash(b, CWI_SEC_SHIM);
    EXPECT_BAD(b, good_len, "shim's header is inconsistent");
    free(b);
}

static void test_bad_manifest(void)
{
    uint8_t *b = copy_good();
    struct cwi_section *man = sec_of(b, CWI_SEC_MANIFEST);
    /* ENTRY "/bin/app" -> "/bin/apq": decodes, but names no file of the image. */
    b[man->offset + 8 + 7] = 'q';
    rehash(b, CWI_SEC_MANIFEST);
    EXPECT_BAD(b, good_len, "entry program /bin/apq is not in the file index");
    b[man->offset + 8 + 7] = 'p';
    b[man->offset] = 0x3f;
    rehash(b, CWI_SEC_MANIFEST);
    EXPECT_BAD(b, good_len, "image: manifest: unknown key 63");
    free(b);
}

static void test_bad_index(void)
{
    uint8_t *b;
    char *p;
    struct cwi_entry *e;

    /* "/data/big" -> "/../a/big": same length, a ".." component. */
    b = copy_good();
    entry_of(b, "/data/big", &p);
    memcpy(p, "/../a/big", 9);
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "path '/../a/big' has a '.' or '..' component");
    free(b);

    /* "/etc/conf" -> "xetc/conf": no leading "/". */
    b = copy_good();
    entry_of(b, "/etc/conf", &p);
    p[0] = 'x';
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "path 'xetc/conf' is not absolute");
    free(b);

    /* Two entries swapped: not sorted. */
    b = copy_good();
    e = entry_of(b, "/etc/conf", NULL);
    struct cwi_entry tmp = e[0];
    e[0] = e[1];
    e[1] = tmp;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "not sorted: '/etc/conf' after '/etc/empty'");
    free(b);

    /* "/data/sub/deep/file" -> "/data/sux/deep/file": still sorted, parent missing. */
    b = copy_good();
    entry_of(b, "/data/sub/deep/file", &p);
    p[8] = 'x';
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/sux/deep/file: its parent directory is not in the file index");
    free(b);

    /* A symlink as a parent: "/data/sub" becomes a link to "/". */
    b = copy_good();
    e = entry_of(b, "/data/sub", NULL);
    e->mode = 0120777;
    e->size = 1;
    e->data_offset = 0; /* the first string byte: the "/" of "/" */
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/sub/deep: its parent is not a directory");
    free(b);

    /* Mode bits. */
    b = copy_good();
    e = entry_of(b, "/bin/app", NULL);
    e->mode |= 04000;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/bin/app: mode 0104755");
    e->mode = 0010644; /* a fifo */
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "is not a file, directory or symlink");
    free(b);

    /* Data: misaligned, outside FILE_DATA, overlapping the previous file. */
    b = copy_good();
    e = entry_of(b, "/data/big", NULL);
    uint64_t saved = e->data_offset;
    e->data_offset += 16;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/big: data offset");
    e->data_offset = sec_of(b, CWI_SEC_FILE_DATA)->length;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/big: data lies outside FILE_DATA");
    e->data_offset = UINT64_MAX & ~(uint64_t)(CWI_ALIGN - 1);
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/big: data lies outside FILE_DATA");
    e->data_offset = saved;
    e->size = 1ull << 62;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/big: data lies outside FILE_DATA");
    free(b);
    b = copy_good();
    e = entry_of(b, "/data/big", NULL);
    e->data_offset = 0; /* where /bin/app lives */
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/big: data overlaps the previous file's");
    free(b);

    /* Chunk ranges. */
    b = copy_good();
    e = entry_of(b, "/data/big", NULL);
    e->first_chunk = 5; /* 4 chunks from 5 in a table of 7 */
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/big: chunk hashes lie outside CHUNK_HASHES");
    e->first_chunk = UINT64_MAX;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "chunk hashes lie outside");
    e->first_chunk = 0;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/data/big: chunk hashes overlap the previous file's");
    free(b);

    /* Strings: a path and a symlink target pointing past the string table. */
    b = copy_good();
    e = entry_of(b, "/link", NULL);
    e->data_offset = 1u << 30;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/link: symlink target lies outside the strings");
    e->path_offset = UINT32_MAX;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "path lies outside the strings");
    free(b);

    /* The header: counts and offsets that do not add up. */
    b = copy_good();
    struct cwi_section *ix = sec_of(b, CWI_SEC_FILE_INDEX);
    struct cwi_index_header *h = (struct cwi_index_header *)(b + ix->offset);
    h->entry_count = UINT32_MAX;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "claims 4294967295 entries");
    h->entry_count = NPATHS;
    h->strings_size += 1;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "file index strings are");
    h->strings_size -= 1;
    h->chunk_shift = 12;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "chunk shift 12");
    h->chunk_shift = CWI_CHUNK_SHIFT;
    /* No "/" entry: rename "/" to "!" (sorts first, is not clean). */
    entry_of(b, "/", &p)[0].path_length = 1;
    p[0] = '!';
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "is not absolute");
    free(b);
}

/*
 * Random damage, with the hashes patched up so the structural checks see it: whatever
 * happens, the reader answers with one "image: " line or accepts, and never crashes
 * (run it under ASan to make "never" mean something).
 */
static void test_random_damage(void)
{
    uint32_t x = 2024;
    int refused = 0;
    /* The shim is 8 KiB of filler: damage there tests only its hash, so skip it. */
    const uint64_t shim_at = sec_of(good, CWI_SEC_SHIM)->offset;
    const uint64_t index_at = sec_of(good, CWI_SEC_FILE_INDEX)->offset;
    for (int round = 0; round < 3000; round++) {
        uint8_t *b = copy_good();
        int edits = 1 + round % 4;
        for (int k = 0; k < edits; k++) {
            x = x * 1664525u + 1013904223u;
            /* Mostly the metadata at the front, sometimes anywhere. */
            size_t span = (round & 3) ? 5 * CWI_ALIGN : good_len;
            size_t at = (x >> 8) % (span < good_len ? span : good_len);
            if (at >= shim_at + sizeof(struct cl_shim_header) && at < index_at)
                at = index_at + at % CWI_ALIGN;
            b[at] ^= (uint8_t)(1u << (x & 7));
        }
        /* Patch whatever section hashes can still be found. */
        struct cwi_header *h = (struct cwi_header *)b;
        struct cwi_section *s = (struct cwi_section *)(b + CWI_HEADER_SIZE);
        for (uint32_t i = 0; i < h->section_count && i < CWI_MAX_SECTIONS; i++)
            if (s[i].offset <= good_len && s[i].length <= good_len - s[i].offset)
                sha256(b + s[i].offset, (size_t)s[i].length, s[i].sha256);
        reseal(b);
        struct cwi_image img;
        char err[512] = "";
        if (open_buf(b, good_len, CWI_OPEN_VERIFY_DATA, &img, err, sizeof(err)) == 0) {
            cwi_close(&img);
        } else {
            refused++;
            CHECK(strncmp(err, "image: ", 7) == 0 && !strchr(err, '\n'));
        }
        free(b);
    }
    CHECK(refused > 1500);
}

/* The image of build() with notes and/or a reserved (zero) signature, read into memory. */
static uint8_t *build_extra(const char *notes, size_t sig_len, size_t *len)
{
    char err[512];
    struct file_tree t;
    struct cl_manifest m;
    file_tree_init(&t);
    small_manifest(&m, "/bin/app");
    const char *out = path_of("extra.cwi");
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int rc = fd < 0 || file_tree_add(&t, path_of("src"), "/", err, sizeof(err)) ||
             cwi_write_signable(fd, &m, &t, fake_shim, sizeof(fake_shim), notes, sig_len, NULL, err,
                                sizeof(err));
    if (fd >= 0)
        close(fd);
    file_tree_free(&t);
    manifest_free(&m);
    if (rc) {
        fprintf(stderr, "  cannot build extra.cwi: %s\n", err);
        exit(2);
    }
    return read_file(out, len);
}

/*
 * The rules docs/image-format.md states that no other case here breaks: each one broken
 * alone (re-hashing what a hash covers, so that only the rule can tell) is refused.
 */
static void test_documented_rules(void)
{
    uint8_t *b = copy_good();
    struct cwi_section *s = (struct cwi_section *)(b + CWI_HEADER_SIZE);
    struct cwi_section saved[5];
    memcpy(saved, s, sizeof(saved));
#define RESTORE()                                                                                  \
    do {                                                                                           \
        memcpy(b, good, good_len);                                                                 \
    } while (0)

    /* Section table: type 0 is no type; MANIFEST on a multiple of 8. */
    s[1].type = 0;
    EXPECT_BAD_SEALED(b, good_len, "section 2 has unknown type 0");
    RESTORE();
    s[0].offset += 4;
    s[0].length -= 4;
    EXPECT_BAD_SEALED(b, good_len, "section 1 (MANIFEST) at offset");
    RESTORE();
    /* FILE_DATA a whole number of pages (the file cut to match, so that only this rule
     * is broken). */
    s[4].length -= 1;
    ((struct cwi_header *)b)->file_size = good_len - 1;
    EXPECT_BAD_SEALED(b, good_len - 1, "not a multiple of 4096");
    RESTORE();
    /* CHUNK_HASHES against its section hash, when asked. */
    b[saved[3].offset + 5] ^= 1;
    expect_bad_flags(b, good_len, CWI_OPEN_VERIFY_DATA, "section 4 (CHUNK_HASHES) does not match",
                     __LINE__);
    RESTORE();

    /* FILE_INDEX header: entries at 32, strings right after them, at least "/". */
    struct cwi_index_header *ih = (struct cwi_index_header *)(b + saved[2].offset);
    ih->entries_offset = 40;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "file index entries at offset 40, expected 32");
    RESTORE();
    ih->strings_offset += 8;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "file index strings at offset");
    RESTORE();
    ih->entry_count = 0;
    ih->strings_offset = sizeof(*ih);
    ih->strings_size = saved[2].length - sizeof(*ih);
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "file index has no \"/\" entry");
    RESTORE();

    /* Entries: reserved zero; a directory has no size, data or hash. */
    entry_of(b, "/etc/conf", NULL)->reserved = 1;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "non-zero reserved bits");
    RESTORE();
    entry_of(b, "/emptydir", NULL)->size = 1;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/emptydir: directory with non-zero size, data or hash");
    RESTORE();
    entry_of(b, "/emptydir", NULL)->sha256[0] = 1;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/emptydir: directory with non-zero size, data or hash");
    RESTORE();

    /* Symlinks: a target of 1..4095 bytes, no NUL in it, no chunk or hash. */
    struct cwi_entry *l = entry_of(b, "/link", NULL);
    l->size = 0;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/link: symlink target of 0 bytes");
    RESTORE();
    l->size = CWI_MAX_PATH;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/link: symlink target of 4096 bytes");
    RESTORE();
    char *strings = (char *)b + saved[2].offset + ih->strings_offset;
    strings[l->data_offset + 1] = '\0';
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/link: symlink target holds a NUL byte");
    RESTORE();
    l->sha256[31] = 1;
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "/link: symlink with chunk or hash fields");
    RESTORE();

    /* The manifest's ENTRY names a regular file: here /bin/app made a directory. */
    struct cwi_entry *app = entry_of(b, "/bin/app", NULL);
    app->mode = CWI_S_IFDIR | 0755;
    app->size = app->data_offset = app->first_chunk = 0;
    memset(app->sha256, 0, sizeof(app->sha256));
    rehash(b, CWI_SEC_FILE_INDEX);
    EXPECT_BAD(b, good_len, "the entry program /bin/app is not a regular file");
#undef RESTORE
    free(b);

    /* NOTES and SIGNATURE: hashed at every open; SIGNATURE exactly 0x1060 bytes. */
    size_t n = 0;
    uint8_t *x = build_extra("what build collected\n", 0, &n);
    b = x;
    struct cwi_section *notes = sec_of(b, CWI_SEC_NOTES);
    CHECK(notes != NULL);
    b[notes->offset + 3] ^= 1;
    EXPECT_BAD(b, n, "section 6 (NOTES) does not match its SHA-256");
    free(x);
    x = build_extra(NULL, 16, &n);
    EXPECT_BAD(x, n, "SIGNATURE is 16 bytes, not the 4192 of an SEV-SNP ID block");
    free(x);
    x = build_extra(NULL, 0x1060, &n);
    struct cwi_section *sig = sec_of(x, CWI_SEC_SIGNATURE);
    CHECK(sig != NULL);
    x[sig->offset + 0x100] ^= 1;
    EXPECT_BAD(x, n, "section 6 (SIGNATURE) does not match its SHA-256");
    free(x);
}

/* Writes small valid images as a fuzzing corpus. */
static int write_seeds(const char *dir)
{
    char err[512], out[600];
    snprintf(out, sizeof(out), "%s/tree.cwi", dir);
    if (build(out, false, fake_shim, sizeof(fake_shim), err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* A minimal one: "/", one small program. */
    struct file_tree t;
    struct cl_manifest m;
    file_tree_init(&t);
    small_manifest(&m, "/app");
    snprintf(out, sizeof(out), "%s/min.cwi", dir);
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int rc = fd < 0 || file_tree_add(&t, path_of("src/etc/conf"), "/app", err, sizeof(err)) ||
             cwi_write(fd, &m, &t, fake_shim, sizeof(fake_shim), NULL, err, sizeof(err));
    if (rc)
        fprintf(stderr, "%s\n", err);
    if (fd >= 0)
        close(fd);
    file_tree_free(&t);
    manifest_free(&m);
    return rc;
}

static void cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "  could not remove %s\n", root);
}

int main(int argc, char **argv)
{
    char err[512];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(root, sizeof(root), "%s/test_cwi.XXXXXX", tmp);
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 2;
    }
    atexit(cleanup);
    make_fake_shim();
    make_tree();
    if (argc == 3 && !strcmp(argv[1], "--seed-corpus"))
        return write_seeds(argv[2]);
    if (build(path_of("good.cwi"), false, fake_shim, sizeof(fake_shim), err, sizeof(err))) {
        fprintf(stderr, "FAIL cannot build the test image: %s\n", err);
        return 1;
    }
    good = read_file(path_of("good.cwi"), &good_len);

    RUN(tree_collect);
    RUN(tree_rejects);
    RUN(tree_program);
    RUN(round_trip);
    RUN(reproducible);
    RUN(real_shim);
    RUN(writer_rejects);
    RUN(stats);
    RUN(bad_truncated);
    RUN(bad_header);
    RUN(bad_table);
    RUN(bad_hash);
    RUN(bad_shim);
    RUN(bad_manifest);
    RUN(bad_index);
    RUN(random_damage);
    RUN(documented_rules);
    free(good);
    UNIT_EXIT();
}
