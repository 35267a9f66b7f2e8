# sendfile and copy_file_range (tests/progs/sendfile.c): between image files, tmpfs
# files, pipes and stdout, compared with native runs on every build; and a tmpfs file
# sent with sendfile to a server on the host, blocking and non-blocking, where the VM's
# run and the native one must both deliver every byte (the server answers the length
# and a SHA-256 of what it got).

# sendfile_host_sink PORT READY: on 127.0.0.1:PORT, for each connection, reads to EOF
# and answers "N bytes, sha256 HEX"; in the background (pid in SINK), READY created
# once it listens.
sendfile_host_sink() {
    python3 - "$1" "$2" <<'PY' &
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); s.settimeout(120)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 16)
        if not b: break
        h.update(b); n += len(b)
    c.sendall(b"%d bytes, sha256 %s\n" % (n, h.hexdigest().encode()))
    c.close()
PY
    SINK=$!
}

sendfile_tcp_case() {
    local v=$1 port=$2 dir=$WORK/sendfile/$1
    begin "sendfile/$v/tcp" --vm || return 0
    mkdir -p "$dir"
    timeout -k 5 120 "$CLOISTER" run --connect 127.0.0.1:$port \
        "$PROGS/$v/sendfile" tcp 127.0.0.1 $port >"$dir/vm.out" 2>"$dir/vm.err"
    local vm_rc=$?
    timeout -k 5 120 "$PROGS/$v/sendfile" tcp 127.0.0.1 $port >"$dir/native.out" 2>"$dir/native.err"
    local native_rc=$?
    if ((vm_rc == 0 && native_rc == 0)) && cmp -s "$dir/vm.out" "$dir/native.out" &&
        (($(grep -c "server got 3000000 bytes, sha256" "$dir/vm.out") == 2)); then
        pass "sendfile/$v/tcp"
    else
        diff "$dir/native.out" "$dir/vm.out" >"$dir/diff"
        fail "sendfile/$v/tcp" "VM $(describe_status $vm_rc), native $(describe_status $native_rc)" \
            "$dir/diff" "$dir/vm.err"
    fi
}

sendfile_cases() {
    local PREFIX=sendfile
    vm_case files --asan -- sendfile files
    vm_case files-2cpu --cpus 2 -- sendfile files
    local port=$((20000 + RANDOM % 20000)) i v
    mkdir -p "$WORK/sendfile"
    rm -f "$WORK/sendfile/ready"
    sendfile_host_sink $port "$WORK/sendfile/ready"
    for ((i = 0; i < 600; i++)); do
        [[ -e $WORK/sendfile/ready ]] && break
        sleep 0.1
    done
    for v in musl glibc; do
        sendfile_tcp_case $v $port
    done
    kill $SINK 2>/dev/null
}

asan_sendfile_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/sendfile "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister PREFIX=asan/sendfile ASAN_PASS=1
    vm_case files --asan -- sendfile files
}

register_group 96 sendfile vm-pinned sendfile_cases sendfile/
register_group 141 asan/sendfile vm asan_sendfile_cases asan/sendfile/
