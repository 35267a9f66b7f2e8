/*
 * The manifest's secrets, fetched before the workload starts (kbs_client.c) and handed
 * over the way an unmodified program expects them: as files in /run/secrets (a tmpfs
 * of its own) or as environment variables. If any fetch fails, the workload never runs.
 */
#ifndef SHIM_SECRETS_H
#define SHIM_SECRETS_H

#include "kernel/manifest.h"

/*
 * Fetches every secret of m. File secrets are written at once; environment secrets are
 * appended, "NAME=value" with their NULs, to env (at most env_cap bytes), counting them
 * in *envc and the bytes in *env_len. Panics (status 125, one line) on any failure.
 */
void secrets_fetch(const struct manifest *m, char *env, size_t env_cap, size_t *env_len, u32 *envc);

#endif
