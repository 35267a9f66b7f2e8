# Several guest sockets on one declared port (docs/network.md), as Linux allows them:
# an IPv4 socket beside an IPV6_V6ONLY IPv6 one, SO_REUSEPORT groups, and EADDRINUSE
# otherwise (tests/progs/dualbind.c), compared with native runs, and again with the
# ASan build's monitor. The published case, Redis's default dual-stack bind, is in
# servers_cases.sh.

ports_list() {
    local port=$((20000 + RANDOM % 20000))
    vm_case dualbind --asan --listen tcp:$port --listen udp:$port -- dualbind $port
}

ports_cases() {
    local PREFIX=ports
    ports_list
}

asan_ports_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/ports "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister PREFIX=asan/ports ASAN_PASS=1
    ports_list
}

register_group 96 ports vm ports_cases ports/
register_group 141 asan/ports vm asan_ports_cases asan/ports/
