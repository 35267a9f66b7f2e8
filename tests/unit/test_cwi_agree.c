/*
 * `cloister inspect` and `cloister measure` accept exactly the same images: each byte of
 * the header and the section table of a signed image and of an unsigned one with NOTES
 * is flipped (two ways), and both commands must refuse the result, or both accept it
 * with the same launch digest. Every such flip is in fact refused: no byte of the header
 * or the table goes unhashed or unchecked (a section's type was once unhashed, so a
 * SIGNATURE turned into NOTES made a signed image look unsigned to both).
 *
 * Then each section's type is set to every value with the table re-hashed, as whoever
 * holds the file can do: the two commands must still agree.
 *
 * The commands run in this process (their sources are compiled in), stdout and stderr
 * captured, so a few thousand runs take a moment.
 */
#include "image/cwi_read.h"
#include "image/cwi_write.h"
#include "image/file_tree.h"
#include "launch/id_block.h"
#include "launch/launch_plan.h"
#include "unit.h"
#include "seal/shim_blob.h"

/* The commands are not in libcloister: compiled in here, as test_kbs does with cmd_kbs. */
#include "cli/cmd_inspect.c"
#include "cli/cmd_measure.c"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

static char root[64];

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "  cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *b = malloc(*len ? *len : 1);
    if (b == NULL || fread(b, 1, *len, f) != *len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

/* Writes an image of one program; signed with a fresh P-384 ID key, or with notes. */
static int make_image(const char *out, bool sign)
{
    char prog[128], err[512];
    snprintf(prog, sizeof(prog), "%s/app", root);
    uint8_t body[5000];
    for (size_t i = 0; i < sizeof(body); i++)
        body[i] = (uint8_t)(i * 31 + 7);
    write_file(prog, body, sizeof(body));
    chmod(prog, 0755);

    struct file_tree t;
    struct cl_manifest m;
    file_tree_init(&t);
    manifest_init(&m);
    m.entry = strdup("/bin/app");
    m.argv = calloc(2, sizeof(char *));
    m.argv[0] = strdup("/bin/app");
    m.argc = 1;
    int rc = -1, fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct cwi_image img = {.fd = -1};
    EVP_PKEY *key = NULL;
    if (fd < 0 || file_tree_add_program(&t, prog, "/bin/app", err, sizeof(err)) ||
        cwi_write_signable(fd, &m, &t, cl_shim_blob, (size_t)(cl_shim_blob_end - cl_shim_blob),
                           sign ? NULL : "collected: nothing\n", sign ? ID_SIGNATURE_SIZE : 0, NULL,
                           err, sizeof(err)))
        goto out;
    if (sign) {
        struct id_block b = {.version = 1, .policy = m.snp_policy};
        uint8_t sig[ID_SIGNATURE_SIZE];
        int rfd = dup(fd);
        if (rfd < 0 || cwi_open_fd(rfd, 0, &img, err, sizeof(err)) ||
            cwi_launch_digest(&img, 0, b.ld, err, sizeof(err)) ||
            (key = EVP_EC_gen("P-384")) == NULL ||
            id_block_sign(&b, key, NULL, sig, err, sizeof(err)) ||
            cwi_set_signature(fd, sig, sizeof(sig), err, sizeof(err)))
            goto out;
    }
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "  cannot make %s: %s\n", out, err);
    EVP_PKEY_free(key);
    cwi_close(&img);
    if (fd >= 0)
        close(fd);
    file_tree_free(&t);
    manifest_free(&m);
    return rc;
}

/* Where the commands' output goes: memory, not disk, for thousands of runs. */
static int out_fd = -1, err_fd = -1;

