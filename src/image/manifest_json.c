/* cloister.json to struct cl_manifest and back (jansson). */
#include "image/manifest_json.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/file_tree.h"
#include "image/net_decl.h"

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t err_size, const char *name,
                                                      const char *fmt, ...)
{
    if (err && err_size) {
        int n = snprintf(err, err_size, "%s: ", name);
        if (n > 0 && (size_t)n < err_size) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, err_size - (size_t)n, fmt, ap);
            va_end(ap);
        }
        for (char *c = err; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
    }
    return -1;
}

void manifest_json_free(struct manifest_json *j)
{
    manifest_free(&j->m);
    for (size_t i = 0; i < j->nfiles; i++) {
        free(j->files[i].src);
        free(j->files[i].dst);
    }
    free(j->files);
    memset(j, 0, sizeof(*j));
}

/*
 * A byte count: a JSON integer, or a string of digits with an optional binary K, M or G
 * (and an optional "iB"/"B"), the syntax `cloister build --mem` accepts.
 */
static int get_size(json_t *v, uint64_t *out)
{
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return -1;
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    }
    if (shift) {
        end++;
        if (*end == 'i')
            end++;
        if (*end == 'B' || *end == 'b')
            end++;
    }
    if (*end || (shift && n > (~0ull >> shift)))
        return -1;
    *out = (uint64_t)n << shift;
    return 0;
}

