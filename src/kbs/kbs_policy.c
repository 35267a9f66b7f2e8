/* The key broker's policy file (see kbs_policy.h and docs/kbs.md). */
#include "kbs/kbs_policy.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/error_line.h"
#include "common/file_read.h"
#include "common/hex.h"

/* No policy or root file is anywhere near this; it bounds a mistaken path. */
#define MAX_FILE_SIZE (1 << 20)

/* One line "NAME: ...", NAME being the policy file or the rule's place in it. */
__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t err_size, const char *name,
                                                      const char *fmt, ...)
{
    char prefix[PATH_MAX + 8];
    snprintf(prefix, sizeof(prefix), "%s: ", name);
    va_list ap;
    va_start(ap, fmt);
    verror_line(err, err_size, prefix, fmt, ap);
    va_end(ap);
    ERR_clear_error();
    return -1;
}

static void rule_free(struct kbs_rule *r)
{
    free(r->digests);
    memset(r, 0, sizeof(*r));
}

void kbs_policy_free(struct kbs_policy *p)
{
    if (p == NULL)
        return;
    rule_free(&p->defaults);
    for (size_t i = 0; i < p->nresources; i++) {
        free(p->resources[i].id);
        rule_free(&p->resources[i].rule);
    }
    free(p->resources);
    sk_X509_pop_free(p->roots, X509_free);
    free(p);
}

/* Fails naming the first key of obj that is not in allowed (a NULL-terminated list). */
static int only_keys(json_t *obj, const char *const *allowed, const char *where, char *err,
                     size_t err_size, const char *name)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(key, *a) == 0;
        if (!known)
            return fail(err, err_size, name, "%sunknown key \"%s\"", where, key);
    }
    return 0;
}

/* "launch_digests": an array of 96-hex-digit strings. */
static int parse_digests(json_t *v, struct kbs_rule *r, const char *where, char *err,
                         size_t err_size, const char *name)
{
    if (!json_is_array(v))
        return fail(err, err_size, name, "%s\"launch_digests\" must be an array", where);
    size_t n = json_array_size(v);
    r->digests = calloc(n ? n : 1, sizeof(*r->digests));
    if (r->digests == NULL)
        return fail(err, err_size, name, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(v, i));
        if (s == NULL || strlen(s) != 2 * SNP_MEASUREMENT_SIZE)
            return fail(err, err_size, name,
                        "%s\"launch_digests\"[%zu] must be a string of %d hex digits (see "
                        "cloister measure)",
                        where, i, 2 * SNP_MEASUREMENT_SIZE);
        if (hex_decode(s, r->digests[i], SNP_MEASUREMENT_SIZE) < 0)
            return fail(err, err_size, name, "%s\"launch_digests\"[%zu] is not hex", where, i);
    }
    r->ndigests = n;
    return 0;
}

/* "min_tcb": {"bootloader", "tee", "snp", "microcode"}, each 0..255, any subset. */
static int parse_min_tcb(json_t *v, struct kbs_rule *r, const char *where, char *err,
                         size_t err_size, const char *name)
{
    static const char *const keys[] = {"bootloader", "tee", "snp", "microcode", NULL};
    if (!json_is_object(v))
        return fail(err, err_size, name, "%s\"min_tcb\" must be an object", where);
    char sub[KBS_RESOURCE_ID_MAX + 32];
    snprintf(sub, sizeof(sub), "%s\"min_tcb\": ", where);
    if (only_keys(v, keys, sub, err, err_size, name) != 0)
        return -1;
    uint8_t *fields[] = {&r->min_tcb.bootloader, &r->min_tcb.tee, &r->min_tcb.snp,
                         &r->min_tcb.microcode};
    for (size_t i = 0; keys[i] != NULL; i++) {
        json_t *n = json_object_get(v, keys[i]);
        if (n == NULL)
            continue;
        if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > 255)
            return fail(err, err_size, name, "%s\"%s\" must be an integer from 0 to 255", sub,
                        keys[i]);
        *fields[i] = (uint8_t)json_integer_value(n);
    }
    r->has_min_tcb = true;
    return 0;
}

int kbs_resource_id_check(const char *id, char *err, size_t err_size)
{
    const char *p = id;
    for (int component = 0; component < 3; component++) {
        size_t len = 0;
        if (*p == '.') {
            snprintf(err, err_size, "a path component may not start with '.'");
            return -1;
        }
        for (; p[len] != '\0' && p[len] != '/'; len++) {
            char c = p[len];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-')) {
                snprintf(err, err_size,
                         "a path component holds a character other than [A-Za-z0-9._-]");
                return -1;
            }
        }
        if (len == 0 || len > KBS_COMPONENT_MAX) {
            snprintf(err, err_size, "a path component is empty or longer than %d characters",
                     KBS_COMPONENT_MAX);
            return -1;
        }
        p += len;
        if (component < 2) {
            if (*p != '/') {
                snprintf(err, err_size, "not of the form <repository>/<type>/<tag>");
                return -1;
            }
            p++;
        }
    }
    if (*p != '\0') {
        snprintf(err, err_size, "not of the form <repository>/<type>/<tag>");
        return -1;
    }
    return 0;
}

