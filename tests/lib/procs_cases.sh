# Several processes in one workload (issue 12, docs/processes.md): fork, wait, signals
# to children, copy-on-write, pipes between processes, each run in a VM and natively
# and compared (tests/lib/compare.sh). tests/progs/fork.c says what each subcommand
# checks; its output holds relations and statuses, never a pid or a time.

procs_cases() {
    local PREFIX=${PROCS_PREFIX:-procs}
    local c asan
    for c in many status signaled wnohang waitid sigchld cow threads ppid orphan exits pipes; do
        asan=()
        [[ $c == @(many|sigchld|cow|pipes) ]] && asan=(--asan)
        vm_case "fork-$c" "${asan[@]}" -- fork "$c"
        vm_case "2cpus-fork-$c" --cpus 2 -- fork "$c"
    done
}

# procs_asan_cases: the cases marked --asan, run by the ASan build's cloister.
procs_asan_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/procs "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister ASAN_PASS=1 PROCS_PREFIX=asan/procs
    procs_cases
}
register_group 48 procs vm procs_cases procs/
register_group 141 asan/procs vm procs_asan_cases asan/procs/
