# The monitor's seccomp sandbox (docs/sandbox.md). The rest of the suite running under
# it is the proof that the allowlist is complete; this checks that it is there: while a
# workload waits for stdin from a fifo, the monitor's vCPU thread is in seccomp filter
# mode (Seccomp: 2) with no_new_privs, so is the command's main thread (release build),
# and the run still ends normally.

sandbox_cases() {
    local name=$PREFIX/sandbox-status
    begin "$name" || return 0
    local dir=$WORK/sandbox-$ASAN_PASS
    mkdir -p "$dir"
    rm -f "$dir/fifo"
    mkfifo "$dir/fifo"
    timeout -k 5 "$TIMEOUT" "$CLOISTER" run "$PROGS/musl/stdin_sum" <"$dir/fifo" \
        >"$dir/out" 2>"$dir/err" &
    local pid=$!
    exec {feed}>"$dir/fifo" # the run starts once the fifo has a writer
    # the monitor is timeout's child; wait for the thread that confines itself
    local mon="" found="" i t
    for ((i = 0; i < 100; i++)); do
        [[ -n $found ]] && break
        sleep 0.05
        mon=$(pgrep -P "$pid" -x cloister | head -n 1)
        [[ -n $mon ]] || continue
        for t in /proc/"$mon"/task/*/status; do
            if grep -qx $'Seccomp:\t2' "$t" 2>/dev/null && grep -qx $'NoNewPrivs:\t1' "$t"; then
                found=$t
                cp "$t" "$dir/status"
            fi
        done
    done
    [[ -n $mon ]] && cp /proc/"$mon"/status "$dir/main-status" 2>/dev/null
    printf 'abc' >&"$feed"
    exec {feed}>&-
    wait "$pid"
    RC=$?
    if [[ -z $found ]]; then
        [[ -n $mon ]] && cat /proc/"$mon"/task/*/status >"$dir/status" 2>/dev/null
        fail "$name" "no monitor thread with Seccomp: 2 and NoNewPrivs: 1" "$dir/status"
    elif ((ASAN_PASS == 0)) && ! grep -qx $'Seccomp:\t2' "$dir/main-status"; then
        # the cloister command confines its main thread too (CLOISTER_CONFINE_CALLER);
        # sanitizer builds do not, their leak check needs clone and ptrace at exit
        fail "$name" "the command's main thread is not confined" "$dir/main-status"
    elif ((RC != 0)); then
        fail "$name" "$(describe_status "$RC")" "$dir/err"
    elif ! grep -qx 'bytes: 3' "$dir/out"; then
        fail "$name" "the workload did not read its 3 bytes" "$dir/out"
    else
        pass "$name"
    fi
}
register_group 110 sandbox vm sandbox_cases vm/sandbox
