/*
 * Unit tests for the SEV-SNP report codec: the genuine Milan report's fields, the
 * byte layout of every field, the round trip, and the reports the parser must refuse.
 */
#include "common/hex.h"
#include "verify/snp_report.h"
#include "unit.h"

#include <stdint.h>

static uint8_t fixture[SNP_REPORT_SIZE];
static size_t fixture_len;

/* Reads fixtures/<rel> into buf; the fixtures directory is $CLOISTER_FIXTURES. */
static size_t read_fixture(const char *rel, uint8_t *buf, size_t cap)
{
    const char *dir = getenv("CLOISTER_FIXTURES");
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "  cannot open %s\n", path);
        return 0;
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void test_fixture_fields(void)
{
    struct snp_report r;
    char err[200] = "", h[2 * 64 + 1];

    CHECK_EQ_INT(fixture_len, SNP_REPORT_SIZE);
    CHECK_EQ_INT(snp_report_parse(fixture, fixture_len, &r, err, sizeof(err)), 0);
    CHECK_STREQ(err, "");
    CHECK_EQ_INT(r.version, 2);
    CHECK_EQ_INT(r.guest_svn, 0);
    CHECK_EQ_INT(r.policy, 0x30000);
    CHECK_EQ_INT(r.vmpl, 0);
    CHECK_EQ_INT(r.signature_algo, SNP_SIG_ALGO_ECDSA_P384_SHA384);
    CHECK_EQ_INT(r.current_tcb, 0x7308000000000003ULL);
    CHECK_EQ_INT(r.reported_tcb, 0x7308000000000003ULL);
    CHECK_EQ_INT(r.committed_tcb, 0x7308000000000003ULL);
    CHECK_EQ_INT(r.launch_tcb, 0x7308000000000003ULL);
    CHECK_EQ_INT(r.platform_info, 1);
    CHECK_EQ_INT(r.author_key_en, 0);
    CHECK_EQ_INT(r.mask_chip_key, 0);
    CHECK_EQ_INT(r.signing_key, SNP_SIGNING_KEY_VCEK);
    hex_encode(r.measurement, sizeof(r.measurement), h);
    CHECK_STREQ(h, "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb424"
                   "64bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f");
    hex_encode(r.report_data, 16, h);
    CHECK_STREQ(h, "d447b55d197491bfe15cf298f9de9986");
    hex_encode(r.chip_id, 8, h);
    CHECK_STREQ(h, "d49554ec717f4e5b");
    hex_encode(r.chip_id + 56, 8, h);
    CHECK_STREQ(h, "2e2f87a44d541eb6");
    hex_encode(r.report_id, 8, h);
    CHECK_STREQ(h, "92b3b47d59f0a2a1");
    hex_encode(r.report_id_ma, 4, h);
    CHECK_STREQ(h, "ffffffff");
    /* Firmware 1.52 build 4, current and committed. */
    CHECK_EQ_INT(r.current_major, 1);
    CHECK_EQ_INT(r.current_minor, 0x34);
    CHECK_EQ_INT(r.current_build, 4);
    CHECK_EQ_INT(r.committed_major, 1);
    CHECK_EQ_INT(r.committed_minor, 0x34);
    CHECK_EQ_INT(r.committed_build, 4);
    /* Version 2: the version-3 and version-5 fields read as zero. */
    CHECK_EQ_INT(r.cpuid_fam_id, 0);
    CHECK_EQ_INT(r.launch_mit_vector, 0);
    hex_encode(r.sig_r, 4, h);
    CHECK_STREQ(h, "61ab4f11");
    hex_encode(r.sig_s, 4, h);
    CHECK_STREQ(h, "209d7eb9");
}

