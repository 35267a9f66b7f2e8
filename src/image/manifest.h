/*
 * A workload's configuration (the manifest), and its two forms: the canonical binary
 * records an image carries and the shim reads (include/cloister/cwi.h), and the JSON a
 * user writes (cloister.json) and `cloister inspect --json` prints.
 */
#ifndef CLOISTER_IMAGE_MANIFEST_H
#define CLOISTER_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cloister/cwi.h>

#define MANIFEST_DEFAULT_MEM       (256ull << 20)
#define MANIFEST_DEFAULT_TMPFS     (64ull << 20)
#define MANIFEST_DEFAULT_PROCESSES CWI_PROCESSES_DEFAULT

struct cl_manifest {
    char *entry; /* absolute path in the image */
    char **argv; /* argc strings; argv[0] included */
    size_t argc;
    char **envp; /* envc "NAME=value" strings */
    size_t envc;
    char *cwd; /* absolute; "/" by default */
    uint64_t mem_size;
    uint32_t vcpus;
    uint64_t tmpfs_size;
    bool extra_args;
    uint64_t snp_policy;
    uint32_t max_processes; /* at once, pid 1 and zombies included: 1..CWI_PROCESSES_MAX */
    char **secrets;         /* nsecrets CWI_KEY_SECRET specs (see cwi.h), in order */
    size_t nsecrets;
    /* the declared network (net_decl.h): ports to listen on, destinations to reach */
    struct cwi_net_decl *listen;
    size_t nlisten;
    struct cwi_net_decl *connect;
    size_t nconnect;
};

/* Checks one secret spec "HOST:PORT|REPO/TYPE/TAG|file:/run/secrets/NAME" or
 * "...|env:NAME", optionally followed by "|sha256:<64 lowercase hex>", the SHA-256 of the
 * broker's TLS certificate (DER); NULL if good, else what is wrong. */
const char *manifest_secret_problem(const char *spec);

/* Appends a declaration (listen or connect) to m; 0, or -1 when out of memory. */
int manifest_add_net(struct cl_manifest *m, bool listen, const struct cwi_net_decl *d);

/* Defaults for everything but the entry and argv. */
void manifest_init(struct cl_manifest *m);
void manifest_free(struct cl_manifest *m);
/* Checks the rules of cwi.h (absolute clean paths, sizes, counts); 0 or -1 with err. */
int manifest_validate(const struct cl_manifest *m, char *err, size_t err_size);
/* Canonical records; *out is malloc'ed. 0 or -1 with err. */
int manifest_encode(const struct cl_manifest *m, uint8_t **out, size_t *len, char *err,
                    size_t err_size);
int manifest_decode(const uint8_t *buf, size_t len, struct cl_manifest *m, char *err,
                    size_t err_size);

#endif
