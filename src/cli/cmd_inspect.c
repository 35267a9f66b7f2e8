/*
 * `cloister inspect`: what an image holds, after every check the reader makes
 * (including every file chunk): header, sections, manifest, files, launch digest.
 *
 * Everything printed comes from the image, which may come from anyone: strings are
 * escaped so that a crafted path or argument cannot drive the terminal.
 */
#include "cli/image_commands.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "launch/cwi_audit.h"
#include "image/cwi_read.h"
#include "launch/id_block.h"
#include "launch/launch_plan.h"
#include "image/manifest_json.h"
#include "image/net_decl.h"
#include "common/hex.h"

#define EXIT_OK        0
#define EXIT_USAGE     2
#define EXIT_BAD_IMAGE 125

static const char usage_text[] = "usage: cloister inspect [--json] IMAGE\n";

static const char *section_name(uint32_t t)
{
    static const char *const names[] = {
        [CWI_SEC_MANIFEST] = "MANIFEST",     [CWI_SEC_SHIM] = "SHIM",
        [CWI_SEC_FILE_INDEX] = "FILE_INDEX", [CWI_SEC_CHUNK_HASHES] = "CHUNK_HASHES",
        [CWI_SEC_FILE_DATA] = "FILE_DATA",   [CWI_SEC_SIGNATURE] = "SIGNATURE",
        [CWI_SEC_NOTES] = "NOTES",
    };
    return t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "?";
}

/* Prints n bytes, printable ASCII as is and everything else as \xNN (like ls -b). */
static void put_escaped(const char *s, size_t n, bool quoted)
{
    if (quoted)
        putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '\\' || (quoted && c == '"'))
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    if (quoted)
        putchar('"');
}

static void put_str(const char *s, bool quoted)
{
    put_escaped(s, strlen(s), quoted);
}

/* "drwxr-xr-x", as ls -l shows it. */
static void mode_string(uint32_t mode, char out[11])
{
    uint32_t t = mode & CWI_S_IFMT;
    out[0] = t == CWI_S_IFDIR ? 'd' : t == CWI_S_IFLNK ? 'l' : '-';
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400u >> i)) ? "rwxrwxrwx"[i] : '-';
    out[10] = '\0';
}

static const char *kind(uint32_t mode)
{
    switch (mode & CWI_S_IFMT) {
    case CWI_S_IFDIR:
        return "dir";
    case CWI_S_IFLNK:
        return "symlink";
    default:
        return "file";
    }
}

/* A signed image's ID block, parsed and its signatures checked in main; NULL if none. */
static const struct id_info *signature;
static bool signature_matches; /* its LD is this image's launch digest */

static void print_signature(void)
{
    char h[97];
    const struct id_block *b = &signature->block;
    printf("signature (SEV-SNP ID block)\n");
    hex_encode(b->family_id, 16, h);
    printf("  family id   %s\n", h);
    hex_encode(b->image_id, 16, h);
    printf("  image id    %s\n  guest svn   %u\n  policy      0x%llx\n", h, b->guest_svn,
           (unsigned long long)b->policy);
    hex_encode(b->ld, 48, h);
    printf("  ld          %s (%s)\n", h,
           signature_matches ? "the launch digest" : "NOT this image's launch digest");
    hex_encode(signature->id_key_digest, 48, h);
    printf("  id_key_digest      %s\n", h);
    if (signature->has_author) {
        hex_encode(signature->author_key_digest, 48, h);
        printf("  author_key_digest  %s\n", h);
    }
}

static json_t *signature_json(void)
{
    char h[97];
    const struct id_block *b = &signature->block;
    json_t *o = json_object();
    hex_encode(b->family_id, 16, h);
    json_object_set_new(o, "family_id", json_string(h));
    hex_encode(b->image_id, 16, h);
    json_object_set_new(o, "image_id", json_string(h));
    json_object_set_new(o, "guest_svn", json_integer(b->guest_svn));
    json_object_set_new(o, "policy", json_integer((json_int_t)b->policy));
    hex_encode(b->ld, 48, h);
    json_object_set_new(o, "ld", json_string(h));
    json_object_set_new(o, "ld_matches", json_boolean(signature_matches));
    hex_encode(signature->id_key_digest, 48, h);
    json_object_set_new(o, "id_key_digest", json_string(h));
    if (signature->has_author) {
        hex_encode(signature->author_key_digest, 48, h);
        json_object_set_new(o, "author_key_digest", json_string(h));
    }
    return o;
}

