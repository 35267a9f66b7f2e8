/* Streams to the key brokers the manifest declares, through the monitor (hc_net.c). */
#ifndef SHIM_BROKER_CONN_H
#define SHIM_BROKER_CONN_H

#include "lib/types.h"

/* A connection to the broker of manifest secret i: a handle, or -errno. */
s64 broker_connect(u32 secret_index);
s64 broker_send_all(s64 h, const void *p, size_t n);
/* Up to n bytes; 0 at the end of the stream; -errno. */
s64 broker_recv(s64 h, void *p, size_t n);
void broker_close(s64 h);
/* What a connection's -errno means, for the one line a failed launch prints. */
const char *broker_error_text(s64 err);

#endif
