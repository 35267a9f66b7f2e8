/* Writing a new chip's files (sim_chip_init): the private directory, then each file
 * whole under a temporary name and renamed, chip.json last. */
#include "simtee/sim_chip.h"
#include "simtee/sim_chip_internal.h"
#include "common/error_line.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

/* The chip files, in the order sim_chip_init writes them: chip.json last marks completion. */
static const char *const chip_files[] = {SIM_CHIP_ARK_KEY,  SIM_CHIP_ASK_KEY,  SIM_CHIP_VCEK_KEY,
                                         SIM_CHIP_ARK_CERT, SIM_CHIP_ASK_CERT, SIM_CHIP_VCEK_CERT,
                                         SIM_CHIP_JSON};
#define CHIP_FILE_COUNT (sizeof(chip_files) / sizeof(chip_files[0]))

/* Creates dir and its missing parents as 0700, and makes dir itself no looser than 0700. */
static int make_dirs(const char *dir, char *err, size_t err_size)
{
    char path[PATH_MAX];
    if (dir[0] == '\0')
        return crypto_error_line(err, err_size, "an empty directory name");
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
        return crypto_error_line(err, err_size, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return crypto_error_line(err, err_size, "cannot create %s: %s", path, strerror(errno));
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return crypto_error_line(err, err_size, "%s is not a directory", dir);
    /* It holds private keys: nobody else may list or read it. */
    if ((st.st_mode & 077) != 0 && chmod(dir, 0700) != 0)
        return crypto_error_line(err, err_size, "cannot make %s private (mode 0700): %s", dir,
                                 strerror(errno));
    return 0;
}

enum file_kind { FILE_CERT, FILE_KEY, FILE_JSON };

static bool emit(FILE *f, enum file_kind kind, void *obj)
{
    switch (kind) {
    case FILE_CERT:
        return PEM_write_X509(f, obj) == 1;
    case FILE_KEY:
        /* OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY"); no cipher: the file mode protects it. */
        return PEM_write_PrivateKey(f, obj, NULL, NULL, 0, NULL, NULL) == 1;
    case FILE_JSON:
        return json_dumpf(obj, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
               fputc('\n', f) != EOF;
    }
    return false;
}

/*
 * Writes dir/name with exactly mode (whatever the umask), under a temporary name first
 * so that a reader never sees half a file, then renames it into place.
 */
static int write_file(const char *dir, const char *name, mode_t mode, enum file_kind kind,
                      void *obj, char *err, size_t err_size)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    char tmp_name[64];
    snprintf(tmp_name, sizeof(tmp_name), ".%s.tmp", name);
    if (sim_chip_join(path, sizeof(path), dir, name) ||
        sim_chip_join(tmp, sizeof(tmp), dir, tmp_name))
        return crypto_error_line(err, err_size, "%s: path too long", dir);
    unlink(tmp); /* left over from an interrupted init */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return crypto_error_line(err, err_size, "cannot create %s: %s", tmp, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        return crypto_error_line(err, err_size, "cannot write %s: %s", tmp, strerror(saved));
    }
    errno = 0;
    bool ok = fchmod(fd, mode) == 0 && emit(f, kind, obj) && fflush(f) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        return crypto_error_line(err, err_size, "cannot write %s: %s", path,
                                 saved ? strerror(saved) : "cannot encode it");
    }
    return 0;
}

static int write_chip(const char *dir, struct new_chip *n, char *err, size_t err_size)
{
    const struct {
        const char *name;
        mode_t mode;
        enum file_kind kind;
        void *obj;
    } files[] = {
        {SIM_CHIP_ARK_KEY, 0600, FILE_KEY, n->ark_key},
        {SIM_CHIP_ASK_KEY, 0600, FILE_KEY, n->ask_key},
        {SIM_CHIP_VCEK_KEY, 0600, FILE_KEY, n->vcek_key},
        {SIM_CHIP_ARK_CERT, 0644, FILE_CERT, n->ark},
        {SIM_CHIP_ASK_CERT, 0644, FILE_CERT, n->ask},
        {SIM_CHIP_VCEK_CERT, 0644, FILE_CERT, n->vcek},
        {SIM_CHIP_JSON, 0644, FILE_JSON, n->json},
    };
    _Static_assert(sizeof(files) / sizeof(files[0]) == CHIP_FILE_COUNT, "every chip file");
    for (size_t i = 0; i < CHIP_FILE_COUNT; i++)
        if (write_file(dir, files[i].name, files[i].mode, files[i].kind, files[i].obj, err,
                       err_size))
            return -1;
    return 0;
}

int sim_chip_init_with(const char *dir, bool force, const struct sim_chip_params *p, char *err,
                       size_t err_size)
{
    if (dir == NULL && (dir = sim_chip_default_dir()) == NULL)
        return crypto_error_line(err, err_size,
                                 "no directory for the simulated chip: set CLOISTER_SIM_DIR "
                                 "or HOME");
    if (p == NULL || p->rsa_bits < 2048)
        return crypto_error_line(err, err_size,
                                 "the ARK and ASK need RSA keys of 2048 bits or more");
    char path[PATH_MAX];
    struct stat st;
    for (size_t i = 0; !force && i < CHIP_FILE_COUNT; i++) {
        if (sim_chip_join(path, sizeof(path), dir, chip_files[i]))
            return crypto_error_line(err, err_size, "%s: path too long", dir);
        if (lstat(path, &st) == 0) {
            crypto_error_line(err, err_size, "%s already holds a simulated chip (%s exists)", dir,
                              chip_files[i]);
            return SIM_CHIP_EXISTS;
        }
    }

    /* The directory first: a path that cannot be made fails before seconds of key search. */
    struct new_chip n = {0};
    int rc = make_dirs(dir, err, err_size);
    if (rc == 0)
        rc = sim_chip_certs_make(p, &n, err, err_size);
    if (rc == 0)
        rc = write_chip(dir, &n, err, err_size);
    sim_chip_certs_free(&n);
    return rc;
}

int sim_chip_init(const char *dir, bool force, char *err, size_t err_size)
{
    return sim_chip_init_with(dir, force, &sim_chip_default_params, err, err_size);
}