void manifest_format_size(uint64_t v, char *buf, size_t size)
{
    static const struct {
        unsigned shift;
        char unit;
    } units[] = {{30, 'G'}, {20, 'M'}, {10, 'K'}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (v && (v & ((1ull << units[i].shift) - 1)) == 0) {
            snprintf(buf, size, "%llu%c", (unsigned long long)(v >> units[i].shift), units[i].unit);
            return;
        }
    snprintf(buf, size, "%llu", (unsigned long long)v);
}

/* A string without a NUL inside (JSON can carry "\u0000"; C strings cannot). */
static const char *get_string(json_t *v)
{
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

static int set_string(char **dst, json_t *v)
{
    const char *s = get_string(v);
    if (!s)
        return -1;
    char *c = strdup(s);
    if (!c)
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

static int parse_args(struct cl_manifest *m, json_t *args, json_t *argv0, const char *name,
                      char *err, size_t err_size)
{
    size_t n = args ? json_array_size(args) : 0;
    if (args && !json_is_array(args))
        return fail(err, err_size, name, "\"args\" must be an array of strings");
    if (!(m->argv = calloc(n + 1, sizeof(char *))))
        return fail(err, err_size, name, "out of memory");
    m->argc = n + 1;
    if (argv0 && set_string(&m->argv[0], argv0))
        return fail(err, err_size, name, "\"argv0\" must be a string");
    for (size_t i = 0; i < n; i++)
        if (set_string(&m->argv[i + 1], json_array_get(args, i)))
            return fail(err, err_size, name, "\"args\"[%zu] must be a string", i);
    return 0;
}

static int parse_env(struct cl_manifest *m, json_t *env, const char *name, char *err,
                     size_t err_size)
{
    size_t n = json_is_object(env) ? json_object_size(env) : json_array_size(env);
    if (!json_is_object(env) && !json_is_array(env))
        return fail(err, err_size, name,
                    "\"env\" must be an object {\"NAME\": \"value\"} or an array of "
                    "\"NAME=value\"");
    if (!(m->envp = calloc(n ? n : 1, sizeof(char *))))
        return fail(err, err_size, name, "out of memory");
    if (json_is_array(env)) {
        for (size_t i = 0; i < n; i++, m->envc++) {
            const char *s = get_string(json_array_get(env, i));
            if (!s || !strchr(s, '=') || s[0] == '=')
                return fail(err, err_size, name, "\"env\"[%zu] must be a \"NAME=value\" string", i);
            if (!(m->envp[i] = strdup(s)))
                return fail(err, err_size, name, "out of memory");
        }
        return 0;
    }
    /* jansson keeps an object's keys in the order they were written, so the workload
     * sees its environment in the author's order, the same every build. */
    const char *key;
    json_t *val;
    json_object_foreach(env, key, val)
    {
        const char *s = get_string(val);
        if (!key[0] || strchr(key, '='))
            return fail(err, err_size, name, "\"env\": '%s' is not a variable name", key);
        if (!s)
            return fail(err, err_size, name, "\"env\".%s must be a string", key);
        if (asprintf(&m->envp[m->envc], "%s=%s", key, s) < 0)
            return fail(err, err_size, name, "out of memory");
        m->envc++;
    }
    return 0;
}

static int parse_files(struct manifest_json *out, json_t *files, const char *name,
                       const char *base_dir, char *err, size_t err_size)
{
    if (!json_is_array(files))
        return fail(err, err_size, name, "\"files\" must be an array of {\"src\", \"dst\"}");
    size_t n = json_array_size(files);
    if (!(out->files = calloc(n ? n : 1, sizeof(*out->files))))
        return fail(err, err_size, name, "out of memory");
    for (size_t i = 0; i < n; i++, out->nfiles++) {
        json_t *f = json_array_get(files, i);
        if (!json_is_object(f))
            return fail(err, err_size, name, "\"files\"[%zu] must be an object", i);
        const char *key;
        json_t *val;
        json_object_foreach(f, key, val)
        {
            if (strcmp(key, "src") && strcmp(key, "dst"))
                return fail(err, err_size, name, "\"files\"[%zu]: unknown key \"%s\"", i, key);
        }
        const char *src = get_string(json_object_get(f, "src"));
        const char *dst = get_string(json_object_get(f, "dst"));
        if (!src || !src[0] || !dst)
            return fail(err, err_size, name, "\"files\"[%zu] needs \"src\" and \"dst\" strings", i);
        const char *why = cwi_path_problem(dst, strlen(dst));
        if (why)
            return fail(err, err_size, name, "\"files\"[%zu]: dst '%s' %s", i, dst, why);
        int r = src[0] == '/' ? asprintf(&out->files[i].src, "%s", src)
                              : asprintf(&out->files[i].src, "%s/%s", base_dir, src);
        if (r < 0 || !(out->files[i].dst = strdup(dst)))
            return fail(err, err_size, name, "out of memory");
    }
    return 0;
}

/* A count (vCPUs, processes): a JSON integer that fits 32 bits; the range is
 * manifest_validate()'s to check, with its message. */
static int get_count(json_t *v, uint32_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
        return -1;
    *out = (uint32_t)json_integer_value(v);
    return 0;
}

/* The SEV-SNP policy: a JSON integer or a string in C notation ("0x30000"). */
static int get_policy(json_t *v, uint64_t *out)
{
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return -1;
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    const char *s = get_string(v);
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = n;
    return 0;
}

static const char *const known_keys[] = {"entry",  "argv0",  "args",    "env",        "cwd",
                                         "memory", "cpus",   "tmpfs",   "extra_args", "snp_policy",
                                         "files",  "listen", "connect", "processes"};

/* "listen": ["tcp:8080"], "connect": ["tcp:10.0.0.5:5432"]: net_decl.h's text forms */
static int parse_net(struct cl_manifest *m, json_t *list, bool listen, const char *name, char *err,
                     size_t err_size)
{
    const char *key = listen ? "listen" : "connect";
    if (!json_is_array(list))
        return fail(err, err_size, name, "\"%s\" must be an array of strings", key);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        struct cwi_net_decl d;
        const char *why = json_is_string(item) ? net_decl_parse(json_string_value(item), listen, &d)
                                               : "is not a string";
        if (why)
            return fail(err, err_size, name, "\"%s\"[%zu] %s", key, i, why);
        if (manifest_add_net(m, listen, &d))
            return fail(err, err_size, name, "out of memory");
    }
    return 0;
}

static int parse_object(json_t *root, struct manifest_json *out, const char *name,
                        const char *base_dir, char *err, size_t err_size)
{
    struct cl_manifest *m = &out->m;
    const char *key;
    json_t *v;

    if (!json_is_object(root))
        return fail(err, err_size, name, "the manifest must be a JSON object");
    json_object_foreach(root, key, v)
    {
        size_t k = 0;
        while (k < sizeof(known_keys) / sizeof(known_keys[0]) && strcmp(key, known_keys[k]))
            k++;
        if (k == sizeof(known_keys) / sizeof(known_keys[0]))
            return fail(err, err_size, name, "unknown key \"%s\"", key);
    }
    if ((v = json_object_get(root, "entry")) && set_string(&m->entry, v))
        return fail(err, err_size, name, "\"entry\" must be a string");
    if ((v = json_object_get(root, "cwd")) && set_string(&m->cwd, v))
        return fail(err, err_size, name, "\"cwd\" must be a string");
    if (parse_args(m, json_object_get(root, "args"), json_object_get(root, "argv0"), name, err,
                   err_size))
        return -1;
    if ((v = json_object_get(root, "env")) && parse_env(m, v, name, err, err_size))
        return -1;
    if ((v = json_object_get(root, "memory")) && get_size(v, &m->mem_size))
        return fail(err, err_size, name, "\"memory\" must be a size such as \"256M\"");
    if ((v = json_object_get(root, "tmpfs")) && get_size(v, &m->tmpfs_size))
        return fail(err, err_size, name, "\"tmpfs\" must be a size such as \"64M\"");
    if ((v = json_object_get(root, "cpus")) && get_count(v, &m->vcpus))
        return fail(err, err_size, name, "\"cpus\" must be a number of vCPUs");
    if ((v = json_object_get(root, "processes")) && get_count(v, &m->max_processes))
        return fail(err, err_size, name, "\"processes\" must be a number of processes");
    if ((v = json_object_get(root, "extra_args"))) {
        if (!json_is_boolean(v))
            return fail(err, err_size, name, "\"extra_args\" must be true or false");
        m->extra_args = json_is_true(v);
    }
    if ((v = json_object_get(root, "snp_policy")) && get_policy(v, &m->snp_policy))
        return fail(err, err_size, name, "\"snp_policy\" must be an integer or \"0x...\"");
    if ((v = json_object_get(root, "listen")) && parse_net(m, v, true, name, err, err_size))
        return -1;
    if ((v = json_object_get(root, "connect")) && parse_net(m, v, false, name, err, err_size))
        return -1;
    if ((v = json_object_get(root, "files")) && parse_files(out, v, name, base_dir, err, err_size))
        return -1;
    return 0;
}

int manifest_json_parse(const char *text, size_t len, const char *name, const char *base_dir,
                        struct manifest_json *out, char *err, size_t err_size)
{
    json_error_t jerr;

    memset(out, 0, sizeof(*out));
    manifest_init(&out->m);
    /* Duplicate keys would make "which one wins" a jansson detail: refuse them. */
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        manifest_json_free(out);
        return fail(err, err_size, name, "line %d column %d: %s", jerr.line, jerr.column,
                    jerr.text);
    }
    int rc = parse_object(root, out, name, base_dir, err, err_size);
    json_decref(root);
    if (rc)
        manifest_json_free(out);
    return rc;
}

/* No cloister.json is anywhere near this; it bounds a mistaken path. */
#define MAX_JSON_SIZE (16u << 20)

int manifest_json_load(const char *path, struct manifest_json *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, err_size, path, "%s", strerror(errno));
    char *text = malloc(MAX_JSON_SIZE + 1);
    size_t len = text ? fread(text, 1, MAX_JSON_SIZE + 1, f) : 0;
    int bad = !text ? ENOMEM : ferror(f) ? EIO : 0;
    fclose(f);
    if (bad || len > MAX_JSON_SIZE) {
        free(text);
        return fail(err, err_size, path, "%s", bad ? strerror(bad) : "larger than 16 MiB");
    }
    char *copy = strdup(path);
    if (!copy) {
        free(text);
        return fail(err, err_size, path, "out of memory");
    }
    int rc = manifest_json_parse(text, len, path, dirname(copy), out, err, err_size);
    free(copy);
    free(text);
    return rc;
}

