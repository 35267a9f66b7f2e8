/* /proc for the one process: /proc/self (and /proc/1, the same) with exe and cwd. */
#include "fs_proc.h"
#include "errno.h"
#include "fs_synth.h"
#include "lib.h"
#include "proc.h"

#define PROC_DEV 0x4

static struct synth_dir proc_dir, self_dir;
static struct synth_link exe_link, cwd_link, self_link;

static s64 exe_target(char *buf, size_t size)
{
    size_t n = MIN(strlen(proc.exe_path), size);
    memcpy(buf, proc.exe_path, n);
    return (s64)n;
}

static s64 cwd_target(char *buf, size_t size)
{
    char path[PATH_MAX];
    s64 n = vfs_path_of(vfs_cwd(), path, sizeof(path));
    if (n < 0)
        return n;
    n = MIN((u64)n, size);
    memcpy(buf, path, (size_t)n);
    return n;
}

static s64 self_target(char *buf, size_t size)
{
    if (size < 1)
        return 0;
    buf[0] = '1'; /* PROC_PID */
    return 1;
}

struct inode *procfs_new(void)
{
    synth_dir_init(&proc_dir, PROC_DEV);
    synth_dir_init(&self_dir, PROC_DEV);
    synth_link_init(&exe_link, PROC_DEV, exe_target);
    synth_link_init(&cwd_link, PROC_DEV, cwd_target);
    synth_link_init(&self_link, PROC_DEV, self_target);
    synth_dir_add(&self_dir, "exe", &exe_link.inode);
    synth_dir_add(&self_dir, "cwd", &cwd_link.inode);
    synth_dir_add(&proc_dir, "1", &self_dir.inode);
    synth_dir_add(&proc_dir, "self", &self_link.inode);
    return &proc_dir.inode;
}
