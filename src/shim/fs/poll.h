/*
 * What the waiting system calls share (poll and select in sys_poll.c, epoll_wait in
 * epoll.c): a temporary signal mask for the wait, and timeouts as deadlines.
 */
#ifndef SHIM_FS_POLL_H
#define SHIM_FS_POLL_H

#include "lib/types.h"

/* poll's sets of bits, as select reads them (Linux's POLLIN_SET...) */
#define POLLIN_SET  (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET  POLLPRI

/* The mask the task had before a wait that set its own. */
struct saved_sigmask {
    u64 mask;
    bool set;
};

/* Reads the sigset at usigmask (NULL: the mask stays) of sigsetsize bytes and makes it
 * the task's mask until wait_sigmask_restore: 0, -EINVAL (a size other than 8), -EFAULT. */
s64 wait_sigmask_set(u64 usigmask, u64 sigsetsize, struct saved_sigmask *saved);
void wait_sigmask_restore(const struct saved_sigmask *saved);

/* The CLOCK_MONOTONIC deadline of a timeout of ms milliseconds; negative: none. */
s64 deadline_after_ms(s64 ms);
/* The deadline of a timeout given as a struct timespec at uts (NULL: none, then
 * NSEC_FOREVER) into *deadline, and the timeout itself into *rel (-1 for none):
 * 0, -EFAULT or -EINVAL. */
s64 deadline_from_timespec(u64 uts, s64 *deadline, s64 *rel);

#endif