static void test_tcb_decode(void)
{
    struct snp_tcb t = snp_tcb_decode(0x7308000000000003ULL);
    CHECK_EQ_INT(t.bootloader, 3);
    CHECK_EQ_INT(t.tee, 0);
    CHECK_EQ_INT(t.snp, 8);
    CHECK_EQ_INT(t.microcode, 115);
    CHECK_EQ_INT(snp_tcb_encode(t), 0x7308000000000003ULL);

    /* Each component lands in its own byte; the reserved bytes 2-5 are ignored. */
    t = snp_tcb_decode(0x0102aabbccdd0304ULL);
    CHECK_EQ_INT(t.bootloader, 4);
    CHECK_EQ_INT(t.tee, 3);
    CHECK_EQ_INT(t.snp, 2);
    CHECK_EQ_INT(t.microcode, 1);
    CHECK_EQ_INT(snp_tcb_encode(t), 0x0102000000000304ULL);
}

static void test_fixture_round_trip(void)
{
    struct snp_report r;
    uint8_t out[SNP_REPORT_SIZE];
    CHECK_EQ_INT(snp_report_parse(fixture, sizeof(fixture), &r, NULL, 0), 0);
    snp_report_serialize(&r, out);
    CHECK(memcmp(out, fixture, sizeof(out)) == 0);
}

static uint64_t le64_at(const uint8_t *b, size_t off)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[off + (size_t)i];
    return v;
}

