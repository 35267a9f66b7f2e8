/*
 * The lying monitor, for tests only (docs/iago.md): built into build/tests/cloister-iago
 * with -DCLOISTER_IAGO, never into the release `cloister`. CLOISTER_IAGO=KIND[,KIND]
 * names the lies; each bends the monitor's answers the way a hostile host could, so
 * that the tests can show the shim refusing each one (or coping, where the lie is
 * something an honest host may do too, such as a short read).
 */
#ifndef CLOISTER_VMM_IAGO_H
#define CLOISTER_VMM_IAGO_H

#include <cloister/abi.h>

struct hc_ctx;

#ifdef CLOISTER_IAGO
/* Before a hypercall's handler: bends the request the honest handler then serves
 * (short reads and writes, early wake-ups). */
void iago_before(struct hc_ctx *c);
/* After the handler: bends its answer (counts, error values, replies, relayed bytes). */
void iago_after(struct hc_ctx *c);
/* After the boot info is filled in, before the vCPU runs: reads CLOISTER_IAGO and bends
 * the boot info. Returns -1 if it names a lie that does not exist. */
int iago_boot_info(struct cl_boot_info *bi);
#else
/* The release monitor tells no lies: the hooks are empty and compile to nothing. */
static inline void iago_before(struct hc_ctx *c)
{
    (void)c;
}
static inline void iago_after(struct hc_ctx *c)
{
    (void)c;
}
static inline int iago_boot_info(struct cl_boot_info *bi)
{
    (void)bi;
    return 0;
}
#endif

#endif