static int parse_resources(json_t *v, struct kbs_policy *p, char *err, size_t err_size,
                           const char *name)
{
    static const char *const keys[] = {"launch_digests", "min_tcb", NULL};
    if (!json_is_object(v))
        return fail(err, err_size, name, "\"resources\" must be an object");
    p->resources = calloc(json_object_size(v) + 1, sizeof(*p->resources));
    if (p->resources == NULL)
        return fail(err, err_size, name, "out of memory");
    const char *id;
    json_t *rule;
    json_object_foreach(v, id, rule)
    {
        char why[128], where[KBS_RESOURCE_ID_MAX + 32];
        if (kbs_resource_id_check(id, why, sizeof(why)) != 0)
            return fail(err, err_size, name, "\"resources\": \"%.*s\": %s", KBS_RESOURCE_ID_MAX, id,
                        why);
        snprintf(where, sizeof(where), "\"resources\": \"%s\": ", id);
        if (!json_is_object(rule))
            return fail(err, err_size, name, "%smust be an object", where);
        if (only_keys(rule, keys, where, err, err_size, name) != 0)
            return -1;
        struct kbs_resource_rule *r = &p->resources[p->nresources++];
        if ((r->id = strdup(id)) == NULL)
            return fail(err, err_size, name, "out of memory");
        json_t *d = json_object_get(rule, "launch_digests");
        json_t *t = json_object_get(rule, "min_tcb");
        if (d != NULL && parse_digests(d, &r->rule, where, err, err_size, name) != 0)
            return -1;
        if (t != NULL && parse_min_tcb(t, &r->rule, where, err, err_size, name) != 0)
            return -1;
        r->has_digests = d != NULL;
        r->has_min_tcb = t != NULL;
    }
    return 0;
}

int kbs_policy_add_root(struct kbs_policy *p, X509 *root)
{
    if (p->roots == NULL && (p->roots = sk_X509_new_null()) == NULL)
        return -1;
    if (X509_up_ref(root) != 1)
        return -1;
    if (sk_X509_push(p->roots, root) <= 0) {
        X509_free(root);
        return -1;
    }
    return 0;
}

int kbs_policy_add_roots_file(struct kbs_policy *p, const char *path, char *err, size_t err_size)
{
    STACK_OF(X509) *certs = pem_read_certs(path, MAX_FILE_SIZE, err, err_size);
    if (certs == NULL)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < sk_X509_num(certs); i++)
        rc = kbs_policy_add_root(p, sk_X509_value(certs, i));
    sk_X509_pop_free(certs, X509_free);
    return rc ? fail(err, err_size, path, "out of memory") : 0;
}

/* "trusted_roots": "amd", or PEM files relative to base_dir. */
static int parse_roots(json_t *v, struct kbs_policy *p, const char *base_dir, char *err,
                       size_t err_size, const char *name)
{
    if (!json_is_array(v))
        return fail(err, err_size, name, "\"trusted_roots\" must be an array");
    p->trust_amd = false;
    for (size_t i = 0; i < json_array_size(v); i++) {
        const char *s = json_string_value(json_array_get(v, i));
        if (s == NULL || s[0] == '\0')
            return fail(err, err_size, name, "\"trusted_roots\"[%zu] must be \"amd\" or a file", i);
        if (strcmp(s, "amd") == 0) {
            p->trust_amd = true;
            continue;
        }
        char *path = NULL, why[600];
        if (asprintf(&path, "%s%s%s", s[0] == '/' ? "" : base_dir, s[0] == '/' ? "" : "/", s) < 0)
            return fail(err, err_size, name, "out of memory");
        int rc = kbs_policy_add_roots_file(p, path, why, sizeof(why));
        free(path);
        if (rc != 0)
            return fail(err, err_size, name, "\"trusted_roots\"[%zu]: %s", i, why);
    }
    return 0;
}

static int parse_object(json_t *root, struct kbs_policy *p, const char *base_dir, char *err,
                        size_t err_size, const char *name)
{
    static const char *const keys[] = {"launch_digests", "trusted_roots", "min_tcb", "allow_debug",
                                       "vmpl",           "resources",     NULL};
    if (!json_is_object(root))
        return fail(err, err_size, name, "the policy must be a JSON object");
    if (only_keys(root, keys, "", err, err_size, name) != 0)
        return -1;
    json_t *v;
    if ((v = json_object_get(root, "launch_digests")) == NULL)
        return fail(err, err_size, name,
                    "\"launch_digests\" is required (the measurements allowed by default; [] "
                    "for none)");
    if (parse_digests(v, &p->defaults, "", err, err_size, name) != 0)
        return -1;
    p->trust_amd = true;
    if ((v = json_object_get(root, "trusted_roots")) != NULL &&
        parse_roots(v, p, base_dir, err, err_size, name) != 0)
        return -1;
    if ((v = json_object_get(root, "min_tcb")) != NULL &&
        parse_min_tcb(v, &p->defaults, "", err, err_size, name) != 0)
        return -1;
    if ((v = json_object_get(root, "allow_debug")) != NULL) {
        if (!json_is_boolean(v))
            return fail(err, err_size, name, "\"allow_debug\" must be true or false");
        p->allow_debug = json_is_true(v);
    }
    if ((v = json_object_get(root, "vmpl")) != NULL) {
        if (json_is_string(v) && strcmp(json_string_value(v), "any") == 0) {
            p->any_vmpl = true;
        } else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 3) {
            p->vmpl = (uint32_t)json_integer_value(v);
        } else {
            return fail(err, err_size, name, "\"vmpl\" must be 0, 1, 2, 3 or \"any\"");
        }
    }
    if ((v = json_object_get(root, "resources")) != NULL &&
        parse_resources(v, p, err, err_size, name) != 0)
        return -1;
    return 0;
}