/* Runs a command in this process; its status, and its stdout in out (NUL-terminated). */
static int run_cmd(int (*cmd)(int, char **), const char *name, const char *image, char *out,
                   size_t outlen)
{
    char *argv[] = {(char *)name, (char *)image, NULL};
    if (out_fd < 0) {
        out_fd = memfd_create("stdout", MFD_CLOEXEC);
        err_fd = memfd_create("stderr", MFD_CLOEXEC);
    }
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    CHECK(ftruncate(out_fd, 0) == 0 && ftruncate(err_fd, 0) == 0);
    lseek(out_fd, 0, SEEK_SET);
    lseek(err_fd, 0, SEEK_SET);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    int rc = cmd(2, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    ssize_t n = pread(out_fd, out, outlen - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    return rc;
}

/* The variants are written to one memfd, named by its /proc path. */
static int variant_fd = -1;

static const char *write_variant(const uint8_t *data, size_t len)
{
    static char path[64];
    if (variant_fd < 0)
        variant_fd = memfd_create("variant.cwi", MFD_CLOEXEC);
    CHECK(variant_fd >= 0 && ftruncate(variant_fd, 0) == 0 &&
          pwrite(variant_fd, data, len, 0) == (ssize_t)len);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", variant_fd);
    return path;
}

struct verdict {
    int inspect, measure; /* statuses */
    char digest[2 * SNP_DIGEST_SIZE + 1];
};

/* Both commands on one file: they agree, or the case fails naming what. */
static struct verdict judge(const char *image, const char *what)
{
    static char text[1 << 16];
    char digest[256];
    struct verdict v;
    v.inspect = run_cmd(cmd_inspect, "inspect", image, text, sizeof(text));
    v.measure = run_cmd(cmd_measure, "measure", image, digest, sizeof(digest));
    snprintf(v.digest, sizeof(v.digest), "%.96s", digest);
    bool agree = v.inspect == v.measure &&
                 (v.inspect != 0 || (strlen(v.digest) == 96 && strstr(text, v.digest) != NULL));
    if (!agree) {
        fprintf(stderr, "  %s: inspect %d, measure %d%s%s\n", what, v.inspect, v.measure,
                v.measure == 0 ? " with digest " : "", v.measure == 0 ? v.digest : "");
        unit_case_failed = 1;
    }
    return v;
}

static void flip_every_byte(const char *image)
{
    size_t len = 0;
    uint8_t *good = read_all(image, &len);
    CHECK(good != NULL);
    if (good == NULL)
        return;
    struct verdict base = judge(image, "the image as built");
    CHECK_EQ_INT(base.inspect, 0);
    const struct cwi_header *h = (const struct cwi_header *)good;
    size_t end = CWI_HEADER_SIZE + h->section_count * sizeof(struct cwi_section);
    char what[64];
    unsigned accepted = 0, runs = 0;
    static const uint8_t masks[] = {0x01, 0x80};
    for (size_t at = 0; at < end; at++) {
        for (size_t k = 0; k < sizeof(masks); k++) {
            good[at] ^= masks[k];
            const char *flipped = write_variant(good, len);
            good[at] ^= masks[k];
            snprintf(what, sizeof(what), "byte %zu ^ 0x%02x", at, masks[k]);
            struct verdict v = judge(flipped, what);
            runs++;
            if (v.inspect == 0 || v.measure == 0) {
                fprintf(stderr, "  %s: accepted (inspect %d, measure %d)\n", what, v.inspect,
                        v.measure);
                accepted++;
            }
        }
    }
    fprintf(stderr, "  %s: %u flips of %zu bytes, %u accepted\n", image, runs, end, accepted);
    CHECK_EQ_INT(accepted, 0);
    free(good);
}

static char signed_path[128], notes_path[128];

static void test_flips_signed(void)
{
    flip_every_byte(signed_path);
}

static void test_flips_unsigned_with_notes(void)
{
    flip_every_byte(notes_path);
}

/* Each section's type set to each value 0..9, the table re-hashed: still in agreement.
 * A signed image whose SIGNATURE is called NOTES is an unsigned image (nothing measured
 * changed); NOTES called SIGNATURE must be refused by both. */
static void retype_sealed(const char *image)
{
    size_t len = 0;
    uint8_t *good = read_all(image, &len);
    CHECK(good != NULL);
    if (good == NULL)
        return;
    const struct cwi_header *h = (const struct cwi_header *)good;
    char what[64], err[256];
    struct verdict base = judge(image, "the image as built");
    for (uint32_t i = 0; i < h->section_count; i++) {
        struct cwi_section *s = (struct cwi_section *)(good + CWI_HEADER_SIZE) + i;
        uint32_t was = s->type;
        for (uint32_t type = 0; type <= CWI_SEC_NOTES + 2; type++) {
            if (type == was)
                continue;
            s->type = type;
            const char *changed = write_variant(good, len);
            CHECK(cwi_seal_table(variant_fd, err, sizeof(err)) == 0);
            snprintf(what, sizeof(what), "section %u type %u -> %u", i + 1, was, type);
            struct verdict v = judge(changed, what);
            if (v.measure == 0 && strcmp(v.digest, base.digest) != 0) {
                fprintf(stderr, "  %s: accepted with another digest\n", what);
                unit_case_failed = 1;
            }
            if (was == CWI_SEC_NOTES && type == CWI_SEC_SIGNATURE)
                CHECK(v.inspect != 0);
        }
        s->type = was;
    }
    free(good);
}

static void test_retyped_signed(void)
{
    retype_sealed(signed_path);
}

static void test_retyped_unsigned_with_notes(void)
{
    retype_sealed(notes_path);
}

int main(void)
{
    snprintf(root, sizeof(root), "/tmp/test_cwi_agree.XXXXXX");
    if (mkdtemp(root) == NULL) {
        printf("FAIL setup: mkdtemp\n");
        return 1;
    }
    snprintf(signed_path, sizeof(signed_path), "%s/signed.cwi", root);
    snprintf(notes_path, sizeof(notes_path), "%s/notes.cwi", root);
    if (make_image(signed_path, true) || make_image(notes_path, false)) {
        printf("FAIL setup: cannot build the test images\n");
        return 1;
    }
    RUN(flips_signed);
    RUN(flips_unsigned_with_notes);
    RUN(retyped_signed);
    RUN(retyped_unsigned_with_notes);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", root);
    UNIT_EXIT();
}
