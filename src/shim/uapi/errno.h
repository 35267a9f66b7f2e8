/* Linux's errno values, as the system-call ABI returns them (negated). */
#ifndef SHIM_ERRNO_H
#define SHIM_ERRNO_H

#define EPERM           1
#define ENOENT          2
#define ESRCH           3
#define EINTR           4
#define EIO             5
#define ENXIO           6
#define E2BIG           7
#define ENOEXEC         8
#define EBADF           9
#define ECHILD          10
#define EAGAIN          11
#define ENOMEM          12
#define EACCES          13
#define EFAULT          14
#define EBUSY           16
#define EEXIST          17
#define EXDEV           18
#define ENODEV          19
#define ENOTDIR         20
#define EISDIR          21
#define EINVAL          22
#define ENFILE          23
#define EMFILE          24
#define ENOTTY          25
#define EFBIG           27
#define ENOSPC          28
#define ESPIPE          29
#define EROFS           30
#define EMLINK          31
#define EPIPE           32
#define EDOM            33
#define ERANGE          34
#define EDEADLK         35
#define ENAMETOOLONG    36
#define ENOLCK          37
#define ENOSYS          38
#define ENOTEMPTY       39
#define ELOOP           40
#define ENODATA         61
#define ELIBBAD         80
#define EOVERFLOW       75
#define EPROTO          71
#define EBADMSG         74
#define ENOTSOCK        88
#define EDESTADDRREQ    89
#define EMSGSIZE        90
#define EPROTOTYPE      91
#define ENOPROTOOPT     92
#define EPROTONOSUPPORT 93
#define ESOCKTNOSUPPORT 94
#define EOPNOTSUPP      95
#define EAFNOSUPPORT    97
#define EADDRINUSE      98
#define EADDRNOTAVAIL   99
#define ECONNABORTED    103
#define ENOBUFS         105
#define EISCONN         106
#define ENOTCONN        107
#define EALREADY        114
#define EINPROGRESS     115
#define ENETUNREACH     101
#define ECONNRESET      104
#define ECONNREFUSED    111
#define EHOSTUNREACH    113
#define ETIMEDOUT       110
#define EMAXERRNO       4095

/* Never seen by a workload: a blocking call a signal interrupted returns this, and the
 * return to user mode makes it EINTR, or restarts the call when the handler has
 * SA_RESTART or no handler runs, as Linux does (kernel/sys_signal.c). */
#define ERESTARTSYS 512
/* Restarted whatever the handler says (Linux: ERESTARTNOINTR). */
#define ERESTARTNOINTR 513
/* EINTR when a handler runs, restarted when none does (pause, sigsuspend). */
#define ERESTARTNOHAND 514
/* EINTR when a handler runs; Linux restarts it through restart_syscall when none does,
 * which here becomes EINTR too (signal_frame.c) */
#define ERESTART_RESTARTBLOCK 516

#endif
