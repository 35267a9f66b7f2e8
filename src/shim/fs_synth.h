/* Fixed directories whose entries are known at boot (/dev, /proc): a name -> inode
 * table, shared by the synthetic file systems. */
#ifndef SHIM_FS_SYNTH_H
#define SHIM_FS_SYNTH_H

#include "vfs.h"

#define SYNTH_MAX_ENTRIES 16

struct synth_dir {
    struct inode inode;
    unsigned count;
    const char *names[SYNTH_MAX_ENTRIES];
    struct inode *nodes[SYNTH_MAX_ENTRIES];
};

void synth_dir_init(struct synth_dir *d, u32 dev);
void synth_dir_add(struct synth_dir *d, const char *name, struct inode *node);
/* A symlink whose target is produced on each readlink (it may change: /proc/self/cwd). */
struct synth_link {
    struct inode inode;
    s64 (*target)(char *buf, size_t size); /* its length, or -errno */
};

void synth_link_init(struct synth_link *l, u32 dev, s64 (*target)(char *, size_t));

#endif