/* Distinct values in every field land at the ABI's offsets, and come back unchanged. */
static void test_every_field_layout(void)
{
    struct snp_report r, back;
    uint8_t b[SNP_REPORT_SIZE], again[SNP_REPORT_SIZE];
    memset(&r, 0, sizeof(r));
    r.version = 5;
    r.guest_svn = 0x11223344;
    r.policy = 0x0102030405060708ULL;
    memset(r.family_id, 0x10, sizeof(r.family_id));
    memset(r.image_id, 0x20, sizeof(r.image_id));
    r.vmpl = 2;
    r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
    r.current_tcb = 0x1100000000000022ULL;
    r.platform_info = 0x3f;
    r.author_key_en = true;
    r.mask_chip_key = true;
    r.signing_key = SNP_SIGNING_KEY_VLEK;
    memset(r.report_data, 0x50, sizeof(r.report_data));
    memset(r.measurement, 0x90, sizeof(r.measurement));
    memset(r.host_data, 0xc0, sizeof(r.host_data));
    memset(r.id_key_digest, 0xe0, sizeof(r.id_key_digest));
    memset(r.author_key_digest, 0x11, sizeof(r.author_key_digest));
    memset(r.report_id, 0x14, sizeof(r.report_id));
    memset(r.report_id_ma, 0x16, sizeof(r.report_id_ma));
    r.reported_tcb = 0x3300000000000044ULL;
    r.cpuid_fam_id = 0x19;
    r.cpuid_mod_id = 0x11;
    r.cpuid_step = 0x01;
    memset(r.chip_id, 0x1a, sizeof(r.chip_id));
    r.committed_tcb = 0x5500000000000066ULL;
    r.current_build = 7;
    r.current_minor = 55;
    r.current_major = 1;
    r.committed_build = 6;
    r.committed_minor = 54;
    r.committed_major = 2;
    r.launch_tcb = 0x7700000000000088ULL;
    r.launch_mit_vector = 0xa1a2a3a4a5a6a7a8ULL;
    r.current_mit_vector = 0xb1b2b3b4b5b6b7b8ULL;
    memset(r.sig_r, 0x2a, sizeof(r.sig_r));
    memset(r.sig_s, 0x2e, sizeof(r.sig_s));

    snp_report_serialize(&r, b);
    CHECK_EQ_INT(b[0x000], 5);
    CHECK_EQ_INT(b[0x004], 0x44);
    CHECK_EQ_INT(b[0x007], 0x11);
    CHECK_EQ_INT(le64_at(b, 0x008), 0x0102030405060708ULL);
    CHECK_EQ_INT(b[0x010], 0x10);
    CHECK_EQ_INT(b[0x01f], 0x10);
    CHECK_EQ_INT(b[0x020], 0x20);
    CHECK_EQ_INT(b[0x030], 2);
    CHECK_EQ_INT(b[0x034], 1);
    CHECK_EQ_INT(le64_at(b, 0x038), 0x1100000000000022ULL);
    CHECK_EQ_INT(le64_at(b, 0x040), 0x3f);
    CHECK_EQ_INT(b[0x048], 0x1 | 0x2 | (1 << 2));
    CHECK_EQ_INT(b[0x04c], 0);
    CHECK_EQ_INT(b[0x050], 0x50);
    CHECK_EQ_INT(b[0x08f], 0x50);
    CHECK_EQ_INT(b[0x090], 0x90);
    CHECK_EQ_INT(b[0x0bf], 0x90);
    CHECK_EQ_INT(b[0x0c0], 0xc0);
    CHECK_EQ_INT(b[0x0e0], 0xe0);
    CHECK_EQ_INT(b[0x110], 0x11);
    CHECK_EQ_INT(b[0x140], 0x14);
    CHECK_EQ_INT(b[0x160], 0x16);
    CHECK_EQ_INT(le64_at(b, 0x180), 0x3300000000000044ULL);
    CHECK_EQ_INT(b[0x188], 0x19);
    CHECK_EQ_INT(b[0x189], 0x11);
    CHECK_EQ_INT(b[0x18a], 0x01);
    CHECK_EQ_INT(b[0x18b], 0);
    CHECK_EQ_INT(b[0x1a0], 0x1a);
    CHECK_EQ_INT(b[0x1df], 0x1a);
    CHECK_EQ_INT(le64_at(b, 0x1e0), 0x5500000000000066ULL);
    CHECK_EQ_INT(b[0x1e8], 7);
    CHECK_EQ_INT(b[0x1e9], 55);
    CHECK_EQ_INT(b[0x1ea], 1);
    CHECK_EQ_INT(b[0x1eb], 0);
    CHECK_EQ_INT(b[0x1ec], 6);
    CHECK_EQ_INT(b[0x1ed], 54);
    CHECK_EQ_INT(b[0x1ee], 2);
    CHECK_EQ_INT(le64_at(b, 0x1f0), 0x7700000000000088ULL);
    CHECK_EQ_INT(le64_at(b, 0x1f8), 0xa1a2a3a4a5a6a7a8ULL);
    CHECK_EQ_INT(le64_at(b, 0x200), 0xb1b2b3b4b5b6b7b8ULL);
    CHECK_EQ_INT(b[0x208], 0);
    CHECK_EQ_INT(b[0x29f], 0);
    CHECK_EQ_INT(b[0x2a0], 0x2a);
    CHECK_EQ_INT(b[0x2e7], 0x2a);
    CHECK_EQ_INT(b[0x2e8], 0x2e);
    CHECK_EQ_INT(b[0x32f], 0x2e);
    CHECK_EQ_INT(b[0x330], 0);
    CHECK_EQ_INT(b[0x49f], 0);

    CHECK_EQ_INT(snp_report_parse(b, sizeof(b), &back, NULL, 0), 0);
    CHECK_EQ_INT(back.guest_svn, r.guest_svn);
    CHECK_EQ_INT(back.author_key_en, 1);
    CHECK_EQ_INT(back.mask_chip_key, 1);
    CHECK_EQ_INT(back.signing_key, SNP_SIGNING_KEY_VLEK);
    CHECK_EQ_INT(back.cpuid_mod_id, 0x11);
    CHECK_EQ_INT(back.current_mit_vector, r.current_mit_vector);
    CHECK_EQ_INT(back.committed_major, 2);
    snp_report_serialize(&back, again);
    CHECK(memcmp(again, b, sizeof(b)) == 0);
}