static void print_text(const char *path, const struct cwi_image *img, const char *digest)
{
    const struct cl_manifest *m = &img->manifest;
    char h[65], buf[32];

    printf("image       ");
    put_str(path, false);
    printf("\nformat      version %u, flags 0x%x, %u sections, %llu bytes\n", img->header.version,
           img->header.flags, img->header.section_count, (unsigned long long)img->size);
    printf("sections\n  #  type          offset        length        sha256\n");
    for (uint32_t i = 0; i < img->header.section_count; i++) {
        const struct cwi_section *s = &img->sections[i];
        hex_encode(s->sha256, 32, h);
        printf("  %u  %-12s  %-12llu  %-12llu  %s\n", i + 1, section_name(s->type),
               (unsigned long long)s->offset, (unsigned long long)s->length, h);
    }

    printf("manifest\n  entry       ");
    put_str(m->entry, false);
    printf("\n  argv       ");
    for (size_t i = 0; i < m->argc; i++) {
        putchar(' ');
        put_str(m->argv[i], true);
    }
    printf("\n  env        ");
    for (size_t i = 0; i < m->envc; i++) {
        putchar(' ');
        put_str(m->envp[i], true);
    }
    printf("\n  cwd         ");
    put_str(m->cwd ? m->cwd : "/", false);
    manifest_format_size(m->mem_size, buf, sizeof(buf));
    printf("\n  memory      %s\n  cpus        %u\n", buf, m->vcpus);
    manifest_format_size(m->tmpfs_size, buf, sizeof(buf));
    printf("  tmpfs       %s\n  extra args  %s\n  snp policy  0x%llx\n  processes   %u\n",
           m->tmpfs_size ? buf : "none", m->extra_args ? "allowed" : "no",
           (unsigned long long)m->snp_policy, m->max_processes);
    for (size_t i = 0; i < m->nsecrets; i++) {
        printf("  secret      ");
        put_str(m->secrets[i], false);
        putchar('\n');
    }
    char net[NET_DECL_TEXT_MAX];
    for (size_t i = 0; i < m->nlisten; i++) {
        net_decl_format(&m->listen[i], net);
        printf("  listen      %s\n", net);
    }
    for (size_t i = 0; i < m->nconnect; i++) {
        net_decl_format(&m->connect[i], net);
        printf("  connect     %s\n", net);
    }
    if (!m->nlisten && !m->nconnect)
        printf("  network     none\n");

    uint64_t files = 0, bytes = 0;
    for (uint32_t i = 0; i < img->index->entry_count; i++)
        if ((img->entries[i].mode & CWI_S_IFMT) == CWI_S_IFREG)
            files++, bytes += img->entries[i].size;
    printf("files (%u entries, %llu regular files, %llu bytes)\n", img->index->entry_count,
           (unsigned long long)files, (unsigned long long)bytes);
    for (uint32_t i = 0; i < img->index->entry_count; i++) {
        const struct cwi_entry *e = &img->entries[i];
        char mode[11];
        mode_string(e->mode, mode);
        bool reg = (e->mode & CWI_S_IFMT) == CWI_S_IFREG;
        if (reg)
            hex_encode(e->sha256, 32, h);
        printf("  %s %12llu  %-64s  ", mode, (unsigned long long)e->size, reg ? h : "-");
        put_escaped(img->strings + e->path_offset, e->path_length, false);
        if ((e->mode & CWI_S_IFMT) == CWI_S_IFLNK) {
            printf(" -> ");
            put_escaped(img->strings + e->data_offset, (size_t)e->size, false);
        }
        putchar('\n');
    }
    const struct cwi_section *notes = cwi_section(img, CWI_SEC_NOTES);
    if (notes) {
        /* what `cloister build` collected by itself, and why (not measured) */
        printf("notes\n");
        const char *n = (const char *)cwi_section_data(img, notes), *end = n + notes->length;
        while (n < end) {
            const char *nl = memchr(n, '\n', (size_t)(end - n));
            size_t len = nl ? (size_t)(nl - n) : (size_t)(end - n);
            printf("  ");
            put_escaped(n, len, false); /* the image's text, never raw to a terminal */
            putchar('\n');
            n += len + (nl ? 1 : 0);
        }
    }
    if (signature)
        print_signature();
    printf("launch digest (SEV-SNP): %s\n", digest);
}

/* A JSON string of counted bytes from the image (not NUL-terminated there). */
static json_t *counted_string(const char *s, size_t n)
{
    char *c = strndup(s, n);
    json_t *v = c ? manifest_json_string(c) : NULL;
    free(c);
    return v;
}

