# Events and readiness in the shim (tests/progs/events.c): poll, select, epoll, eventfd,
# timerfd and pipes that wait, each part compared with a native run.

events_cases() {
    local PREFIX=events
    vm_case pipes -- events pipes
    vm_case epoll -- events epoll
    vm_case errors -- events errors
    vm_case timerfd -- events timerfd
    # stdin a pipe from the host, in one epoll with a timerfd
    vm_case stdin-pipe --pipe nums -- events stdin
    vm_case stdin-pipe-big --pipe big -- events stdin
    # stdin the host's epoll refuses: always ready, and EPERM for the workload's epoll
    vm_case stdio-devnull -- events stdio
    vm_case stdio-file --stdin text -- events stdio
}

register_group 45 events vm events_cases events/
