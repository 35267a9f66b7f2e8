#!/usr/bin/env bash
# The kernel lock's cost (docs/threads.md): 1, 2 and 4 threads making getppid calls at
# once (bench/syscall_threads.c), natively and in a VM with 1 and 2 vCPUs. Run it where
# a VM runs on more than one host CPU; in the nested test machine give QEMU two
# (tests/nested/vm --smp 2), or both vCPUs share one emulated CPU and nothing scales.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
calls=${CALLS:-100000}
out="${KLOCK_OUT:-$build/bench/kernel_lock}"
mkdir -p "$out"
musl-gcc -static -O2 -pthread -o "$out/syscall_threads" bench/syscall_threads.c
echo "== getppid from T threads at once, $calls calls each; host CPUs: $(nproc)"
for t in 1 2 4; do
    echo "native:            $("$out/syscall_threads" $t "$calls")"
done
for cpus in 1 2; do
    for t in 1 2 4; do
        echo "cloister, $cpus vCPU: $("$build/cloister" run --cpus $cpus "$out/syscall_threads" $t "$calls")"
    done
done
