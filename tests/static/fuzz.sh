#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/) for a bounded time each: the image reader,
# the SEV-SNP report parser and the key broker's request handling must refuse any input
# cleanly, without a memory error.
# FUZZ_SECONDS (default 20) per target. Exit 77 (skip) without clang's libFuzzer.
set -u
build=${BUILD:-build}
secs=${FUZZ_SECONDS:-20}
out="$build/fuzz"
mkdir -p "$out"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
    clang -x c -fsanitize=fuzzer - -o "$out/probe" 2>/dev/null; then
    echo "clang with libFuzzer is not installed (scripts/install-deps installs it)"
    exit 77
fi
flags=(-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc -Iinclude)
clang "${flags[@]}" tests/fuzz/fuzz_cwi_read.c src/image/cwi_read.c src/image/manifest.c \
    src/image/file_tree.c src/common/md.c src/common/error_line.c -lcrypto -o "$out/fuzz_cwi_read" || exit 1
clang "${flags[@]}" tests/fuzz/fuzz_snp_report.c src/verify/snp_report.c src/common/error_line.c -lcrypto \
    -o "$out/fuzz_snp_report" || exit 1
clang "${flags[@]}" tests/fuzz/fuzz_kbs_request.c src/kbs/kbs_protocol.c src/kbs/kbs_jcs.c \
    src/kbs/kbs_payload.c src/kbs/kbs_resource.c \
    src/kbs/kbs_policy.c src/kbs/kbs_base64.c src/kbs/kbs_jwk.c src/kbs/kbs_primitives.c \
    src/kbs/kbs_jwe.c src/kbs/kbs_jwt.c src/verify/snp_verify.c src/verify/snp_verify_chain.c \
    src/verify/snp_verify_sig.c src/verify/snp_verify_binding.c src/verify/snp_report.c \
    src/verify/amd_roots.c src/verify/amd_sig.c src/common/error_line.c \
    src/common/file_read.c src/common/hex.c src/common/shown.c -lcrypto -ljansson -lpthread -o "$out/fuzz_kbs_request" || exit 1

mkdir -p "$out/cwi-corpus" "$out/report-corpus" "$out/kbs-corpus"
"$build/tests/unit/test_cwi" --seed-corpus "$out/cwi-corpus" >/dev/null || exit 1
"$build/tests/unit/test_kbs" --seed-corpus "$out/kbs-corpus" >/dev/null || exit 1
cp tests/fixtures/snp-milan/report.bin "$out/report-corpus/" || exit 1
status=0
for t in "fuzz_cwi_read:cwi-corpus:300000" "fuzz_snp_report:report-corpus:2000" \
    "fuzz_kbs_request:kbs-corpus:16384"; do
    IFS=: read -r name corpus maxlen <<<"$t"
    if ! "$out/$name" -max_total_time="$secs" -max_len="$maxlen" "$out/$corpus" \
        >"$out/$name.log" 2>&1; then
        echo "$name found a failure:"
        grep -E "ERROR|SUMMARY|crash-" "$out/$name.log" | head -5
        status=1
    fi
done
[ $status = 0 ] && echo "fuzzed each target for $secs s: no failure"
exit $status
