# libcloister embedded in a program of its own (examples/embed.c): the same workload
# output as `cloister run`, and many runs in one process without leaking memory (the
# ASan build's LeakSanitizer) or file descriptors (a low `ulimit -n`).

api_cases() {
    local embed=$BUILD_DIR/examples/embed prog=$PROGS/musl/args
    if [[ ! -x $embed ]]; then
        fail api/embed "$embed is not built (make examples)"
        return 0
    fi
    begin api/embed-same-as-cli || return 0
    run_capture "$WORK/embed" file /dev/null "$embed" "$prog" one 'two words'
    local embed_rc=$RC
    run_capture "$WORK/cli" file /dev/null "$CLOISTER" run "$prog" one 'two words'
    if ((embed_rc != RC)); then
        fail api/embed-same-as-cli "status $embed_rc from embed, $RC from cloister run"
    elif same_file "stdout" "$WORK/embed.out" "$WORK/cli.out"; then
        pass api/embed-same-as-cli
    else
        fail api/embed-same-as-cli "the workload's output differs" "$WORK/diff"
    fi

    # 100 VMs, one after another, in one process allowed 64 descriptors: a run that
    # leaked even one would exhaust them
    begin api/embed-many-runs || return 0
    local asan_embed=$ASAN_DIR/examples/embed runs=100
    [[ -x $asan_embed ]] || asan_embed=$embed
    (ulimit -n 64 && exec timeout -k 5 $((TIMEOUT * 10)) "$asan_embed" --times "$runs" \
        "$PROGS/musl/exitcode" 7) >"$WORK/many.out" 2>"$WORK/many.err"
    RC=$?
    if ((RC == 124)); then
        fail api/embed-many-runs "$runs runs took longer than $((TIMEOUT * 10)) s" "$WORK/many.err"
    elif ((RC != 7)); then
        fail api/embed-many-runs "$(describe_status "$RC"), wanted 7" "$WORK/many.err"
    elif [[ $(grep -c 'workload exited with status 7$' "$WORK/many.err") != "$runs" ]]; then
        fail api/embed-many-runs "not $runs runs with status 7" "$WORK/many.err"
    elif grep -q 'Sanitizer' "$WORK/many.err"; then
        fail api/embed-many-runs "a sanitizer report" "$WORK/many.err"
    else
        pass api/embed-many-runs
    fi
}
register_group 100 api vm-pinned api_cases api/
