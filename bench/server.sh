#!/usr/bin/env bash
# Threaded servers (issue 11): the epoll echo server (tests/progs/epoll_echo.c, two
# worker threads) under CONNS concurrent connections of REQS request/response round
# trips each (tests/tools/net_rr.py: requests/s, p50, p99), Debian's redis-server (one
# connection, commands/s, p50, p99) and Debian's lighttpd (LIGHTTPD_CONNS keep-alive
# connections of LIGHTTPD_REQS GETs of a small page, then of a 100 KB file it sends
# with sendfile), natively and in a VM with 1 and 2 vCPUs; Debian's nginx in its
# multi-process mode (tests/tools/nginx_image.sh: a master and NGINX_WORKERS workers, 1
# and 2, on as many vCPUs) under the same load; then the host CPU an idle server in a VM
# costs over 10 s.
# Run it where a VM runs; under the nested QEMU route it measures TCG, not Cloister.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
conns=${CONNS:-50}
reqs=${REQS:-200}
lconns=${LIGHTTPD_CONNS:-8}
lreqs=${LIGHTTPD_REQS:-50}
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

echo "== Debian's lighttpd: $lconns keep-alive connections x $lreqs GETs, each body checked (tests/tools/http_drive.py)"
www="$out/www"
mkdir -p "$www"
printf '<html><body>hello from lighttpd</body></html>\n' >"$www/index.html"
head -c 75000 /dev/urandom | base64 -w 0 >"$www/big.txt" # 100000 bytes: sent with sendfile
lighttpd_conf() { # DOCROOT PORT
    printf '%s\n' "server.document-root = \"$1\"" "server.port = $2" 'server.bind = "0.0.0.0"' \
        'index-file.names = ("index.html")' 'mimetype.assign = (".html" => "text/html", ".txt" => "text/plain")'
}
for cpus in 1 2; do
    lighttpd_conf /www 8080 >"$out/lighttpd.conf"
    "$cloister" build -o "$out/lighttpd-$cpus.cwi" --entry /usr/sbin/lighttpd --cpus $cpus \
        --add "$out/lighttpd.conf:/etc/lighttpd.conf" --add "$www:/www" --listen tcp:8080 \
        -- -D -f /etc/lighttpd.conf >/dev/null
done
for file in index.html big.txt; do
    p=$((p + 2))
    lighttpd_conf "$PWD/$www" $p >"$out/lighttpd-native.conf"
    lighttpd -D -f "$out/lighttpd-native.conf" >/dev/null 2>&1 & srv=$!
    echo "/$file native:          $(python3 tests/tools/http_drive.py bench $p "$www" "$lconns" "$lreqs" /$file 2>&1 >/dev/null)"
    kill $srv && wait $srv || true
    for cpus in 1 2; do
        p=$((p + 2))
        "$cloister" run -p 127.0.0.1:$p:8080 "$out/lighttpd-$cpus.cwi" >/dev/null 2>&1 & vm=$!
        echo "/$file cloister, $cpus vCPU: $(python3 tests/tools/http_drive.py bench $p "$www" "$lconns" "$lreqs" /$file 2>&1 >/dev/null)"
        kill -TERM $vm && wait $vm || true
    done
done

echo "== Debian's nginx, a master and 1 or 2 workers: $lconns keep-alive connections x $lreqs GETs, each body checked"
nwww="$out/nginx/www"
for workers in 1 2; do
    tests/tools/nginx_image.sh "$cloister" "$out/nginx" $workers $workers off >/dev/null
done
for file in index.html big.bin; do
    p=$((p + 2))
    # the same configuration natively: its port, the site and /tmp's paths here
    n=$(cd "$out/nginx" && pwd)
    sed -e "s|/tmp/|$n/native-|" -e "s|listen 8080|listen $p|" -e "s|root /www|root $n/www|" \
        -e "s|worker_processes .*|worker_processes 2;|" "$n/nginx.conf" >"$n/native.conf"
    nginx -c "$n/native.conf" >/dev/null 2>&1 & srv=$!
    echo "/$file native, 2 workers: $(python3 tests/tools/http_drive.py bench $p "$nwww" "$lconns" "$lreqs" /$file 2>&1 >/dev/null)"
    kill $srv && wait $srv || true
    for workers in 1 2; do
        p=$((p + 2))
        "$cloister" run -p 127.0.0.1:$p:8080 "$out/nginx/nginx-${workers}x$workers-off.cwi" >/dev/null 2>&1 & vm=$!
        echo "/$file cloister, $workers vCPU, $workers workers: $(python3 tests/tools/http_drive.py bench $p "$nwww" "$lconns" "$lreqs" /$file 2>&1 >/dev/null)"
        kill -TERM $vm && wait $vm || true
    done
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
