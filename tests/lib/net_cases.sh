# The workload's network (docs/network.md): a TCP echo server in the guest published
# with -p and driven from the host, a guest client to a host server on a declared
# destination, declarations enforced (EACCES in the guest), no declarations = no
# network, -p errors in one line. In the nested test VM the script runs inside the L1
# guest, so host-side clients and servers use 127.0.0.1 there.

NET_PORT_BASE=$((20000 + RANDOM % 20000))

# net_host_echo PORT: a one-connection-at-a-time echo server on 127.0.0.1:PORT, in the
# background for as many connections as the case makes; its pid in NET_SERVER.
net_host_echo() {
    python3 - "$1" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); s.settimeout(60)
while True:
    c, _ = s.accept()
    while True:
        b = c.recv(65536)
        if not b: break
        c.sendall(b)
    c.close()
PY
    NET_SERVER=$!
}

# net_drive PORT CONNS BYTES PARALLEL: CONNS connections to 127.0.0.1:PORT (PARALLEL
# at a time), each sending BYTES of a pattern and checking every byte echoed.
net_drive() {
    python3 - "$@" <<'PY'
import socket, sys, time, threading
port, conns, size, par = map(int, sys.argv[1:5])
data = bytes((i * 7 + i // 251) & 255 for i in range(size))
errors = []
def one():
    for attempt in range(200):
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=30); break
        except ConnectionRefusedError:
            time.sleep(0.05)
    c.sendall(data); c.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = c.recv(65536)
        if not b: break
        got += b
    c.close()
    if got != data: errors.append(len(got))
done = 0
while done < conns:
    k = min(par, conns - done)
    ts = [threading.Thread(target=one) for _ in range(k)]
    [t.start() for t in ts]; [t.join() for t in ts]
    done += k
print("errors", errors) if errors else print("ok", conns)
sys.exit(1 if errors else 0)
PY
}

# net_wait_port PORT: until something listens on 127.0.0.1:PORT (python is slow to
# start in the nested guest), at most 60 s; the probe is one empty connection.
net_wait_port() {
    local i
    for ((i = 0; i < 600; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# net_busy_case NAME CPUS PORT: tests/progs/busy_server with CPUS spinners on CPUS vCPUs,
# published on PORT+1; the host sends it a line once it listens and wants "ok" back.
net_busy_case() {
    local name=net/$1 cpus=$2 port=$3 dir=$WORK/net
    begin "$name" || return 0
    timeout -k 5 90 "$CLOISTER" run --cpus "$cpus" --listen tcp:$port \
        -p 127.0.0.1:$((port + 1)):$port "$PROGS/musl/busy_server" $port "$cpus" \
        >"$dir/$1.out" 2>"$dir/$1.err" &
    local vm=$! i
    for ((i = 0; i < 600; i++)); do
        grep -qx listening "$dir/$1.out" 2>/dev/null && break
        sleep 0.1
    done
    local reply
    reply=$(python3 -c '
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
c.sendall(b"hello from the host\n"); print(c.recv(64).decode().strip())' $((port + 1)) 2>&1)
    if wait $vm && [[ $reply == ok ]] &&
        grep -qx "$cpus spinners stopped; the server heard \"hello from the host\"" "$dir/$1.out"; then
        pass "$name"
    else
        kill $vm 2>/dev/null
        fail "$name" "the busy guest did not hear the host (reply '$reply')" "$dir/$1.out" "$dir/$1.err"
    fi
}

net_cases() {
    local prog=$PROGS/musl dir=$WORK/net
    mkdir -p "$dir"
    local port=$NET_PORT_BASE hport=$((NET_PORT_BASE + 1))

    # a guest echo server on a published port, 20 sequential then 10 in pairs
    if begin net/tcp-echo-server; then
        timeout -k 5 120 "$CLOISTER" run --listen tcp:$port -p 127.0.0.1:$hport:$port \
            "$prog/net_echo" $port 30 >"$dir/out" 2>"$dir/err" &
        local vm=$!
        if net_drive $hport 20 100000 1 >"$dir/drive" 2>&1 &&
            net_drive $hport 10 300000 2 >>"$dir/drive" 2>&1 && wait $vm &&
            grep -qx "listening on 0.0.0.0:$port" "$dir/out" &&
            grep -qx "connection 29: 300000 bytes" "$dir/out"; then
            pass net/tcp-echo-server
        else
            kill $vm 2>/dev/null
            fail net/tcp-echo-server "echo through -p failed" "$dir/drive" "$dir/out" "$dir/err"
        fi
    fi

    # a guest client to a host server on a declared destination
    if begin net/tcp-client; then
        net_host_echo $((port + 2))
        net_wait_port $((port + 2))
        if timeout -k 5 60 "$CLOISTER" run --connect 127.0.0.1:$((port + 2)) \
            "$prog/net_client" 127.0.0.1 $((port + 2)) 1000000 >"$dir/cout" 2>"$dir/cerr" &&
            grep -qx "sent 1000000, got back 1000000" "$dir/cout"; then
            pass net/tcp-client
        else
            fail net/tcp-client "guest client failed" "$dir/cout" "$dir/cerr"
        fi
        # a non-blocking connect: EINPROGRESS, then poll (or connect again) says done
        if begin net/tcp-client-nonblock; then
            if timeout -k 5 60 "$CLOISTER" run --connect 127.0.0.1:$((port + 2)) \
                "$prog/net_client" 127.0.0.1 $((port + 2)) 200000 nonblock >"$dir/kout" \
                2>"$dir/kerr" && grep -qx "connect: in progress, then done" "$dir/kout" &&
                grep -qx "sent 200000, got back 200000" "$dir/kout"; then
                pass net/tcp-client-nonblock
            else
                fail net/tcp-client-nonblock "non-blocking connect failed" "$dir/kout" "$dir/kerr"
            fi
        fi
        # -p of a host port someone holds: one line, no run
        if begin net/publish-port-in-use; then
            "$CLOISTER" run --listen tcp:$port -p 127.0.0.1:$((port + 2)):$port \
                "$prog/net_echo" $port 1 >"$dir/iout" 2>"$dir/ierr"
            local rc=$?
            if ((rc != 0)) && (($(wc -l <"$dir/ierr") == 1)) &&
                grep -q "^cloister: -p 127.0.0.1:$((port + 2)):$port: cannot bind the host port: Address already in use" "$dir/ierr"; then
                pass net/publish-port-in-use
            else
                fail net/publish-port-in-use "expected one line" "$dir/ierr"
            fi
        fi
        kill $NET_SERVER 2>/dev/null
    fi

    # a server thread hears the host while every other thread computes: one spinner on
    # 1 vCPU, two on 2: the monitor must interrupt the busy guest (docs/threads.md)
    local cpus
    for cpus in 1 2; do
        net_busy_case busy-server-${cpus}cpu $cpus $((port + 6 + 2 * cpus))
    done

    # a port that is not declared: bind is EACCES in the guest
    if begin net/undeclared-listen; then
        timeout -k 5 60 "$CLOISTER" run --listen tcp:$port "$prog/net_echo" $((port + 5)) 1 \
            >"$dir/lout" 2>"$dir/lerr"
        local rc=$?
        if ((rc == 1)) && grep -qx "bind/listen: Permission denied" "$dir/lerr"; then
            pass net/undeclared-listen
        else
            fail net/undeclared-listen "expected EACCES, $(describe_status $rc)" "$dir/lerr"
        fi
    fi

    # UDP: a guest server published with /udp, a host client; then a guest client to a
    # host UDP echo server
    if begin net/udp-echo-server; then
        timeout -k 5 60 "$CLOISTER" run --listen udp:$port -p 127.0.0.1:$hport:$port/udp \
            "$prog/net_udp" server $port 20 >"$dir/usout" 2>"$dir/userr" &
        local vm=$! i
        for ((i = 0; i < 600; i++)); do
            grep -qx bound "$dir/usout" 2>/dev/null && break
            sleep 0.1
        done
        if python3 - $hport >"$dir/usdrive" 2>&1 <<'PY' && wait $vm &&
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(30)
port = int(sys.argv[1])
for i in range(20):
    d = bytes((i * 5 + k) & 255 for k in range(1 + i * 313 % 8000))
    s.sendto(d, ("127.0.0.1", port))
    b = s.recv(65536)
    assert b == d, (i, len(b), len(d))
print("ok")
PY
            grep -qx "echoed 20 datagrams, .* bytes" "$dir/usout"; then
            pass net/udp-echo-server
        else
            kill $vm 2>/dev/null
            fail net/udp-echo-server "UDP echo through -p failed" "$dir/usdrive" "$dir/usout" "$dir/userr"
        fi
    fi
    if begin net/udp-client; then
        rm -f "$dir/uready"
        python3 - $((port + 3)) "$dir/uready" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(60)
open(sys.argv[2], "w").close()
for _ in range(30):
    d, a = s.recvfrom(65536); s.sendto(d, a)
PY
        local srv=$! i
        for ((i = 0; i < 600; i++)); do
            [[ -e $dir/uready ]] && break
            sleep 0.1
        done
        if timeout -k 5 60 "$CLOISTER" run --connect udp:127.0.0.1:$((port + 3)) \
            "$prog/net_udp" client 127.0.0.1 $((port + 3)) 30 >"$dir/ucout" 2>"$dir/ucerr" &&
            grep -qx "30 datagrams echoed" "$dir/ucout"; then
            pass net/udp-client
        else
            fail net/udp-client "guest UDP client failed" "$dir/ucout" "$dir/ucerr"
        fi
        kill $srv 2>/dev/null
    fi

    # an undeclared destination: EACCES in the guest
    if begin net/undeclared-connect; then
        if timeout -k 5 60 "$CLOISTER" run --connect 127.0.0.1:9 \
            "$prog/net_client" 127.0.0.1 10 refused >"$dir/uout" 2>"$dir/uerr" &&
            grep -qx "connect: Permission denied" "$dir/uout"; then
            pass net/undeclared-connect
        else
            fail net/undeclared-connect "expected EACCES" "$dir/uout" "$dir/uerr"
        fi
    fi

    # no declarations: no network at all
    if begin net/no-network; then
        if timeout -k 5 60 "$CLOISTER" run "$prog/net_client" - - nonet >"$dir/nout" \
            2>"$dir/nerr" && grep -qx "socket: Permission denied" "$dir/nout"; then
            pass net/no-network
        else
            fail net/no-network "expected EACCES" "$dir/nout" "$dir/nerr"
        fi
    fi

    # -p errors, one line each
    local spec want
    for spec in "bad:syntax:x:y" "$hport:9999" ; do
        begin "net/publish-error-$spec" || continue
        "$CLOISTER" run --listen tcp:$port -p "$spec" "$prog/net_echo" $port 1 >"$dir/pout" \
            2>"$dir/perr"
        local rc=$?
        if ((rc != 0)) && (($(wc -l <"$dir/perr") == 1)) &&
            grep -q "^cloister: -p $spec" "$dir/perr"; then
            pass "net/publish-error-$spec"
        else
            fail "net/publish-error-$spec" "expected one line" "$dir/perr"
        fi
    done
}

register_group 95 net vm-pinned net_cases net/
