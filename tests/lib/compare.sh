# Running one program twice, in a VM and natively, and judging the two runs. Sourced
# by tests/run after harness.sh.
#
# A case is written as
#     vm_case NAME [OPTIONS] -- PROGRAM [ARGS...]
# with these options (parse_case_options reads them into the caller's locals):
#     --status N     the exit status both runs must have (else only "the same")
#     --fault SIG    both runs die of SIG; the VM's stderr must be exactly one line
#                    "cloister: workload killed by SIG..." (the native one is empty)
#     --stdin FILE   stdin redirected from $WORK/in/FILE (default /dev/null)
#     --pipe FILE    stdin fed from $WORK/in/FILE through a pipe
#     --env K=V      an environment variable: `cloister run --env K=V` in the VM,
#                    `env -i K=V` natively (so nothing else is in either environment)
#     --asan         also run with the ASan build's cloister
#     --cpus N       the VM gets N vCPUs
#     --mem SIZE     the VM gets SIZE of memory (`cloister run --mem`)
#     --listen P     the VM declares P (tcp:PORT, udp:PORT), as `cloister run --listen`
#     --processes N  the VM's process limit (`cloister run --processes`)
#     --vm-sed EXPR  where the VM must differ from Linux on purpose (a file written at
#                    run time cannot be executed, docs/processes.md): the native stdout,
#                    edited by the sed expression EXPR, is what the VM must print; EXPR
#                    must change it, so the native run shows what Linux does
# Stdout is a pipe in both runs. Stdout, the exit status and (except for faults) stderr
# must be byte-for-byte the same.

