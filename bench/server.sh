#!/usr/bin/env bash
# Threaded servers (issue 11): the epoll echo server (tests/progs/epoll_echo.c, two
# worker threads) under CONNS concurrent connections of REQS request/response round
# trips each (tests/tools/net_rr.py: requests/s, p50, p99), natively and in a VM with 1
# and 2 vCPUs; then the host CPU an idle server in a VM costs over 10 s.
# Run it where a VM runs; under the nested QEMU route it measures TCG, not Cloister.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
conns=${CONNS:-50}
reqs=${REQS:-200}
out="${SERVER_OUT:-$build/bench/server}"
mkdir -p "$out"
cloister="$build/cloister"
musl-gcc -static -O2 -pthread -o "$out/epoll_echo" tests/progs/epoll_echo.c
p=$((30000 + RANDOM % 20000))

echo "== epoll echo server, $conns connections x $reqs requests of 1-512 bytes"
"$out/epoll_echo" $p "$conns" 2 >/dev/null & srv=$!
echo -n "native:          "
python3 tests/tools/net_rr.py $p "$conns" "$reqs" 2>&1 >/dev/null
wait $srv
for cpus in 1 2; do
    p=$((p + 2))
    "$cloister" run --cpus $cpus --listen tcp:$p -p 127.0.0.1:$((p + 1)):$p \
        "$out/epoll_echo" $p "$conns" 2 >/dev/null & vm=$!
    echo -n "cloister, $cpus vCPU: "
    python3 tests/tools/net_rr.py $((p + 1)) "$conns" "$reqs" 2>&1 >/dev/null
    wait $vm
done

echo "== Debian's redis-server: 500 SETs, 500 GETs checked, one connection (tests/tools/redis_drive.py)"
p=$((p + 2))
redis-server --port $p --bind 127.0.0.1 --save "" --appendonly no >/dev/null & srv=$!
echo "native:          $(python3 tests/tools/redis_drive.py $p 2>&1 >/dev/null)"
wait $srv || true
for cpus in 1 2; do
    p=$((p + 2))
    "$cloister" run --cpus $cpus --listen tcp:$p -p 127.0.0.1:$((p + 1)):$p /usr/bin/redis-server \
        --port $p --bind 0.0.0.0 --save "" --appendonly no >/dev/null 2>&1 & vm=$!
    echo "cloister, $cpus vCPU: $(python3 tests/tools/redis_drive.py $((p + 1)) 2>&1 >/dev/null)"
    wait $vm || true
done

echo "== an idle server: host CPU of the cloister process over 10 s"
p=$((p + 2))
"$cloister" run --cpus 2 --listen tcp:$p -p 127.0.0.1:$((p + 1)):$p \
    "$out/epoll_echo" $p 1 2 >/dev/null & vm=$!
sleep 2 # started, listening, every thread asleep in epoll_wait or accept
ticks() { awk '{print $14 + $15}' "/proc/$vm/stat"; }
t0=$(ticks)
sleep 10
t1=$(ticks)
hz=$(getconf CLK_TCK)
echo "idle server, 2 vCPUs: $(((t1 - t0) * 1000 / hz)) ms of host CPU in 10 s"
python3 tests/tools/net_rr.py $((p + 1)) 1 1 >/dev/null 2>&1 # its one connection: it exits
wait $vm
