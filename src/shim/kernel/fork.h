/* New processes (kernel/fork.c). */
#ifndef SHIM_FORK_H
#define SHIM_FORK_H

#include "kernel/process.h"

/* clone without CLONE_THREAD, fork and vfork: the child's pid or -errno. */
s64 fork_process(u64 flags, u64 newsp, u64 parent_tid, u64 child_tid, u64 tls);
/* A vfork child no longer uses its parent's memory (it exec'd or ended): the parent's
 * vfork returns. */
void fork_release_vfork_parent(struct process *p);

#endif
