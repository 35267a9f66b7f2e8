# Threaded servers (issue 11), each driven from the host through a published port by a
# real client, every answer checked: our epoll echo server under 10,000 requests from
# 50 connections at once, a Go HTTP server (its runtime: clone, futexes, signal-based
# preemption, sigaltstack, epoll) and two unmodified Debian servers, Redis and lighttpd,
# the last one stopped by a SIGTERM the monitor forwards. Then a multi-process one
# (issue 12): Debian's nginx, a master forking two workers, stopped the same way. In the nested test VM the
# clients run inside the L1 guest, on 127.0.0.1.

SERVERS_PORT=$((20000 + RANDOM % 20000))

# servers_run NAME EXPECT-OUT CLIENT -- RUN-ARGS...: starts `cloister run RUN-ARGS` in
# the background, runs CLIENT (a command line; $VM is the run's pid, behind `timeout`,
# which passes signals on), and passes when the client succeeds, its output holds
# EXPECT-OUT and the VM ends with status 0.
servers_run() {
    local name=$1 expect=$2 client=$3
    shift 4
    local dir=$WORK/servers/${name//\//_}
    mkdir -p "$dir"
    timeout -k 5 300 "$CLOISTER" run "$@" >"$dir/out" 2>"$dir/err" &
    local vm=$!
    if VM=$vm timeout -k 5 240 bash -c "$client" >"$dir/client" 2>&1 && wait $vm &&
        grep -q "$expect" "$dir/client"; then
        pass "$name"
    else
        kill $vm 2>/dev/null
        wait $vm 2>/dev/null
        fail "$name" "the server failed its client" "$dir/client" "$dir/err" "$dir/out"
    fi
}

servers_cases() {
    local port=$SERVERS_PORT tools=$PWD/tests/tools dir=$WORK/servers
    mkdir -p "$dir"
    local cpus p
    for cpus in 1 2; do
        p=$((port + cpus * 10))
        begin servers/epoll-echo-10k-${cpus}cpu &&
            servers_run servers/epoll-echo-10k-${cpus}cpu "^ok 10000 requests" \
                "python3 $tools/net_rr.py $((p + 1)) 50 200" -- --cpus $cpus \
                --listen tcp:$p -p 127.0.0.1:$((p + 1)):$p "$PROGS/musl/epoll_echo" $p 50 2
    done

    # Go: built from tests/go/httpserver.go with Debian's Go, static, outside /tmp (the
    # guest's /tmp is its own tmpfs)
    local gobin=$BUILD_DIR/go/httpserver
    if begin servers/go-http-build; then
        mkdir -p "$BUILD_DIR/go"
        if CGO_ENABLED=0 GOCACHE="$dir/gocache" GOPATH="$dir/gopath" \
            go build -o "$gobin" "$PWD/tests/go/httpserver.go" >"$dir/go.err" 2>&1; then
            pass servers/go-http-build
        else
            fail servers/go-http-build "go build failed (scripts/install-deps installs golang-go)" \
                "$dir/go.err"
        fi
    fi
    for cpus in 1 2; do
        p=$((port + 30 + cpus * 10))
        begin servers/go-http-${cpus}cpu &&
            servers_run servers/go-http-${cpus}cpu "^bye after 201$" \
                "python3 $tools/http_drive.py go $((p + 1))" -- --cpus $cpus \
                --listen tcp:$p -p 127.0.0.1:$((p + 1)):$p "$gobin" $p
    done

    # Go's AF_UNIX within one process (tests/go/unixecho.go): listeners on a path and an
    # abstract name with client goroutines, unixgram; compared with a native run. Built
    # here to share the Go build cache above.
    local unixbin=$BUILD_DIR/go/unixecho
    if begin servers/go-unix-build; then
        if CGO_ENABLED=0 GOCACHE="$dir/gocache" GOPATH="$dir/gopath" \
            go build -o "$unixbin" "$PWD/tests/go/unixecho.go" >"$dir/go-unix.err" 2>&1; then
            pass servers/go-unix-build
        else
            fail servers/go-unix-build "go build failed" "$dir/go-unix.err"
        fi
    fi
    local status="" fault="" mode=file input=/dev/null asan=0 envs=() runopts=()
    for cpus in 1 2; do
        runopts=(--cpus $cpus)
        compare_run servers/go-unix-${cpus}cpu "$CLOISTER" "$unixbin"
    done

    # Redis from Debian, as installed: IPv4 only, then with its default `bind * -::*`
    # (an IPv4 socket and an IPV6_V6ONLY IPv6 one on the port), published on an IPv4
    # host address (its IPv4 socket answers) and on an IPv6 one (its IPv6 socket
    # answers; docs/network.md)
    p=$((port + 60))
    begin servers/redis-2cpu &&
        servers_run servers/redis-2cpu "^ok 500 gets; :501$" \
            "python3 $tools/redis_drive.py $((p + 1))" -- --cpus 2 --listen tcp:$p \
            -p 127.0.0.1:$((p + 1)):$p /usr/bin/redis-server --port $p --bind 0.0.0.0 \
            --save "" --appendonly no --daemonize no
    p=$((port + 80))
    begin servers/redis-dual-stack-2cpu &&
        servers_run servers/redis-dual-stack-2cpu "^ok 500 gets; :501$" \
            "python3 $tools/redis_drive.py $((p + 1))" -- --cpus 2 --listen tcp:$p \
            -p 127.0.0.1:$((p + 1)):$p /usr/bin/redis-server --port $p \
            --save "" --appendonly no --daemonize no
    p=$((port + 90))
    begin servers/redis-dual-stack-ipv6-2cpu &&
        servers_run servers/redis-dual-stack-ipv6-2cpu "^ok 500 gets; :501$" \
            "python3 $tools/redis_drive.py $((p + 1)) ::1" -- --cpus 2 --listen tcp:$p \
            -p "[::1]:$((p + 1)):$p" /usr/bin/redis-server --port $p \
            --save "" --appendonly no --daemonize no

    # lighttpd from Debian in an image with its configuration and site; the client's
    # last act is a SIGTERM to cloister, which the workload gets and exits on
    if begin servers/lighttpd-2cpu; then
        mkdir -p "$dir/www"
        printf '<html><body>hello from lighttpd</body></html>\n' >"$dir/www/index.html"
        head -c 300000 /dev/urandom | base64 >"$dir/www/big.txt"
        printf '%s\n' 'server.document-root = "/www"' 'server.port = 8080' \
            'server.bind = "0.0.0.0"' 'index-file.names = ("index.html")' \
            'mimetype.assign = (".html" => "text/html", ".txt" => "text/plain")' \
            >"$dir/lighttpd.conf"
        if ! "$CLOISTER" build -o "$dir/lighttpd.cwi" --entry /usr/sbin/lighttpd \
            --add "$dir/lighttpd.conf:/etc/lighttpd.conf" --add "$dir/www:/www" \
            --listen tcp:8080 --cpus 2 -- -D -f /etc/lighttpd.conf >"$dir/build.out" 2>&1; then
            fail servers/lighttpd-2cpu "cloister build failed" "$dir/build.out"
        else
            p=$((port + 70))
            servers_run servers/lighttpd-2cpu "^ok 162 requests$" \
                "python3 $tools/http_drive.py static $p $dir/www && kill -TERM \$VM" \
                -- -p 127.0.0.1:$p:8080 "$dir/lighttpd.cwi"
        fi
    fi

    # nginx from Debian as it runs by default, a master and 2 workers
    # (tests/tools/nginx_image.sh), on 2 vCPUs with the accept mutex (a lock in shared
    # memory) and on 1 with Debian's default (none: EPOLLEXCLUSIVE). The client checks
    # every file, 200 requests at once, two worker pids other than the master's and the
    # workers' shared counters; then SIGTERM: the master stops its workers, reaps them
    # and exits 0.
    local mutex
    for cpus in 2 1; do
        mutex=$([[ $cpus == 2 ]] && echo on || echo off)
        begin servers/nginx-workers-${cpus}cpu || continue
        if ! tests/tools/nginx_image.sh "$CLOISTER" "$dir/nginx" $cpus 2 $mutex \
            >"$dir/nginx-build-$cpus.out" 2>&1; then
            fail servers/nginx-workers-${cpus}cpu "cloister build failed" "$dir/nginx-build-$cpus.out"
            continue
        fi
        p=$((port + 100 + cpus))
        servers_run servers/nginx-workers-${cpus}cpu "^ok 4 files, 200 requests at once, 2 workers" \
            "python3 $tools/nginx_drive.py $p $dir/nginx/www 2 && kill -TERM \$VM" \
            -- -p 127.0.0.1:$p:8080 "$dir/nginx/nginx-${cpus}x2-$mutex.cwi"
    done
}
register_group 175 servers vm-pinned servers_cases servers/
