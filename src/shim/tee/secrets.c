/* Fetching and delivering the manifest's secrets (secrets.h). */
#include "tee/secrets.h"
#include "tee/attest.h"
#include "fs/fs_tmp.h"
#include "tee/kbs_client.h"
#include "mm/kmalloc.h"
#include "lib/lib.h"
#include "kernel/panic.h"
#include "fs/vfs.h"

#define RUN_TMPFS_SIZE (1u << 20) /* /run holds secrets only */

static struct inode *secrets_dir;

/* /run (a tmpfs) with /run/secrets, made on the first file secret. */
static struct inode *run_secrets(void)
{
    if (secrets_dir)
        return secrets_dir;
    struct inode *run = tmpfs_new(RUN_TMPFS_SIZE);
    if (!run || run->ops->create(run, "secrets", 7, S_IFDIR | 0755, &secrets_dir) < 0)
        panic("cannot make /run/secrets");
    vfs_mount(vfs_root(), "run", run);
    return secrets_dir;
}

/* "sha256:" and 64 lowercase hex digits: the broker's certificate pin. */
static bool parse_pin(const char *s, u8 pin[32])
{
    if (strncmp(s, "sha256:", 7) || strlen(s) != 7 + 64)
        return false;
    for (int i = 0; i < 64; i++) {
        char c = s[7 + i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return false;
        pin[i / 2] = (u8)(i % 2 ? pin[i / 2] | v : v << 4);
    }
    return true;
}

void secrets_fetch(const struct manifest *m, char *env, size_t env_cap, size_t *env_len, u32 *envc)
{
    for (u32 i = 0; i < m->nsecrets; i++) {
        /* "HOST:PORT|REPO/TYPE/TAG|file:/run/secrets/NAME" or "...|env:NAME", then
         * optionally "|sha256:PIN"; checked when the image was built, and again here,
         * where it counts */
        char spec[512];
        if (strlcpy(spec, m->secrets[i], sizeof(spec)) >= sizeof(spec))
            panic("secret %u: its description is too long", i);
        char *bar1 = strchr_lite(spec, '|'), *bar2 = bar1 ? strchr_lite(bar1 + 1, '|') : NULL;
        if (!bar1 || !bar2)
            panic("secret %u: malformed description", i);
        char *bar3 = strchr_lite(bar2 + 1, '|');
        u8 pin[32];
        if (bar3 && (strchr_lite(bar3 + 1, '|') || !parse_pin(bar3 + 1, pin)))
            panic("secret %u: malformed broker certificate pin", i);
        *bar1 = *bar2 = 0;
        if (bar3)
            *bar3 = 0;
        const char *host = spec, *resource = bar1 + 1, *dest = bar2 + 1;
        u8 *value;
        size_t len;
        char why[240];
        /* without a TEE there is no report to earn the secret with: say so, rather
         * than let the broker refuse an empty one */
        if (!attest_available())
            panic("secret %s: this launch has no TEE to attest with (--tee none)", resource);
        if (kbs_fetch(i, host, bar3 ? pin : NULL, resource, &value, &len, why, sizeof(why)) < 0)
            panic("secret %s: %s", resource, why);
        if (!strncmp(dest, "file:/run/secrets/", 18)) {
            const char *name = dest + 18;
            struct inode *dir = run_secrets(), *f;
            if (dir->ops->create(dir, name, strlen(name), S_IFREG | 0400, &f) < 0 ||
                tmpfs_write_kernel(f, value, len) != (s64)len)
                panic("secret %s: cannot write %s", resource, dest);
        } else if (!strncmp(dest, "env:", 4)) {
            const char *name = dest + 4;
            size_t nl = strlen(name);
            if (memchr_u8(value, 0, len))
                panic("secret %s: holds a NUL byte, so it cannot be an environment variable",
                      resource);
            if (*env_len + nl + 1 + len + 1 > env_cap)
                panic("secret %s: too large for the environment", resource);
            memcpy(env + *env_len, name, nl);
            env[*env_len + nl] = '=';
            memcpy(env + *env_len + nl + 1, value, len);
            *env_len += nl + 1 + len;
            env[(*env_len)++] = 0;
            (*envc)++;
        } else {
            panic("secret %s: unknown destination %s", resource, dest);
        }
        memzero(value, len);
        kfree(value);
    }
}
