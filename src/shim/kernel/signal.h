/* Signal numbers and the recorded signal state (handlers are recorded; delivery of
 * handled signals comes with a later change: today a fatal signal ends the workload). */
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

#endif
