/* Signal numbers and the recorded signal state. Handlers are recorded and reported back,
 * never run (a handled signal stays pending); an unblocked signal with the default
 * action ends the workload with status 128+signal if that action terminates. */
#ifndef SHIM_SIGNAL_H
#define SHIM_SIGNAL_H

#include "lib/types.h"
#include <cloister/abi.h>

#define SIGHUP  1
#define SIGINT  2
#define SIGQUIT 3
#define SIGILL  4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS  7
#define SIGFPE  8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGSTOP 19
#define NSIG    64

/* Ends the workload as if killed by sig; a5-style CL_FAULT_* flags describe the fault. */
__attribute__((noreturn)) void kill_workload(int sig, u64 vector, u64 error, u64 rip, u64 addr,
                                             u32 flags);

/* A write found its pipe closed: raise SIGPIPE as Linux would. */
void signal_broken_pipe(void);

/* Whether a signal is pending for the current task that should end an interruptible
 * wait (kernel/wait.h) with -EINTR. */
bool signal_pending(void);
/* The monitor forwarded a signal from the host (SIGINT, SIGTERM, SIGHUP): raise it in
 * the workload as kill() from outside would. */
void signal_from_host(int sig);

#endif
