# Several guest sockets on one declared port (docs/network.md), as Linux allows them:
# an IPv4 socket beside an IPV6_V6ONLY IPv6 one, SO_REUSEPORT groups, and EADDRINUSE
# otherwise (tests/progs/dualbind.c), compared with native runs. The published case,
# Redis's default dual-stack bind, is in servers_cases.sh.

ports_cases() {
    local PREFIX=ports port=$((20000 + RANDOM % 20000))
    vm_case dualbind --listen tcp:$port --listen udp:$port -- dualbind $port
}

register_group 96 ports vm ports_cases ports/
