/*
 * The key broker's policy: which attested workloads may have which resources. It is a
 * JSON file (docs/kbs.md has the full description):
 *
 *   {
 *     "launch_digests": ["<96 hex digits>", ...],  the measurements allowed by default;
 *                                                  required, may be [] (then only the
 *                                                  resources with their own list go out)
 *     "trusted_roots": ["amd", "sim-ark.pem"],     "amd": AMD's built-in Milan and Genoa
 *                                                  ARKs; anything else: a PEM file of
 *                                                  further roots, relative to the policy's
 *                                                  directory. Default ["amd"]
 *     "min_tcb": {"bootloader": 3, "tee": 0, "snp": 8, "microcode": 115},
 *                                                  lowest reported_tcb, any subset
 *     "allow_debug": false,                        default false
 *     "vmpl": 0,                                   0 to 3, or "any"; default 0
 *     "resources": {
 *       "repo/type/tag": {"launch_digests": [...], "min_tcb": {...}}
 *     }
 *   }
 *
 * A resource's entry replaces the default launch_digests and/or min_tcb for that
 * resource alone (what it leaves out, it inherits). Roots, debug and VMPL are global.
 * Unknown keys are errors, so a misspelt rule cannot be silently ignored.
 */
#ifndef CLOISTER_KBS_KBS_POLICY_H
#define CLOISTER_KBS_KBS_POLICY_H

#include "verify/snp_report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* A resource is DIR/<repo>/<type>/<tag>; each component at most this long. */
#define KBS_COMPONENT_MAX   64
#define KBS_RESOURCE_ID_MAX (3 * KBS_COMPONENT_MAX + 3)

/* Which measurements and TCB one resource (or the default) asks for. */
struct kbs_rule {
    size_t ndigests;
    uint8_t (*digests)[SNP_MEASUREMENT_SIZE];
    bool has_min_tcb;
    struct snp_tcb min_tcb;
};

struct kbs_resource_rule {
    char *id; /* "repo/type/tag" */
    /* What the entry sets; the rest comes from the default rule. */
    bool has_digests, has_min_tcb;
    struct kbs_rule rule;
};

struct kbs_policy {
    struct kbs_rule defaults;
    bool trust_amd;         /* AMD's built-in ARKs are roots */
    STACK_OF(X509) * roots; /* further roots: the policy's files, then --trust files */
    bool allow_debug;
    bool any_vmpl;
    uint32_t vmpl;
    struct kbs_resource_rule *resources;
    size_t nresources;
};

/*
 * Reads and checks the policy file at path. Returns the policy, or NULL with one line
 * in err starting with the path (a syntax error gives line and column, anything else
 * names the key).
 */
struct kbs_policy *kbs_policy_load(const char *path, char *err, size_t err_size);

/* The same from text in memory; name is used in messages, base_dir for root files. */
struct kbs_policy *kbs_policy_parse(const char *text, size_t len, const char *name,
                                    const char *base_dir, char *err, size_t err_size);

/* Adds every certificate of a PEM file as a trusted root (--trust). 0, or -1 with err. */
int kbs_policy_add_roots_file(struct kbs_policy *p, const char *path, char *err, size_t err_size);

/* Adds one trusted root; the policy takes a reference of its own. 0 or -1. */
int kbs_policy_add_root(struct kbs_policy *p, X509 *root);

void kbs_policy_free(struct kbs_policy *p);

/*
 * Whether id is a resource name: three components separated by '/', each 1 to
 * KBS_COMPONENT_MAX characters of [A-Za-z0-9._-] not starting with '.' (so neither
 * "." nor ".." nor a hidden file). 0, or -1 with why filled.
 */
int kbs_resource_id_check(const char *id, char *err, size_t err_size);

/* The rule for resource id: its own entry over the defaults. Points into p. */
struct kbs_rule kbs_policy_rule_for(const struct kbs_policy *p, const char *id);

/*
 * Whether a report with this measurement and reported_tcb satisfies rule. 0, or -1
 * with why: "measurement <96 hex> not allowed by policy" or "reported_tcb snp=7 is
 * below the policy's minimum 8".
 */
int kbs_rule_check(const struct kbs_rule *rule, const uint8_t measurement[SNP_MEASUREMENT_SIZE],
                   uint64_t reported_tcb, char *err, size_t err_size);

/*
 * Whether some rule (the default, or any resource's) admits the report: the test at
 * attestation, before anyone knows which resources will be asked for. 0, or -1 with
 * why (the TCB reason if a rule lists the measurement, else the measurement one).
 */
int kbs_policy_admits(const struct kbs_policy *p, const uint8_t measurement[SNP_MEASUREMENT_SIZE],
                      uint64_t reported_tcb, char *err, size_t err_size);

#endif
