#!/usr/bin/env bash
# Processes (issue 12): fork+exit+wait, fork+exec+wait, vfork+exec+wait and
# posix_spawn+wait round trips, fork from a parent with 256 MiB resident, and 256 MiB
# through a pipe between two processes (bench/fork_bench.c), natively and in a VM with
# 1 and 2 vCPUs. Needs /dev/kvm for the VM half; without it, run it in the nested
# machine: tests/nested/vm -- bench/fork.sh (then both halves measure TCG: read the
# ratio, not the numbers). Prints numbers; nothing asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
n=${ROUNDS:-1000}
mib=${PIPE_MIB:-256}
resident=${RESIDENT_MIB:-256}
out="${FORK_OUT:-$build/bench/fork}"
mkdir -p "$out"
musl-gcc -static -O2 -o "$out/fork_bench" bench/fork_bench.c
gcc -static -O2 -o "$out/fork_bench_glibc" bench/fork_bench.c

# measures PREFIX...: every measure, each line prefixed, run as PREFIX fork_bench ARGS
measures() {
    local prog=${*: -1}
    local run=("${@:1:$#-1}")
    "${run[@]}" "$prog" fork "$n"
    "${run[@]}" "$prog" exec "$n"
    "${run[@]}" "$prog" vfork "$n"
    "${run[@]}" "$prog" spawn "$n"
    "${run[@]}" "$prog" forkbig $((n / 10)) "$resident"
    "${run[@]}" "$prog" pipe "$mib"
}

echo "== $n round trips each, $mib MiB through a pipe; host CPUs: $(nproc)"
for libc in musl glibc; do
    prog=$out/fork_bench
    [[ $libc == glibc ]] && prog=$out/fork_bench_glibc
    echo "-- native, $libc:"
    measures env "$prog" | sed 's/^/   /'
    if [[ ! -e /dev/kvm ]]; then
        echo "-- in the VM: skipped (no /dev/kvm)"
        continue
    fi
    for cpus in 1 2; do
        echo "-- cloister, $cpus vCPU, $libc:"
        measures "$build/cloister" run --cpus $cpus --mem 1G "$prog" | sed 's/^/   /'
    done
done