static void test_wrong_length_rejected(void)
{
    struct snp_report r;
    char err[200];
    static const size_t lens[] = {0, 1, SNP_REPORT_SIGNED_SIZE, SNP_REPORT_SIZE - 1,
                                  SNP_REPORT_SIZE + 1};
    uint8_t big[SNP_REPORT_SIZE + 1];
    memcpy(big, fixture, SNP_REPORT_SIZE);
    big[SNP_REPORT_SIZE] = 0;
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        CHECK_EQ_INT(snp_report_parse(big, lens[i], &r, err, sizeof(err)), -1);
    snp_report_parse(fixture, SNP_REPORT_SIZE - 1, &r, err, sizeof(err));
    CHECK_STREQ(err, "report is 1183 bytes, expected 1184");
    CHECK_EQ_INT(snp_report_parse(NULL, SNP_REPORT_SIZE, &r, err, sizeof(err)), -1);
}

static void test_version_rules(void)
{
    struct snp_report r;
    uint8_t b[SNP_REPORT_SIZE];
    char err[200];

    memcpy(b, fixture, sizeof(b));
    for (uint32_t v = 0; v < 2; v++) {
        b[0] = (uint8_t)v;
        CHECK_EQ_INT(snp_report_parse(b, sizeof(b), &r, err, sizeof(err)), -1);
    }
    CHECK_STREQ(err, "report version 1 is not supported (expected 2 or later)");
    /* Later versions are accepted, with their CPUID fields. */
    b[0] = 3;
    b[0x188] = 0x19;
    b[0x189] = 0x11;
    b[0x18a] = 0x01;
    CHECK_EQ_INT(snp_report_parse(b, sizeof(b), &r, err, sizeof(err)), 0);
    CHECK_EQ_INT(r.version, 3);
    CHECK_EQ_INT(r.cpuid_fam_id, 0x19);
    CHECK_EQ_INT(r.cpuid_mod_id, 0x11);
    CHECK_EQ_INT(r.cpuid_step, 0x01);
    b[0] = 5;
    b[0x1f8] = 0x42;
    CHECK_EQ_INT(snp_report_parse(b, sizeof(b), &r, err, sizeof(err)), 0);
    CHECK_EQ_INT(r.launch_mit_vector, 0x42);
}

static void test_unknown_signature_algorithm(void)
{
    struct snp_report r;
    uint8_t b[SNP_REPORT_SIZE];
    char err[200];
    static const uint32_t algos[] = {0, 2, 0x100, 0xffffffff};

    memcpy(b, fixture, sizeof(b));
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
        for (int k = 0; k < 4; k++)
            b[0x34 + k] = (uint8_t)(algos[i] >> (8 * k));
        CHECK_EQ_INT(snp_report_parse(b, sizeof(b), &r, err, sizeof(err)), -1);
    }
    b[0x34] = 0;
    b[0x35] = b[0x36] = b[0x37] = 0;
    snp_report_parse(b, sizeof(b), &r, err, sizeof(err));
    CHECK_STREQ(err, "unknown signature algorithm 0 (expected 1, ECDSA P-384 with SHA-384)");
}

/* A short error buffer truncates the message but never overflows. */
static void test_error_buffer_bounds(void)
{
    struct snp_report r;
    char err[8];
    memset(err, 'x', sizeof(err));
    CHECK_EQ_INT(snp_report_parse(fixture, 3, &r, err, sizeof(err)), -1);
    CHECK_STREQ(err, "report ");
}

int main(void)
{
    fixture_len = read_fixture("snp-milan/report.bin", fixture, sizeof(fixture));
    RUN(fixture_fields);
    RUN(tcb_decode);
    RUN(fixture_round_trip);
    RUN(every_field_layout);
    RUN(wrong_length_rejected);
    RUN(version_rules);
    RUN(unknown_signature_algorithm);
    RUN(error_buffer_bounds);
    UNIT_EXIT();
}
