/* Sealing a program and its files into an image: collect, write, read back, sign. */
#include "seal/seal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal/elf_deps.h"
#include "common/error_line.h"
#include "launch/launch_plan.h"
#include "seal/shim_blob.h"

char *seal_default_dst(const char *host)
{
    if (host[0] == '/')
        return strdup(host);
    const char *slash = strrchr(host, '/');
    char *dst;
    return asprintf(&dst, "/%s", slash ? slash + 1 : host) < 0 ? NULL : dst;
}

/* The files ld.so needs to start host (none for a static program), symlinks expanded. */
static int collect_dependencies(const char *host, struct elf_deps *files, char *err,
                                size_t err_size)
{
    struct elf_deps deps;
    elf_deps_init(&deps);
    int rc = elf_deps_collect(host, &deps, err, err_size);
    if (rc == 0 && deps.count) {
        for (const char *const *f = elf_deps_loader_files(); *f && rc == 0; f++)
            if (access(*f, R_OK) == 0)
                rc = elf_deps_add(&deps, *f, "read by the dynamic loader at start");
    }
    if (rc == 0)
        rc = elf_deps_expand_links(&deps, files, err, err_size);
    elf_deps_free(&deps);
    return rc;
}

int seal_add_program(struct file_tree *t, const char *host, const char *dst, FILE *notes, char *err,
                     size_t err_size)
{
    if (file_tree_add_program(t, host, dst, err, err_size))
        return -1;
    struct elf_deps files;
    elf_deps_init(&files);
    int rc = collect_dependencies(host, &files, err, err_size);
    for (size_t i = 0; rc == 0 && i < files.count; i++) {
        rc = file_tree_add(t, files.items[i].path, files.items[i].path, err, err_size);
        if (rc == 0 && notes)
            fprintf(notes, "collected %s: %s\n", files.items[i].path, files.items[i].reason);
    }
    elf_deps_free(&files);
    return rc;
}

/*
 * The ID block vouches for the digest just computed from the image as `cloister run`
 * will load it, and for the manifest's policy. It is parsed back with the monitor's own
 * checks, so a signing bug fails the seal.
 */
static int sign_image(int fd, const struct seal_signing *sign, uint64_t policy,
                      struct seal_result *res, char *err, size_t err_size)
{
    struct id_block b = {.version = 1, .guest_svn = sign->guest_svn, .policy = policy};
    memcpy(b.ld, res->digest, sizeof(b.ld));
    memcpy(b.family_id, sign->family_id, sizeof(b.family_id));
    memcpy(b.image_id, sign->image_id, sizeof(b.image_id));
    uint8_t sig[ID_SIGNATURE_SIZE];
    if (id_block_sign(&b, sign->id_key, sign->author_key, sig, err, err_size) ||
        id_block_parse(sig, sizeof(sig), &res->sig, err, err_size) ||
        id_block_check_launch(&res->sig, res->digest, policy, err, err_size))
        return -1;
    return cwi_set_signature(fd, sig, sizeof(sig), err, err_size);
}

/* Opens fd's image into img through its own descriptor, as `cloister run` would. */
static int read_back(int fd, struct cwi_image *img, char *err, size_t err_size)
{
    int rfd = dup(fd);
    if (rfd < 0)
        return error_line(err, err_size, "dup: %s", strerror(errno));
    return cwi_open_fd(rfd, 0, img, err, err_size);
}

int seal_write(int fd, const struct cl_manifest *m, struct file_tree *t, const char *notes,
               const struct seal_signing *sign, struct cwi_image *img, struct seal_result *res,
               char *err, size_t err_size)
{
    bool signing = sign && sign->id_key;
    if (signing && !res)
        return error_line(err, err_size, "seal: signing needs the launch digest");
    struct cwi_write_stats stats;
    if (cwi_write_signable(fd, m, t, cl_shim_blob, (size_t)(cl_shim_blob_end - cl_shim_blob), notes,
                           signing ? ID_SIGNATURE_SIZE : 0, &stats, err, err_size))
        return -1;
    if (res)
        res->stats = stats;
    /* The contents were hashed on their way in; re-hashing them would double the work. */
    struct cwi_image back = {.fd = -1};
    int rc = read_back(fd, &back, err, err_size);
    if (rc == 0 && res)
        rc = cwi_launch_digest(&back, 0, res->digest, err, err_size);
    if (rc == 0 && signing) {
        rc = sign_image(fd, sign, m->snp_policy, res, err, err_size);
        /* what was read back predates the signature */
        cwi_close(&back);
        back = (struct cwi_image){.fd = -1};
        if (rc == 0 && img)
            rc = read_back(fd, &back, err, err_size);
    }
    if (rc == 0 && img)
        *img = back;
    else
        cwi_close(&back);
    return rc;
}

int seal_to_path(const char *out, const struct cl_manifest *m, struct file_tree *t,
                 const char *notes, const struct seal_signing *sign, struct seal_result *res,
                 char *err, size_t err_size)
{
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp.XXXXXX", out) < 0)
        return error_line(err, err_size, "out of memory");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        error_line(err, err_size, "cannot create a file beside %s: %s", out, strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp makes 0600; an image is no secret, so honour the umask like any output. */
    mode_t mask = umask(0);
    umask(mask);
    int rc = -1;
    if (fchmod(fd, 0666 & ~mask) != 0)
        error_line(err, err_size, "cannot chmod %s: %s", tmp, strerror(errno));
    else if (seal_write(fd, m, t, notes, sign, NULL, res, err, err_size) == 0) {
        if (rename(tmp, out) != 0)
            error_line(err, err_size, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
        else
            rc = 0;
    }
    close(fd);
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}
