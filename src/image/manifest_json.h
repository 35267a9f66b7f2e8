/*
 * The manifest as JSON: cloister.json, the form a user writes, and the object
 * `cloister inspect --json` prints. The two share their keys, so an inspected manifest
 * can be written back as a cloister.json (less its "files").
 *
 *   {
 *     "entry": "/bin/app",            image path of the program
 *     "argv0": "app",                 optional; argv[0], by default the entry path
 *     "args": ["--port", "80"],       argv[1..]
 *     "env": {"K": "V"} or ["K=V"],   in the order written
 *     "cwd": "/",
 *     "memory": "256M" or 268435456,  K/M/G are binary units
 *     "cpus": 1,
 *     "tmpfs": "64M",                 0 for no /tmp
 *     "extra_args": false,            may `cloister run` append arguments
 *     "snp_policy": "0x30000",        or an integer
 *     "processes": 1024,              at once, pid 1 and zombies included
 *     "files": [{"src": "host path", "dst": "/image/path"}]
 *   }
 *
 * Every key is optional here (the command line may supply the rest); an unknown key is
 * an error naming it, so a misspelt setting cannot be silently ignored.
 */
#ifndef CLOISTER_IMAGE_MANIFEST_JSON_H
#define CLOISTER_IMAGE_MANIFEST_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "image/manifest.h"

/* One "files" item; src already resolved against the JSON file's directory. */
struct manifest_file_spec {
    char *src;
    char *dst;
};

struct manifest_json {
    /* Defaults (manifest_init) overlaid with what the JSON sets. entry is NULL if it set
     * none. argv has 1 + len(args) slots; argv[0] is NULL unless "argv0" was given,
     * meaning "the entry's path", which the builder fills in once the entry is final. */
    struct cl_manifest m;
    struct manifest_file_spec *files;
    size_t nfiles;
};

/*
 * Reads and checks the cloister.json at path. Relative "src" paths are taken from the
 * directory holding the JSON file. 0, or -1 with one line in err starting with path
 * (a syntax error names line and column; anything else names the key). On failure out
 * holds nothing to free.
 */
int manifest_json_load(const char *path, struct manifest_json *out, char *err, size_t err_size);

/* The same from text already in memory; name is used in messages, base_dir for "src". */
int manifest_json_parse(const char *text, size_t len, const char *name, const char *base_dir,
                        struct manifest_json *out, char *err, size_t err_size);

void manifest_json_free(struct manifest_json *j);

/*
 * The manifest as a JSON object with the keys above (without "files"; "argv0" only if
 * argv[0] is not the entry path; sizes as "256M"-style strings when exact). NULL only if
 * out of memory. The caller owns the reference.
 */
json_t *manifest_to_json(const struct cl_manifest *m);

/* A JSON string of s; bytes that are not UTF-8 become '?' (JSON holds only Unicode).
 * NULL only if out of memory. */
json_t *manifest_json_string(const char *s);

/* Formats a byte count the way the JSON and the command write it: "256M", "1G", "12345". */
void manifest_format_size(uint64_t v, char *buf, size_t size);

#endif
