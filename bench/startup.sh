#!/usr/bin/env bash
# Start-up benchmark (issue 2): `cloister run` of a static hello, end to end, many runs;
# the monitor's peak RSS; and the ring-0 instructions the shim executes on PVM (from
# the kvm:kvm_emulate_insn tracepoint): for the whole start and per trivial system call.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
runs=${RUNS:-30}
out="$build/bench"
mkdir -p "$out"
cc -O2 -Wall -o "$out/timeit" bench/timeit.c
musl-gcc -static -O2 -o "$out/hello" examples/hello.c
musl-gcc -static -O2 -o "$out/syscall_loop" bench/syscall_loop.c
cloister="$build/cloister"

echo "== start-up: cloister run hello (musl, static), $runs runs"
echo "native:          $("$out/timeit" "$runs" "$out/hello")"
echo "--tee none:      $("$out/timeit" "$runs" "$cloister" run "$out/hello")"
echo "--tee sim:       $("$out/timeit" "$runs" "$cloister" run --tee sim "$out/hello")"
echo "where the time goes (one run): $("$cloister" run --stats "$out/hello" 2>&1 >/dev/null | head -1)"

if perf stat -e kvm:kvm_emulate_insn true >/dev/null 2>&1; then
    insns() { perf stat -x, -e kvm:kvm_emulate_insn "$@" 2>&1 >/dev/null | awk -F, '/kvm_emulate_insn/ {print $1}'; }
    start=$(insns "$cloister" run "$out/syscall_loop" 0)
    loop=$(insns "$cloister" run "$out/syscall_loop" 10000)
    echo "== ring-0 instructions (PVM emulator)"
    echo "whole run of a program making no extra calls: $start"
    echo "per trivial system call (getppid): $(awk -v a="$start" -v b="$loop" 'BEGIN {printf "%.2f", (b - a) / 10000}')"
else
    echo "== ring-0 instructions: skipped (perf cannot read kvm:kvm_emulate_insn here)"
fi
echo "== system call cost (getppid, 100000 calls)"
echo "native:     $("$out/syscall_loop" 100000)"
echo "in the VM:  $("$cloister" run "$out/syscall_loop" 100000)"
