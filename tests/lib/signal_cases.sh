# Signals (issue 11, item 2): handlers for faults and timers, restarts, waiting for
# signals, signalfd, FPU state across a handler; each run in a VM and natively and
# compared (tests/lib/compare.sh). tests/progs/signals.c says what each kind does.

signal_cases() {
    local PREFIX=signals kind
    for kind in segv fixrip fpe ill trap alarm itimer timer sigpipe altstack restart suspend \
        timedwait signalfd siginfo fpu order nodefer; do
        vm_case "$kind" -- signals "$kind"
    done
    # a signal to a thread that computes: on another vCPU it takes an interrupt
    vm_case kick -- signals kick
    vm_case 2cpus-kick --cpus 2 -- signals kick
    vm_case abort --fault SIGABRT -- signals abort
    vm_case resethand --fault SIGUSR1 -- signals resethand
}
register_group 46 signals vm signal_cases signals/

# ctrl_c NAME MODE SIGNAL COUNT STATUS STDOUT [STDERR]: runs tests/progs/sigint.c MODE
# in `cloister run` (with --cpus $CTRL_C_CPUS if set), sends the cloister process SIGNAL COUNT times once the workload is
# ready, and wants exit STATUS, exactly STDOUT and exactly STDERR (default: nothing).
ctrl_c() {
    local name=signals/ctrl-c/$1 mode=$2 sig=$3 count=$4 want_rc=$5 want_out=$6 want_err=${7:-}
    begin "$name" || return 0
    local dir i
    # a directory of its own, outside $WORK
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cloister-ctrl-c.XXXXXX") && : >"$dir/out" || {
        fail "$name" "cannot make a directory"
        return 0
    }
    # a background job ignores SIGINT and SIGQUIT, and cloister then leaves them alone:
    # undo that
    env --default-signal=INT,QUIT "$CLOISTER" run ${CTRL_C_CPUS:+--cpus $CTRL_C_CPUS} \
        "$PROGS/musl/sigint" "$mode" >"$dir/out" 2>"$dir/err" &
    local pid=$!
    # a bound on the run, in a process of its own: a bash subshell killed here was seen
    # to take tests/run's EXIT trap with it, which removes $WORK under every other case
    sh -c 'sleep 40; kill -KILL "$1"' sh "$pid" >/dev/null 2>&1 &
    local guard=$!
    for ((i = 0; i < 1200; i++)); do
        grep -q ready "$dir/out" 2>/dev/null && break
        sleep 0.05
    done
    for ((i = 0; i < count; i++)); do
        kill -s "$sig" "$pid" 2>/dev/null
        sleep 0.5
    done
    wait "$pid"
    local rc=$?
    kill "$guard" 2>/dev/null
    wait "$guard" 2>/dev/null
    if [[ $rc != "$want_rc" ]]; then
        fail "$name" "status $rc, want $want_rc" "$dir/err" "$dir/out"
    elif [[ $(cat "$dir/out") != "${want_out%$'\n'}" ]]; then
        fail "$name" "stdout differs (status $rc)" "$dir/out" "$dir/err"
    elif [[ $(cat "$dir/err") != "$want_err" ]]; then
        fail "$name" "stderr is not '$want_err'" "$dir/err"
    else
        pass "$name"
    fi
    rm -rf "$dir"
}

signal_ctrl_c_cases() {
    ctrl_c handler handle INT 1 3 $'ready\ngot Interrupt\n'
    ctrl_c read read INT 1 3 $'ready\nread: -1 Interrupted system call\ngot Interrupt\n'
    ctrl_c term handle TERM 1 3 $'ready\ngot Terminated\n'
    # what a process manager sends a server: Ctrl-\ (nginx's graceful stop), log reopening
    ctrl_c quit handle QUIT 1 3 $'ready\ngot Quit\n'
    ctrl_c hup handle HUP 1 3 $'ready\ngot Hangup\n'
    ctrl_c usr1 handle USR1 1 3 $'ready\ngot User defined signal 1\n'
    ctrl_c usr2 handle USR2 1 3 $'ready\ngot User defined signal 2\n'
    # a workload that computes without system calls: the monitor interrupts the guest
    ctrl_c spin spin INT 1 3 $'ready\ngot Interrupt\n'
    CTRL_C_CPUS=2 ctrl_c spin-2cpus spin2 INT 1 3 $'ready\ngot Interrupt\n'
    ctrl_c twice ignore INT 2 130 $'ready\n' \
        "cloister: interrupted by a second SIGINT: the workload was stopped"
    ctrl_c term-default default TERM 1 143 $'ready\n' \
        "cloister: workload killed by SIGTERM (sent to cloister)"
    ctrl_c quit-default default QUIT 1 131 $'ready\n' \
        "cloister: workload killed by SIGQUIT (sent to cloister)"
}
register_group 47 signals-ctrl-c vm signal_ctrl_c_cases signals/ctrl-c/
