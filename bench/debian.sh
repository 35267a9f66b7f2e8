#!/usr/bin/env bash
# Dynamically linked programs (issue 4): a trivial system call and vDSO time calls in
# the VM against native, and a CPU-bound Lua benchmark inside against native.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
out="$build/bench"
mkdir -p "$out"
cloister="$build/cloister"
musl-gcc -static -O2 -o "$out/syscall_loop" bench/syscall_loop.c
gcc -O2 -o "$out/clock_loop" bench/clock_loop.c

echo "== getppid, 200000 calls"
echo "native:    $("$out/syscall_loop" 200000)"
echo "in the VM: $("$cloister" run "$out/syscall_loop" 200000)"

echo "== clock_gettime(CLOCK_MONOTONIC) through the vDSO, 2000000 calls (glibc, dynamic)"
"$cloister" build -o "$out/clock.cwi" --entry "$PWD/$out/clock_loop:/bin/clock_loop" >/dev/null
echo "native:    $("$out/clock_loop")"
echo "in the VM: $("$cloister" run "$out/clock.cwi")"

if command -v lua5.4 >/dev/null; then
    echo "== Lua 5.4, CPU-bound (bench/cpu.lua), wall time of the whole run"
    "$cloister" build -o "$out/lua.cwi" --allow-args --entry /usr/bin/lua5.4 \
        --add "$PWD/bench/cpu.lua:/cpu.lua" >/dev/null
    t0=$(date +%s%N); lua5.4 bench/cpu.lua >/dev/null; t1=$(date +%s%N)
    "$cloister" run "$out/lua.cwi" /cpu.lua >/dev/null; t2=$(date +%s%N)
    awk -v n=$((t1 - t0)) -v v=$((t2 - t1)) \
        'BEGIN { printf "native %.0f ms, in the VM %.0f ms, ratio %.3f\n", n / 1e6, v / 1e6, v / n }'
fi
