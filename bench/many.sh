#!/usr/bin/env bash
# Many at once (issue 10, item 7): N workloads (default 100) started together from one
# shell loop, the wall time until all have exited; and N idle workloads (blocked reading
# stdin from a pipe), the host memory each costs: its monitor's RSS and PSS
# (/proc/PID/smaps_rollup) and the fall in MemAvailable (which counts the kernel's side
# too: KVM's structures, page tables). A static musl program and a dynamic glibc one.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
n=${N:-100}
out="$build/bench"
mkdir -p "$out"
musl-gcc -static -O2 -o "$out/hello" examples/hello.c
musl-gcc -static -O2 -o "$out/stdin_sum" tests/progs/stdin_sum.c
cloister="$build/cloister"
source tests/lib/many_measure.sh
now() { date +%s.%N; }
mem_available() { awk '/^MemAvailable:/ {print $2}' /proc/meminfo; }

# at_once LABEL COMMAND...: N copies of COMMAND at once; the wall time until all exit
at_once() {
    local label=$1 t0 i bad=0
    shift
    t0=$(now)
    for ((i = 0; i < n; i++)); do
        "$@" >/dev/null 2>&1 </dev/null &
    done
    for ((i = 0; i < n; i++)); do
        wait -n || bad=$((bad + 1))
    done
    printf '%-28s %6.2f s for %d (%d failed)\n' "$label" "$(awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}')" "$n" "$bad"
}

# idle LABEL COMMAND...: N copies of COMMAND blocked reading stdin; their memory once
# every monitor waits in read(0)
idle() {
    local label=$1 dir pids=() i waiting m0 m1
    shift
    dir=$(mktemp -d)
    m0=$(mem_available)
    for ((i = 0; i < n; i++)); do
        mkfifo "$dir/f$i"
        # the fifo's writer is a sleep that holds it open; killing it ends the workload
        sleep 600 >"$dir/f$i" &
        echo $! >>"$dir/sleeps"
        "$@" <"$dir/f$i" >/dev/null 2>&1 &
        pids+=($!)
    done
    many_wait_reading 60 "${pids[@]}" || true
    waiting=$MANY_WAITING
    m1=$(mem_available)
    for i in "${pids[@]}"; do
        cat /proc/"$i"/smaps_rollup
    done >"$dir/rollup"
    xargs kill <"$dir/sleeps" 2>/dev/null || true
    wait 2>/dev/null || true
    echo "== $label: $n idle ($waiting waiting in read)"
    echo "  RSS: $(awk '/^Rss:/ {print $2}' "$dir/rollup" | many_stats)"
    echo "  PSS: $(awk '/^Pss:/ {print $2}' "$dir/rollup" | many_stats)"
    echo "  MemAvailable fell $(((m0 - m1) / 1024)) MiB: $(((m0 - m1) / n)) kB a workload"
    rm -rf "$dir"
}

echo "== $n workloads at once (2 cores: $(nproc) online)"
at_once "hello (static musl):" "$cloister" run "$out/hello"
at_once "true (dynamic glibc):" "$cloister" run /bin/true
at_once "hello --tee sim:" "$cloister" run --tee sim "$out/hello"
idle "stdin_sum (static musl)" "$cloister" run "$out/stdin_sum"
idle "sha256sum (dynamic glibc)" "$cloister" run /usr/bin/sha256sum
