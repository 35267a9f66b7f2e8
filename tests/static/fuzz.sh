#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/fuzz_*.mk) briefly: first each input in
# tests/fuzz/regressions/NAME/ once (inputs that once failed), then FUZZ_SECONDS of
# fuzzing from a copy of its seed corpus tests/fuzz/corpus/NAME/ (the tree stays clean).
# One line per target: executions, exec/s and coverage (libFuzzer's cov: and ft:).
# Any failure names the target and the input that failed, and the exit is non-zero.
#
# FUZZ_SECONDS per target; by default 70 s shared out (at most 20 s each), so that the
# whole script stays inside the suite's 120 s for a static check. bench/fuzz.sh runs
# them for hours. Exit 77 (skip) without clang's libFuzzer (scripts/install-deps
# installs it).
set -u
build=${BUILD:-build}
out=$build/fuzz
mkdir -p "$out"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
    clang -x c -fsanitize=fuzzer - -o "$out/probe" 2>/dev/null; then
    echo "clang with libFuzzer is not installed (scripts/install-deps installs it)"
    exit 77
fi
if ! make -s --no-print-directory -j2 BUILD="$build" fuzz >"$out/make.log" 2>&1; then
    tail -n 20 "$out/make.log"
    echo "building the fuzz targets failed (make fuzz)"
    exit 1
fi
mapfile -t targets < <(make -s --no-print-directory fuzz-list)
((${#targets[@]})) || { echo "no fuzz targets (tests/fuzz/fuzz_*.mk)"; exit 1; }
secs=${FUZZ_SECONDS:-$((70 / ${#targets[@]} < 20 ? 70 / ${#targets[@]} : 20))}
if ! [[ $secs =~ ^[0-9]+$ ]]; then
    echo "FUZZ_SECONDS=$secs is not a number of seconds"
    exit 2
fi
((secs >= 1)) || secs=1

# UBSan only prints and goes on by default: a finding must stop the run and be saved
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
status=0
for t in "${targets[@]}"; do
    read -r name maxlen <<<"$t"
    bin=$out/fuzz_$name work=$out/run/$name
    rm -rf "$work" && mkdir -p "$work/corpus"
    if [[ ! -d tests/fuzz/corpus/$name ]]; then
        echo "$name: no seed corpus tests/fuzz/corpus/$name/"
        status=1
        continue
    fi
    cp -R "tests/fuzz/corpus/$name/." "$work/corpus/"
    # the regressions: libFuzzer runs each file given as an argument once
    mapfile -t regressions < <(find "tests/fuzz/regressions/$name" -type f ! -name README.md 2>/dev/null | sort)
    if ((${#regressions[@]})) &&
        ! "$bin" -max_len="$maxlen" "${regressions[@]}" >"$work/regressions.log" 2>&1; then
        input=$(sed -n 's/^Running: //p' "$work/regressions.log" | tail -n 1)
        echo "$name FAILED on regression input ${input:-?} (log $work/regressions.log):"
        grep -E 'ERROR|SUMMARY|fuzz_' "$work/regressions.log" | grep -v ': Running ' | head -n 3 | sed 's/^/  /'
        status=1
        continue
    fi
    if ! "$bin" -max_total_time="$secs" -max_len="$maxlen" -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" >"$work/fuzz.log" 2>&1; then
        crash=$(sed -n 's/.*Test unit written to //p' "$work/fuzz.log" | tail -n 1)
        echo "$name FAILED: crash file ${crash:-none written} (log $work/fuzz.log):"
        grep -E 'ERROR|SUMMARY|fuzz_' "$work/fuzz.log" | grep -v ': Running ' | head -n 3 | sed 's/^/  /'
        echo "  (a fix comes with that file in tests/fuzz/regressions/$name/)"
        status=1
        continue
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log")
    cov=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$work/fuzz.log" | tail -n 1 |
        sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/')
    printf '%-12s %2d regression input(s), %10s execs in %d s (%s exec/s), %s\n' \
        "$name" "${#regressions[@]}" "${execs:-?}" "$secs" "${rate:-?}" "${cov:-cov ?}"
done
((status == 0)) && echo "fuzzed ${#targets[@]} targets for $secs s each: no failure"
exit $status
