/* Fixed directories whose entries are known at boot (/dev, /proc): a name -> inode
 * table, shared by the synthetic file systems. */
#ifndef SHIM_FS_SYNTH_H
#define SHIM_FS_SYNTH_H

#include "fs/vfs.h"

#define SYNTH_MAX_ENTRIES 24

struct synth_dir {
    struct inode inode;
    unsigned count;
    const char *names[SYNTH_MAX_ENTRIES];
    struct inode *nodes[SYNTH_MAX_ENTRIES];
};

void synth_dir_init(struct synth_dir *d, u32 dev);
void synth_dir_add(struct synth_dir *d, const char *name, struct inode *node);
/* A synth_dir's own lookup and readdir, for a directory that adds entries of its own
 * (/proc's pids) before or after them. */
s64 synth_dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
s64 synth_dir_readdir(struct inode *dir, u64 *pos, dir_emit_fn emit, void *ctx);
/* A symlink whose target is produced on each readlink (it may change: /proc/self/cwd). */
struct synth_link {
    struct inode inode;
    s64 (*target)(char *buf, size_t size); /* its length, or -errno */
};

void synth_link_init(struct synth_link *l, u32 dev, s64 (*target)(char *, size_t));

/* Text generated when the file is opened (a snapshot, as Linux's /proc files read). */
struct text {
    char *buf;
    size_t len, cap;
};
void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct synth_file {
    struct inode inode;
    void (*generate)(struct text *t);
};

void synth_file_init(struct synth_file *f, u32 dev, void (*generate)(struct text *t));

/* Opens node as a read-only file whose text fill(t, ctx) writes now: for files whose
 * generator needs more than a synth_file's (/proc/PID's, which name their process). */
s64 synth_text_open(struct inode *node, u32 flags, void (*fill)(struct text *t, void *ctx),
                    void *ctx, struct file **out);

#endif
