#!/usr/bin/env bash
# Events benchmark (issue 11): a byte bounced between two pipes through poll, natively
# and in a VM (bench/poll_pingpong.c). Needs /dev/kvm for the VM half.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
hops=${HOPS:-100000}
out="$build/bench"
mkdir -p "$out"
musl-gcc -static -O2 -o "$out/poll_pingpong" bench/poll_pingpong.c
echo "== pipe ping-pong through poll, $hops hops"
echo "native:    $("$out/poll_pingpong" "$hops")"
if [[ -e /dev/kvm ]]; then
    echo "in the VM: $("$build/cloister" run "$out/poll_pingpong" "$hops")"
else
    echo "in the VM: skipped (no /dev/kvm)"
fi
