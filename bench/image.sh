#!/usr/bin/env bash
# Image benchmark (issue 3): `cloister build` throughput, and the start-up of an image
# with 1 MiB of files against one with 200 MiB: launch cost must not grow with the
# size of the files (only what the workload reads is checked, when it reads it).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
runs=${RUNS:-20}
out="$build/bench"
mkdir -p "$out"
cc -O2 -Wall -o "$out/timeit" bench/timeit.c
musl-gcc -static -O2 -o "$out/hello" examples/hello.c
cloister="$build/cloister"

for size in 1 200; do
    tree="$out/tree-$size"
    rm -rf "$tree" && mkdir -p "$tree"
    head -c $((size << 20)) /dev/urandom >"$tree/data.bin"
    sync
    start=$(date +%s%N)
    "$cloister" build -o "$out/img-$size.cwi" --entry "$out/hello:/bin/hello" \
        --add "$tree:/data" >/dev/null
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    echo "build, $size MiB of files: ${ms} ms, $(awk -v s="$size" -v m="$ms" \
        'BEGIN { printf "%.0f", (m > 0 ? s * 1048.576 / m : 0) }') MB/s"
done
for size in 1 200; do
    echo "start, $size MiB of files, --tee none: $("$out/timeit" "$runs" "$cloister" run "$out/img-$size.cwi")"
    echo "start, $size MiB of files, --tee sim:  $("$out/timeit" "$runs" "$cloister" run --tee sim "$out/img-$size.cwi")"
done
rm -rf "$out"/tree-* "$out"/img-*.cwi