struct kbs_policy *kbs_policy_parse(const char *text, size_t len, const char *name,
                                    const char *base_dir, char *err, size_t err_size)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        fail(err, err_size, name, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    struct kbs_policy *p = calloc(1, sizeof(*p));
    if (p == NULL || parse_object(root, p, base_dir, err, err_size, name) != 0) {
        if (p == NULL)
            fail(err, err_size, name, "out of memory");
        kbs_policy_free(p);
        p = NULL;
    }
    json_decref(root);
    return p;
}

struct kbs_policy *kbs_policy_load(const char *path, char *err, size_t err_size)
{
    size_t len = 0;
    char *text = file_read_small(path, MAX_FILE_SIZE, &len, err, err_size);
    if (text == NULL)
        return NULL;
    char *dir = strdup(path);
    if (dir == NULL) {
        free(text);
        fail(err, err_size, path, "out of memory");
        return NULL;
    }
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    struct kbs_policy *p = kbs_policy_parse(text, len, path, dir, err, err_size);
    free(dir);
    free(text);
    return p;
}

struct kbs_rule kbs_policy_rule_for(const struct kbs_policy *p, const char *id)
{
    struct kbs_rule r = p->defaults;
    for (size_t i = 0; i < p->nresources; i++) {
        const struct kbs_resource_rule *rr = &p->resources[i];
        if (strcmp(rr->id, id) != 0)
            continue;
        if (rr->has_digests) {
            r.ndigests = rr->rule.ndigests;
            r.digests = rr->rule.digests;
        }
        if (rr->has_min_tcb) {
            r.has_min_tcb = true;
            r.min_tcb = rr->rule.min_tcb;
        }
        break;
    }
    return r;
}

static bool lists(const struct kbs_rule *rule, const uint8_t m[SNP_MEASUREMENT_SIZE])
{
    for (size_t i = 0; i < rule->ndigests; i++)
        if (memcmp(rule->digests[i], m, SNP_MEASUREMENT_SIZE) == 0)
            return true;
    return false;
}

int kbs_rule_check(const struct kbs_rule *rule, const uint8_t measurement[SNP_MEASUREMENT_SIZE],
                   uint64_t reported_tcb, char *err, size_t err_size)
{
    if (!lists(rule, measurement)) {
        char h[2 * SNP_MEASUREMENT_SIZE + 1];
        for (size_t i = 0; i < SNP_MEASUREMENT_SIZE; i++)
            snprintf(h + 2 * i, 3, "%02x", measurement[i]);
        snprintf(err, err_size, "measurement %s not allowed by policy", h);
        return -1;
    }
    if (!rule->has_min_tcb)
        return 0;
    struct snp_tcb t = snp_tcb_decode(reported_tcb);
    const struct {
        const char *what;
        int have, min;
    } c[] = {
        {"bootloader", t.bootloader, rule->min_tcb.bootloader},
        {"tee", t.tee, rule->min_tcb.tee},
        {"snp", t.snp, rule->min_tcb.snp},
        {"microcode", t.microcode, rule->min_tcb.microcode},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        if (c[i].have < c[i].min) {
            snprintf(err, err_size, "reported_tcb %s=%d is below the policy's minimum %d",
                     c[i].what, c[i].have, c[i].min);
            return -1;
        }
    }
    return 0;
}

int kbs_policy_admits(const struct kbs_policy *p, const uint8_t measurement[SNP_MEASUREMENT_SIZE],
                      uint64_t reported_tcb, char *err, size_t err_size)
{
    bool listed = false;
    for (size_t i = 0; i <= p->nresources; i++) {
        struct kbs_rule r = i == 0 ? p->defaults : kbs_policy_rule_for(p, p->resources[i - 1].id);
        char w[256];
        if (kbs_rule_check(&r, measurement, reported_tcb, w, sizeof(w)) == 0)
            return 0;
        /* Prefer the reason of a rule that lists the measurement: it is the closer miss. */
        if (i == 0 || (!listed && lists(&r, measurement))) {
            snprintf(err, err_size, "%s", w);
            listed = lists(&r, measurement);
        }
    }
    return -1;
}
