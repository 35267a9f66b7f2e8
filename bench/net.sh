#!/usr/bin/env bash
# Network benchmark (issue 11): a bulk TCP transfer guest->host and host->guest, and
# the requests/s of an echo server in the guest, each against the same program run
# natively over the host's loopback. The host side always runs natively and prints the
# rate it saw. Run it where a VM runs; under the nested QEMU route it measures TCG, not
# Cloister (docs/network.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
bytes=${BYTES:-67108864}
trips=${TRIPS:-2000}
out="${NET_OUT:-$build/bench/net}"
mkdir -p "$out"
cloister="$build/cloister"
musl-gcc -static -O2 -o "$out/net_bulk" bench/net_bulk.c
musl-gcc -static -O2 -o "$out/net_echo" tests/progs/net_echo.c
p=$((30000 + RANDOM % 20000))
b="$out/net_bulk"

echo "== guest -> host, $bytes bytes (the host's sink rate)"
"$b" sink $p >"$out/g2h" & sink=$!
"$b" source 127.0.0.1 $p "$bytes" >/dev/null
wait $sink
echo -n "native: "; cat "$out/g2h"
"$b" sink $((p + 1)) >"$out/g2h" & sink=$!
"$cloister" run --connect 127.0.0.1:$((p + 1)) "$b" source 127.0.0.1 $((p + 1)) "$bytes" >/dev/null
wait $sink
echo -n "cloister: "; cat "$out/g2h"

echo "== host -> guest, $bytes bytes (the host's source rate)"
"$b" sink $((p + 2)) >/dev/null & sink=$!
echo -n "native: "; "$b" source 127.0.0.1 $((p + 2)) "$bytes"
wait $sink
"$cloister" run --listen tcp:$((p + 3)) -p 127.0.0.1:$((p + 4)):$((p + 3)) "$b" sink $((p + 3)) \
    >/dev/null & vm=$!
echo -n "cloister: "; "$b" source 127.0.0.1 $((p + 4)) "$bytes"
wait $vm

echo "== echo server, $trips 64-byte round trips on one connection"
"$out/net_echo" $((p + 5)) 1 >/dev/null & srv=$!
echo -n "native: "; "$b" pingpong 127.0.0.1 $((p + 5)) "$trips"
wait $srv
"$cloister" run --listen tcp:$((p + 6)) -p 127.0.0.1:$((p + 7)):$((p + 6)) "$out/net_echo" \
    $((p + 6)) 1 >/dev/null & vm=$!
echo -n "cloister: "; "$b" pingpong 127.0.0.1 $((p + 7)) "$trips"
wait $vm
