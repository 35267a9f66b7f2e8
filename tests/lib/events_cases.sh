# Events and readiness in the shim (tests/progs/events.c): poll, select, epoll, eventfd,
# timerfd and pipes that wait, each part compared with a native run; signal-driven I/O.

# events_list: the cases, named under $PREFIX; in the ASan pass only those marked --asan
# (the monitor's side: stdio watched on its event loop, or not).
events_list() {
    vm_case pipes -- events pipes
    vm_case epoll -- events epoll
    vm_case errors -- events errors
    vm_case timerfd -- events timerfd
    # stdin a pipe from the host, in one epoll with a timerfd
    vm_case stdin-pipe --asan --pipe nums -- events stdin
    vm_case stdin-pipe-big --pipe big -- events stdin
    # stdin the host's epoll refuses: always ready, and EPERM for the workload's epoll
    vm_case stdio-devnull --asan -- events stdio
    vm_case stdio-file --stdin text -- events stdio
    # the ioctls every file answers, and SIGIO to a socketpair's owner (tests/progs/fasync.c)
    vm_case fasync -- fasync
}

events_cases() {
    local PREFIX=events
    events_list
}

asan_events_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/events "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister PREFIX=asan/events ASAN_PASS=1
    events_list
}

register_group 45 events vm events_cases events/
register_group 141 asan/events vm asan_events_cases asan/events/
