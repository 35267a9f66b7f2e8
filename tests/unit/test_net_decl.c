/*
 * Unit tests for the declared network (src/image/net_decl.c and the manifest's LISTEN
 * and CONNECT records): the text forms parse to one binary form and print back
 * canonically, names and bad ports are refused, the records survive the manifest's
 * round trip and a non-canonical or repeated one is refused.
 */
#include "unit.h"
#include "image/manifest.h"
#include "image/net_decl.h"

#include <stdlib.h>
#include <string.h>

static void check_text(const char *in, bool listen, const char *canonical)
{
    struct cwi_net_decl d;
    char out[NET_DECL_TEXT_MAX];
    const char *why = net_decl_parse(in, listen, &d);
    CHECK(why == NULL);
    if (why)
        return;
    CHECK(net_decl_problem(&d, listen) == NULL);
    net_decl_format(&d, out);
    CHECK_STREQ(out, canonical);
}

static void test_text_forms(void)
{
    check_text("tcp:8080", true, "tcp:8080");
    check_text("8080", true, "tcp:8080");
    check_text("udp:53", true, "udp:53");
    check_text("10.0.0.5:5432", false, "tcp:10.0.0.5:5432");
    check_text("udp:[fd00:0::53]:53", false, "udp:[fd00::53]:53");
    check_text("tcp:[::ffff:1.2.3.4]:1", false, "tcp:[::ffff:1.2.3.4]:1");
}

static void test_refused(void)
{
    static const char *const bad_listen[] = {"tcp:0", "tcp:65536", "sctp:80", "tcp:", "tcp:08"};
    static const char *const bad_connect[] = {
        "db.example:5432", "10.0.0.5", "::1:53", "[::1]:0", "10.0.0.256:1", "tcp:[::1:53",
    };
    struct cwi_net_decl d;
    for (size_t i = 0; i < sizeof(bad_listen) / sizeof(bad_listen[0]); i++)
        CHECK(net_decl_parse(bad_listen[i], true, &d) != NULL);
    for (size_t i = 0; i < sizeof(bad_connect) / sizeof(bad_connect[0]); i++)
        CHECK(net_decl_parse(bad_connect[i], false, &d) != NULL);
}

static void test_manifest_round_trip(void)
{
    struct cl_manifest m, d;
    struct cwi_net_decl l, c;
    uint8_t *out = NULL;
    size_t len = 0;
    char err[256];
    manifest_init(&m);
    m.entry = strdup("/app");
    m.argv = calloc(1, sizeof(char *));
    m.argv[0] = strdup("/app");
    m.argc = 1;
    CHECK(net_decl_parse("tcp:8080", true, &l) == NULL);
    CHECK(net_decl_parse("udp:[::1]:53", false, &c) == NULL);
    CHECK_EQ_INT(manifest_add_net(&m, true, &l), 0);
    CHECK_EQ_INT(manifest_add_net(&m, false, &c), 0);
    CHECK_EQ_INT(manifest_encode(&m, &out, &len, err, sizeof(err)), 0);
    CHECK_EQ_INT(manifest_decode(out, len, &d, err, sizeof(err)), 0);
    CHECK_EQ_INT(d.nlisten, 1);
    CHECK_EQ_INT(d.nconnect, 1);
    CHECK(d.nlisten == 1 && net_decl_equal(&d.listen[0], &l));
    CHECK(d.nconnect == 1 && net_decl_equal(&d.connect[0], &c));
    manifest_free(&d);

    /* a LISTEN with an address is not canonical: the decoder refuses it */
    uint8_t *bad = malloc(len);
    memcpy(bad, out, len);
    for (size_t i = 0; i + sizeof(struct cwi_record) + sizeof(l) <= len; i += 8) {
        struct cwi_record r;
        memcpy(&r, bad + i, sizeof(r));
        if (r.key == CWI_KEY_LISTEN && r.length == sizeof(l)) {
            bad[i + sizeof(r) + 4] = 1;
            break;
        }
    }
    CHECK(manifest_decode(bad, len, &d, err, sizeof(err)) != 0);
    free(bad);

    /* the same declaration twice is refused */
    CHECK_EQ_INT(manifest_add_net(&m, true, &l), 0);
    CHECK(manifest_validate(&m, err, sizeof(err)) != 0);
    CHECK(strstr(err, "declared twice") != NULL);
    free(out);
    manifest_free(&m);
}

int main(void)
{
    RUN(text_forms);
    RUN(refused);
    RUN(manifest_round_trip);
    UNIT_EXIT();
}
