#!/usr/bin/env bash
# Long fuzzing runs: every libFuzzer target (tests/fuzz/), or the ones named, for a given
# time each, one after the other, with a corpus that grows from run to run outside the
# tree. A crash is saved and the target started again for the rest of its time, so one
# finding does not end the run. At the end, per target: executions, exec/s, coverage
# (libFuzzer's cov: edges and ft: features), corpus size and the crashes found.
#
#   bench/fuzz.sh [--time T] [--jobs N] [--dir DIR] [TARGET...]
#
#   --time T   per target: seconds, or with a suffix m or h (default 10m)
#   --jobs N   N fuzzing processes per target (libFuzzer's -fork=N); default 1
#   --dir DIR  where the corpora, crashes and logs live (default build/fuzz/long);
#              DIR/NAME/corpus grows across runs, DIR/NAME/crashes keeps the findings
#
# Runs under `nice -n 19`. A finding becomes a regression input: copy the crash file into
# tests/fuzz/regressions/NAME/ with the fix (docs/testing.md, "Fuzzing").
set -u
cd "$(dirname "$0")/.."

usage() {
    echo "usage: bench/fuzz.sh [--time SECONDS|Nm|Nh] [--jobs N] [--dir DIR] [TARGET...]" >&2
    exit 2
}

time_arg=10m jobs=1 dir=build/fuzz/long
wanted=()
while (($#)); do
    case $1 in
    --time) time_arg=${2:-}; shift 2 || usage ;;
    --jobs) jobs=${2:-}; shift 2 || usage ;;
    --dir) dir=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    -*) echo "bench/fuzz.sh: unknown option $1" >&2; usage ;;
    *) wanted+=("$1"); shift ;;
    esac
done
case $time_arg in
*h) secs=$((${time_arg%h} * 3600)) ;;
*m) secs=$((${time_arg%m} * 60)) ;;
*) secs=$time_arg ;;
esac 2>/dev/null
if ! [[ $secs =~ ^[0-9]+$ ]] || ((secs < 1)); then
    echo "bench/fuzz.sh: --time $time_arg is not a duration (seconds, or Nm, Nh)" >&2
    exit 2
fi
if ! [[ $jobs =~ ^[0-9]+$ ]] || ((jobs < 1)); then
    echo "bench/fuzz.sh: --jobs $jobs is not a positive number" >&2
    exit 2
fi

build=${BUILD:-build}
make -s --no-print-directory BUILD="$build" fuzz || {
    echo "bench/fuzz.sh: building the fuzz targets failed (make fuzz)" >&2
    exit 1
}
declare -A maxlen
while read -r name len; do maxlen[$name]=$len; done < <(make -s --no-print-directory fuzz-list)
((${#wanted[@]})) || wanted=($(printf '%s\n' "${!maxlen[@]}" | sort))
for t in "${wanted[@]}"; do
    [[ -n ${maxlen[$t]:-} ]] || {
        echo "bench/fuzz.sh: no fuzz target $t (targets: ${!maxlen[*]})" >&2
        exit 2
    }
done

# stat NAME LOG: libFuzzer's -print_final_stats=1 value, 0 if absent
stat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1 | grep . || echo 0; }
# last_cov LOG: the last status line's "COV FT CORPUS_UNITS CORPUS_BYTES", "? ? ? ?" if none
last_cov() {
    grep -E '^#[0-9]+:?[[:space:]].*cov: [0-9]+ ft: [0-9]+' "$1" | tail -n 1 |
        sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)\/?([0-9]*[a-zA-Z]*).*/\1 \2 \3 \4/' |
        grep . || echo "? ? ? ?"
}

# UBSan only prints and goes on by default: a finding must stop the run and be saved
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
summary=()
for t in "${wanted[@]}"; do
    bin=$build/fuzz/fuzz_$t work=$dir/$t
    mkdir -p "$work/corpus" "$work/crashes" "$work/logs"
    start=$(date +%s) execs=0 runs=0 cov_log=/dev/null
    echo "fuzzing $t for $secs s ($jobs job(s)), corpus $work/corpus"
    while :; do
        left=$((start + secs - $(date +%s)))
        ((left > 0 && runs < 20)) || break
        runs=$((runs + 1))
        log=$work/logs/run-$(date +%Y%m%d-%H%M%S)-$runs.log
        args=(-max_total_time="$left" -max_len="${maxlen[$t]}" -print_final_stats=1
            -artifact_prefix="$work/crashes/" -timeout=25 -rss_limit_mb=2048)
        ((jobs > 1)) && args+=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
        # new inputs go to the first directory; the in-tree seeds are only read
        nice -n 19 "$bin" "${args[@]}" "$work/corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
        rc=$?
        if ((jobs > 1)); then
            # fork mode reports "#N: cov: ... exec/s: ..." with N the executions so far
            n=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 | sed -E 's/^#([0-9]+):.*/\1/')
        else
            # a run that crashed prints no final stats: its last status line's count
            n=$(stat number_of_executed_units "$log")
            ((n)) || n=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1 | sed -E 's/^#([0-9]+).*/\1/')
        fi
        execs=$((execs + ${n:-0}))
        grep -qE 'cov: [0-9]+ ft: [0-9]+' "$log" && cov_log=$log
        ((rc == 0)) && break
        echo "  $t: run $runs stopped with status $rc: $(grep -m1 -E 'ERROR|SUMMARY' "$log")"
        found=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
        echo "  saved: ${found:-nothing}"
        # the same input again (names are content hashes): the seeds themselves fail,
        # and starting again would only find it again
        if [[ -n $found && -e $found.seen ]] || [[ -z $found ]]; then
            echo "  $t: the same failure again, or none saved: not starting it again"
            break
        fi
        [[ -n $found ]] && : >"$found.seen"
    done
    find "$work/crashes" -name '*.seen' -delete
    took=$(($(date +%s) - start))
    ((took > 0)) || took=1
    read -r cov ft units bytes < <(last_cov "$cov_log")
    files=$(find "$work/corpus" -type f | wc -l)
    crashes=$(find "$work/crashes" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    # corpus: the units libFuzzer keeps (and their bytes; fork mode gives no bytes), and
    # the files DIR/NAME/corpus has gathered so far, over every run
    line=$(printf '%-12s %11d execs %7d exec/s  cov %5s  ft %6s  corpus %5s units %7s  %5d files  findings %d  (%d s)' \
        "$t" "$execs" $((execs / took)) "$cov" "$ft" "$units" "${bytes:--}" "$files" "$crashes" "$took")
    echo "$line" | tee "$work/summary.txt"
    summary+=("$line")
done
echo
echo "== bench/fuzz.sh: $secs s per target, $jobs job(s), $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%s\n' "${summary[@]}"
for t in "${wanted[@]}"; do
    ls "$dir/$t/crashes" 2>/dev/null | grep -qE '^(crash|leak|timeout|oom)-' && exit 1
done
exit 0