static json_t *to_json(const char *path, const struct cwi_image *img, const char *digest)
{
    char h[65], mode[8];
    json_t *o = json_object(), *hdr = json_object(), *secs = json_array(), *files = json_array(),
           *ld = json_object();
    if (!o || !hdr || !secs || !files || !ld) {
        json_decref(o), json_decref(hdr), json_decref(secs), json_decref(files), json_decref(ld);
        return NULL;
    }
    json_object_set_new(o, "image", manifest_json_string(path));
    json_object_set_new(hdr, "version", json_integer(img->header.version));
    json_object_set_new(hdr, "flags", json_integer(img->header.flags));
    json_object_set_new(hdr, "section_count", json_integer(img->header.section_count));
    json_object_set_new(hdr, "file_size", json_integer((json_int_t)img->size));
    json_object_set_new(o, "header", hdr);
    for (uint32_t i = 0; i < img->header.section_count; i++) {
        const struct cwi_section *s = &img->sections[i];
        hex_encode(s->sha256, 32, h);
        json_array_append_new(secs, json_pack("{s:s, s:I, s:I, s:s}", "type", section_name(s->type),
                                              "offset", (json_int_t)s->offset, "length",
                                              (json_int_t)s->length, "sha256", h));
    }
    json_object_set_new(o, "sections", secs);
    json_object_set_new(o, "manifest", manifest_to_json(&img->manifest));
    for (uint32_t i = 0; i < img->index->entry_count; i++) {
        const struct cwi_entry *e = &img->entries[i];
        json_t *f = json_object();
        snprintf(mode, sizeof(mode), "0%o", e->mode & 0777u);
        json_object_set_new(f, "path",
                            counted_string(img->strings + e->path_offset, e->path_length));
        json_object_set_new(f, "type", json_string(kind(e->mode)));
        json_object_set_new(f, "mode", json_string(mode));
        json_object_set_new(f, "size", json_integer((json_int_t)e->size));
        if ((e->mode & CWI_S_IFMT) == CWI_S_IFREG) {
            hex_encode(e->sha256, 32, h);
            json_object_set_new(f, "sha256", json_string(h));
        } else if ((e->mode & CWI_S_IFMT) == CWI_S_IFLNK) {
            json_object_set_new(f, "target",
                                counted_string(img->strings + e->data_offset, (size_t)e->size));
        }
        json_array_append_new(files, f);
    }
    json_object_set_new(o, "files", files);
    json_object_set_new(ld, "snp", json_string(digest));
    json_object_set_new(o, "launch_digest", ld);
    if (signature)
        json_object_set_new(o, "signature", signature_json());
    return o;
}

int cmd_inspect(int argc, char **argv)
{
    bool json = false;
    const char *path = NULL;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && !path) {
            json = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else if (argv[i][0] == '-' && !path && strcmp(argv[i], "-")) {
            fprintf(stderr, "cloister: inspect: unknown option '%s'\n%s", argv[i], usage_text);
            return EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "cloister: inspect: one image at a time\n%s", usage_text);
            return EXIT_USAGE;
        }
    }
    if (!path) {
        fprintf(stderr, "%s", usage_text);
        return EXIT_USAGE;
    }

    struct cwi_image img;
    struct cwi_audit audit;
    char err[1024];
    /* An audit reads everything: every chunk against its hash, not just the metadata.
     * `measure` opens images the same way, so the two accept the same ones. */
    if (cwi_audit_open(path, 0, &img, &audit, err, sizeof(err))) {
        fprintf(stderr, "cloister: %s\n", err);
        return EXIT_BAD_IMAGE;
    }
    char digest[2 * SNP_DIGEST_SIZE + 1];
    hex_encode(audit.digest, SNP_DIGEST_SIZE, digest);
    if (audit.is_signed) {
        signature = &audit.sig;
        signature_matches = memcmp(audit.sig.block.ld, audit.digest, SNP_DIGEST_SIZE) == 0;
    }

    int status = EXIT_OK;
    if (json) {
        json_t *o = to_json(path, &img, digest);
        if (!o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            fprintf(stderr, "cloister: inspect: cannot write JSON\n");
            status = EXIT_BAD_IMAGE;
        }
        fputc('\n', stdout);
        json_decref(o);
    } else {
        print_text(path, &img, digest);
    }
    signature = NULL;
    cwi_close(&img);
    return status;
}
