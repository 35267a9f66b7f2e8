/* What the shim's run-time mounts hide (run_mounts.h). */
#include "image/run_mounts.h"
#include "common/error_line.h"

#include <stdbool.h>
#include <string.h>

#include <cloister/cwi.h>

struct run_mount {
    const char *dir;
    const char *what;
    bool empty; /* a fresh tmpfs: nothing below it exists at start */
};

/* The mounts this manifest's run will have, into out (at most 5); their count. */
static size_t run_mounts(const struct cl_manifest *m, struct run_mount out[5])
{
    size_t n = 0;
    out[n++] = (struct run_mount){"/dev", "its device files", false};
    out[n++] = (struct run_mount){"/proc", "its /proc", false};
    out[n++] = (struct run_mount){"/sys", "its /sys", false};
    if (m->tmpfs_size)
        out[n++] = (struct run_mount){"/tmp", "an empty tmpfs", true};
    for (size_t i = 0; i < m->nsecrets; i++) {
        if (m->secrets[i] && strstr(m->secrets[i], "|file:/run/")) {
            out[n++] = (struct run_mount){"/run", "a tmpfs for the secrets", true};
            break;
        }
    }
    return n;
}

/* Whether path is dir itself (at) or below it. */
static bool under(const char *path, const char *dir, bool *at)
{
    size_t len = strlen(dir);
    if (strncmp(path, dir, len) != 0 || (path[len] != '\0' && path[len] != '/'))
        return false;
    *at = path[len] == '\0';
    return true;
}

/* The file of t that mount j hides, preferring one that is not a directory (the file
 * the user named rather than the parent the tree added for it); NULL if none. */
static const char *hidden_file(const struct file_tree *t, const struct run_mount *mt)
{
    const char *dir = NULL;
    for (size_t i = 0; i < t->count; i++) {
        const struct ft_entry *e = &t->entries[i];
        bool at, is_dir = (e->mode & CWI_S_IFMT) == CWI_S_IFDIR;
        if (!under(e->path, mt->dir, &at) || (at && is_dir))
            continue;
        if (!is_dir)
            return e->path;
        if (!dir)
            dir = e->path;
    }
    return dir;
}

int run_mounts_check(const struct cl_manifest *m, const struct file_tree *t, char *err,
                     size_t err_size)
{
    struct run_mount mounts[5];
    size_t n = run_mounts(m, mounts);
    for (size_t j = 0; j < n; j++) {
        const char *p = hidden_file(t, &mounts[j]);
        if (p)
            return error_line(err, err_size,
                              "%s would be hidden: at run time the shim mounts %s on %s "
                              "(give it another path in the image%s)",
                              p, mounts[j].what, mounts[j].dir,
                              strcmp(mounts[j].dir, "/tmp") ? "" : ", or build with --tmpfs 0");
    }
    const char *cwd = m->cwd ? m->cwd : "/";
    for (size_t j = 0; j < n; j++) {
        bool at;
        if (under(cwd, mounts[j].dir, &at))
            return at || !mounts[j].empty
                       ? 0
                       : error_line(err, err_size,
                                    "working directory %s cannot exist at start: the shim "
                                    "mounts %s on %s",
                                    cwd, mounts[j].what, mounts[j].dir);
    }
    const struct ft_entry *e = file_tree_find(t, cwd);
    /* a symlink is followed at run time; where it leads is the workload's business */
    if (!e || ((e->mode & CWI_S_IFMT) != CWI_S_IFDIR && (e->mode & CWI_S_IFMT) != CWI_S_IFLNK))
        return error_line(err, err_size, "working directory %s is not a directory in the image",
                          cwd);
    return 0;
}
