# AF_UNIX sockets inside the shim (tests/progs/unix.c): socketpairs, a path server,
# abstract names, SCM_RIGHTS, data semantics, readiness, errors and hostile lengths,
# each part compared with a native run; the threaded parts on 1 and 2 vCPUs. A Go
# program's AF_UNIX (tests/go/unixecho.go) is in the servers group, beside the other Go
# build.

unix_list() {
    vm_case pair --asan -- unix pair
    vm_case pair-2cpus --cpus 2 -- unix pair
    vm_case server -- unix server
    vm_case server-2cpus --asan --cpus 2 -- unix server
    vm_case abstract -- unix abstract
    vm_case rights --asan -- unix rights
    vm_case data -- unix data
    vm_case data-2cpus --cpus 2 -- unix data
    vm_case signals -- unix signals
    vm_case signals-2cpus --cpus 2 -- unix signals
    vm_case poll -- unix poll
    vm_case poll-2cpus --cpus 2 -- unix poll
    vm_case errors -- unix errors
    vm_case hostile --asan -- unix hostile
}

unix_cases() {
    local PREFIX=unix
    unix_list
}

asan_unix_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/unix "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister PREFIX=asan/unix ASAN_PASS=1
    unix_list
}

register_group 45 unix vm unix_cases unix/
register_group 141 asan/unix vm asan_unix_cases asan/unix/