static int put(json_t *o, const char *key, json_t *v)
{
    return v ? json_object_set_new(o, key, v) : -1;
}

json_t *manifest_json_string(const char *s)
{
    json_t *v = json_string(s);
    if (v || !s)
        return v;
    /* Not UTF-8: JSON cannot carry the bytes, so show which ones are not ASCII. */
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *c = copy; *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

/* Only when there are some: an image without a network prints as it did before. */
static int put_net(json_t *o, const char *key, const struct cwi_net_decl *d, size_t n)
{
    if (n == 0)
        return 0;
    json_t *a = json_array();
    int bad = !a;
    for (size_t i = 0; i < n && !bad; i++) {
        char text[NET_DECL_TEXT_MAX];
        net_decl_format(&d[i], text);
        bad |= json_array_append_new(a, json_string(text));
    }
    return bad ? (json_decref(a), -1) : put(o, key, a);
}

json_t *manifest_to_json(const struct cl_manifest *m)
{
    json_t *o = json_object(), *args = json_array(), *env = json_array();
    char buf[32];
    int bad = !o || !args || !env;

    if (!bad) {
        bad |= put(o, "entry", manifest_json_string(m->entry ? m->entry : ""));
        if (m->argc > 0 && m->argv[0] && (!m->entry || strcmp(m->argv[0], m->entry)))
            bad |= put(o, "argv0", manifest_json_string(m->argv[0]));
        for (size_t i = 1; i < m->argc; i++)
            bad |= json_array_append_new(args, manifest_json_string(m->argv[i]));
        for (size_t i = 0; i < m->envc; i++)
            bad |= json_array_append_new(env, manifest_json_string(m->envp[i]));
        bad |= json_object_set(o, "args", args);
        bad |= json_object_set(o, "env", env);
        bad |= put(o, "cwd", manifest_json_string(m->cwd ? m->cwd : "/"));
        manifest_format_size(m->mem_size, buf, sizeof(buf));
        bad |= put(o, "memory", json_string(buf));
        bad |= put(o, "cpus", json_integer(m->vcpus));
        manifest_format_size(m->tmpfs_size, buf, sizeof(buf));
        bad |= put(o, "tmpfs", json_string(buf));
        bad |= put(o, "extra_args", json_boolean(m->extra_args));
        snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)m->snp_policy);
        bad |= put(o, "snp_policy", json_string(buf));
        bad |= put(o, "processes", json_integer(m->max_processes));
        bad |= put_net(o, "listen", m->listen, m->nlisten);
        bad |= put_net(o, "connect", m->connect, m->nconnect);
    }
    json_decref(args);
    json_decref(env);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