# parse_case_options ARGS...: sets the calling function's locals status, fault, mode,
# input, envs and asan (bash's dynamic scope) from the options before "--", and NOPTS
# to the number of words to shift past the "--".
parse_case_options() {
    local words=$#
    while (($#)) && [[ $1 != -- ]]; do
        case $1 in
        --status) status=$2 && shift ;;
        --fault) fault=$2 status=$(signal_status "$2") && shift ;;
        --stdin) mode=file input=$WORK/in/$2 && shift ;;
        --pipe) mode=pipe input=$WORK/in/$2 && shift ;;
        --env) envs+=("$2") && shift ;;
        --asan) asan=1 ;;
        --cpus) runopts+=(--cpus "$2") && shift ;;
        --mem) runopts+=(--mem "$2") && shift ;;
        --listen) runopts+=(--listen "$2") && shift ;;
        --processes) runopts+=(--processes "$2") && shift ;;
        --vm-sed) vm_sed=$2 && shift ;;
        # the workload must not reach the shim's memory: on PVM that holds on the trap
        # route only (docs/platform-pvm.md); the flag is ignored on hardware
        --isolated) runopts+=(--pvm-route trap) ;;
        *)
            echo "tests/run: bad case option '$1'" >&2
            exit 2
            ;;
        esac
        shift
    done
    if (($# == 0)); then
        echo "tests/run: a case lacks '-- PROGRAM'" >&2
        exit 2
    fi
    NOPTS=$((words - $# + 1))
}

# compare_run NAME CLOISTER PROGRAM [ARGS...]: runs PROGRAM in a VM with CLOISTER and
# natively, and reports NAME. Reads the case's options from its caller's locals.
compare_run() {
    local name=$1 cloister=$2
    shift 2
    begin "$name" --vm || return 0
    if [[ ! -x $1 ]]; then
        fail "$name" "$1 is not built (make progs)"
        return 0
    fi
    local envargs=() e
    for e in "${envs[@]}"; do
        envargs+=(--env "$e")
    done
    run_capture "$WORK/vm" "$mode" "$input" "$cloister" run "${runopts[@]}" "${envargs[@]}" "$@"
    local vm_rc=$RC
    run_capture "$WORK/native" "$mode" "$input" env -i "${envs[@]}" "$@"
    if [[ -n ${vm_sed:-} ]]; then
        cp "$WORK/native.out" "$WORK/native.linux"
        sed -i -e "$vm_sed" "$WORK/native.out"
        if cmp -s "$WORK/native.out" "$WORK/native.linux"; then
            fail "$name" "--vm-sed changed nothing in the native stdout" "$WORK/native.linux"
            return 0
        fi
    fi
    judge "$name" "$vm_rc" "$RC" "$1" || trace_excerpt "$mode" "$input" "$cloister" run --trace "${envargs[@]}" "$@"
}

# trace_excerpt STDIN-MODE STDIN-FILE CLOISTER run --trace ARGS...: after a failure, runs
# the VM again with --trace and shows the calls that returned ENOSYS and the last calls.
trace_excerpt() {
    local mode=$1 input=$2
    shift 2
    run_capture "$WORK/trace" "$mode" "$input" "$@"
    grep '^\[trace\]' "$WORK/trace.err" >"$WORK/trace.lines"
    {
        grep -m 5 'ENOSYS' "$WORK/trace.lines"
        tail -n 3 "$WORK/trace.lines"
    } | awk '!seen[$0]++' | cut -c 1-160 | sed 's/^/      --trace: /'
}

# judge NAME VM-STATUS NATIVE-STATUS PROGRAM: compares $WORK/vm.* with $WORK/native.*.
judge() {
    local name=$1 vm_rc=$2 native_rc=$3 prog=$4 why
    if [[ -n $status && $native_rc != "$status" ]]; then
        fail "$name" "the native run gave $(describe_status "$native_rc"), the test expects $(describe_status "$status")" "$WORK/native.err"
    elif [[ $vm_rc != "$native_rc" ]]; then
        why=$(not_static "$prog")
        [[ -n $why ]] && why=" [note: $prog is $why]"
        same_file stdout "$WORK/vm.out" "$WORK/native.out" || true
        fail "$name" "VM $(describe_status "$vm_rc"), native $(describe_status "$native_rc")$why" "$WORK/vm.err" "$WORK/diff"
    elif ! same_file stdout "$WORK/vm.out" "$WORK/native.out"; then
        fail "$name" "stdout differs from the native run" "$WORK/diff" "$WORK/vm.err"
    elif [[ -n $fault ]] && ! one_cloister_line "$WORK/vm.err" "^cloister: workload killed by $fault([^A-Z]|\$)"; then
        fail "$name" "stderr is not one line 'cloister: workload killed by $fault...'" "$WORK/vm.err"
    elif [[ -n $fault && -s $WORK/native.err ]]; then
        fail "$name" "the native run wrote to stderr" "$WORK/native.err"
    elif [[ -z $fault ]] && ! same_file stderr "$WORK/vm.err" "$WORK/native.err"; then
        fail "$name" "stderr differs from the native run" "$WORK/diff"
    else
        pass "$name"
        return 0
    fi
    return 1
}

# vm_case NAME [OPTIONS] -- PROGRAM [ARGS...]: the case for each build variant of the
# test workload PROGRAM (tests/progs/PROGRAM.c). In the ASan pass (ASAN_PASS=1) only
# cases marked --asan run.
vm_case() {
    local name=$1
    shift
    local status="" fault="" mode=file input=/dev/null asan=0 envs=() runopts=() vm_sed=""
    parse_case_options "$@"
    shift "$NOPTS"
    local prog=$1
    shift
    ((ASAN_PASS && !asan)) && return 0
    local v
    for v in "${VARIANTS[@]}"; do
        compare_run "$PREFIX/$v/$name" "$CLOISTER" "$PROGS/$v/$prog" "$@"
    done
}

# bb_case NAME [OPTIONS] -- APPLET [ARGS...]: a busybox applet, in a VM and natively.
bb_case() {
    local name=$1
    shift
    local status="" fault="" mode=file input=/dev/null asan=0 envs=() runopts=() vm_sed=""
    parse_case_options "$@"
    shift "$NOPTS"
    compare_run "busybox/$name" "$CLOISTER" "$BUSYBOX" "$@"
}
