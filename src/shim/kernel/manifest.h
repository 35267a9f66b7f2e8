/*
 * The workload's manifest as the shim reads it from the measured launch area: the
 * canonical records of include/cloister/cwi.h. The shim decodes them itself, strictly;
 * it takes nothing about the workload's configuration from the host.
 */
#ifndef SHIM_MANIFEST_H
#define SHIM_MANIFEST_H

#include "lib/types.h"
#include <cloister/cwi.h>

#define MANIFEST_MAX_SECRETS 16

struct manifest {
    const char *entry; /* NUL-terminated copies in the shim's own memory */
    const char *cwd;
    u32 argc, envc;
    const char *strings; /* argv then envp, each NUL-terminated */
    u64 strings_size;
    u64 mem_size;
    u32 vcpus;
    u64 tmpfs_size;
    bool extra_args;
    u64 snp_policy;
    /* the most processes at once, pid 1 and zombies included (kernel/fork.c enforces
     * it); CWI_PROCESSES_DEFAULT when the image predates the key */
    u32 max_processes;
    u32 nsecrets;
    const char *secrets[MANIFEST_MAX_SECRETS]; /* CWI_KEY_SECRET specs, checked by secrets.c */
    /* the declared network (net/inet.c enforces it) */
    u32 nlisten, nconnect;
    struct cwi_net_decl listen[CWI_NET_MAX_DECLS], connect[CWI_NET_MAX_DECLS];
};

/* The manifest the shim booted with (kernel/main.c keeps it). */
const struct manifest *manifest_current(void);

/* Decodes buf[0..len); 0, or -1 with *why naming the problem. */
int manifest_parse(const u8 *buf, u64 len, struct manifest *m, const char **why);

#endif
