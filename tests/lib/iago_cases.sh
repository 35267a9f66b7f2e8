# A hostile host (docs/iago.md): the test workloads run under the lying monitor,
# build/tests/cloister-iago, one lie per case (CLOISTER_IAGO=KIND). A lie no honest
# host tells must end the run with status 125 and one "cloister: shim:" line naming it,
# and the workload must have written nothing a native run would not have; a lie an
# honest host may tell too (a short read, an early wake-up) must leave the workload's
# output exactly the native run's.

IAGO_IN="" # the stdin files of the cases, made once

# iago_inputs: $WORK/iago-in/{small,data}: a short text and 20000 random bytes.
iago_inputs() {
    [[ -n $IAGO_IN ]] && return 0
    IAGO_IN=$WORK/iago-in
    mkdir -p "$IAGO_IN"
    printf '0123456789abcdefghij\n' >"$IAGO_IN/small"
    head -c 20000 /dev/urandom >"$IAGO_IN/data"
}

# iago_binary NAME: true if the lying monitor is built; otherwise fails NAME.
iago_binary() {
    IAGO=$BUILD_DIR/tests/cloister-iago
    [[ -x $IAGO ]] && return 0
    fail "$1" "$IAGO is not built (make unit)"
    return 1
}

# iago_run PREFIX LIE STDIN-MODE STDIN CMD...: CMD under the lying monitor with LIE.
iago_run() {
    local prefix=$1 lie=$2 mode=$3 input=$4
    shift 4
    run_capture "$prefix" "$mode" "$input" env CLOISTER_IAGO="$lie" "$IAGO" run "$@"
}

# iago_refused LIE PATTERN STDIN PROG [ARGS...]: case iago/LIE: PROG (a musl test
# workload) with STDIN ends with status 125 and one "cloister: shim:" line matching
# PATTERN, and its stdout is a beginning of the native run's.
iago_refused() {
    local lie=$1 pattern=$2 input=$3 prog=$4
    shift 4
    local name=iago/$lie out=$WORK/iago-$lie
    begin "$name" || return 0
    iago_binary "$name" || return 0
    run_capture "$out-native" file "$input" "$PROGS/musl/$prog" "$@"
    iago_run "$out" "$lie" file "$input" "$PROGS/musl/$prog" "$@"
    local n
    n=$(wc -c <"$out.out")
    if ((RC != 125)); then
        fail "$name" "$(describe_status "$RC"), wanted 125" "$out.err" "$out.out"
    elif ! one_cloister_line "$out.err" "^cloister: shim: .*$pattern"; then
        fail "$name" "not one 'cloister: shim:' line matching /$pattern/" "$out.err"
    elif ! cmp -s -n "$n" "$out.out" "$out-native.out" || (($(wc -c <"$out-native.out") < n)); then
        fail "$name" "the workload wrote what a native run does not" "$out.out"
    else
        pass "$name"
    fi
}

# iago_legal LIE STDIN-MODE STDIN PROG [ARGS...]: case iago/LIE-PROG: the lie is one an
# honest host may tell; PROG's status and stdout are the native run's.
iago_legal() {
    local lie=$1 mode=$2 input=$3 prog=$4
    shift 4
    local name=iago/$lie-$prog out=$WORK/iago-$lie-$prog
    begin "$name" || return 0
    iago_binary "$name" || return 0
    run_capture "$out-native" "$mode" "$input" "$PROGS/musl/$prog" "$@"
    local native=$RC
    iago_run "$out" "$lie" "$mode" "$input" "$PROGS/musl/$prog" "$@"
    if ((RC != native)); then
        fail "$name" "$(describe_status "$RC"), natively $native" "$out.err" "$out.out"
    elif [[ -s $out.err ]]; then
        fail "$name" "the run wrote to stderr" "$out.err"
    elif ! same_file stdout "$out.out" "$out-native.out"; then
        fail "$name" "its output is not the native run's" "$WORK/diff"
    else
        pass "$name"
    fi
}

iago_cases() {
    iago_inputs
    local small=$IAGO_IN/small data=$IAGO_IN/data
    # counts and error values
    iago_refused read-over 'stdio read of [0-9]+ bytes with' "$data" stdin_sum
    iago_refused read-overbuf 'stdio read of [0-9]+ bytes with 65536' "$data" stdin_sum
    iago_refused write-over 'stdio write of [0-9]+ bytes with' "$small" hello
    iago_refused errno-4096 'stdio write of [0-9]+ bytes with -4096$' "$small" hello
    iago_refused errno-1000000 'with -1000000$' "$small" hello
    iago_refused errno-min 'with -9223372036854775808$' "$small" hello
    # stat, ioctl and seek answers
    iago_refused stat-ret 'stdio stat with 32$' "$small" stdin_seek
    iago_refused stat-mode 'stat of fd 0 has a file type Linux does not have' "$small" stdin_seek
    iago_refused stat-size 'stat of fd 0 has a negative size' "$small" stdin_seek
    iago_refused stat-flags 'stat of fd 0 has unknown file status flags' "$small" stdin_seek
    iago_refused ioctl-ret 'terminal ioctl with 1$' "$small" hello
    iago_refused seek-set 'seek to 2 \(whence 0\) with 102$' "$small" stdin_seek
    iago_refused seek-neg 'seek to 0 \(whence 1\) with -1099511627776$' "$small" stdin_seek
    # the boot info: its clocks, and where it disagrees with the measured launch area
    iago_refused boot-tsc-0 'boot info: TSC frequency out of range' "$small" hello
    iago_refused boot-tsc-1hz 'boot info: TSC frequency out of range' "$small" hello
    iago_refused boot-tsc-huge 'boot info: TSC frequency out of range' "$small" hello
    iago_refused boot-tsc-future 'boot info: boot TSC later than the TSC now' "$small" hello
    iago_refused boot-realtime 'boot info: real time out of range' "$small" hello
    iago_refused boot-monotonic 'boot info: monotonic time out of range' "$small" hello
    iago_refused boot-magic 'boot info: bad magic' "$small" hello
    iago_refused boot-abi 'boot info: another ABI version' "$small" hello
    iago_refused boot-mem 'boot info disagrees with the manifest' "$small" hello
    iago_refused boot-vcpus 'boot info disagrees with the manifest' "$small" hello
    iago_refused boot-argc 'boot info: argument strings do not match their count' "$small" hello
    iago_refused boot-args-size 'boot info: arguments larger than their area' "$small" hello
    iago_refused boot-args-nul 'boot info: argument strings do not match their count' "$small" hello
    iago_refused boot-stdio 'boot info: unknown stdio flags' "$small" hello
    iago_refused boot-flags 'boot info: unknown flags' "$small" hello
    iago_refused boot-tee 'boot info: unknown TEE' "$small" hello
    # what an honest host may do too: the workload must not see a difference
    iago_legal read-short pipe "$data" stdin_sum
    iago_legal read-short file "$data" stdin_map
    iago_legal write-short file "$data" stdin_sum
    iago_legal sleep-early file /dev/null clock
    iago_legal wait-count file /dev/null clock
    iago_legal wait-junk file /dev/null clock
}
register_group 115 iago vm iago_cases iago/

# iago_tee_refused LIE PATTERN RUN-ARGS...: case iago/LIE: a --tee sim launch under the
# lie ends with status 125 and one "cloister: shim:" line matching PATTERN, before
# the program printed anything, and no line of the secret file SECRET reached stdout.
iago_tee_refused() {
    local lie=$1 pattern=$2
    shift 2
    local name=iago/$lie out=$WORK/iago-$lie
    begin "$name" || return 0
    iago_run "$out" "$lie" file /dev/null "$@"
    if ((RC != 125)); then
        fail "$name" "$(describe_status "$RC"), wanted 125" "$out.err" "$out.out"
    elif ! one_cloister_line "$out.err" "^cloister: shim: .*$pattern"; then
        fail "$name" "not one 'cloister: shim:' line matching /$pattern/" "$out.err"
    elif [[ -s $out.out ]]; then
        fail "$name" "the program ran" "$out.out"
    else
        pass "$name"
    fi
}

# The lies about attestation reports and the broker's stream: a --tee sim launch of the
# attest workload, and of busybox with a secret from a broker over TLS whose certificate
# the image pins. The honest runs first, so that a refusal is the lie's doing.
iago_tee_cases() {
    local d=$WORK/iago-tee name
    iago_binary iago/tee || return 0
    mkdir -p "$d/res/default/key"
    if ! sim_chip "$d/secchip" >"$d/sim.out" 2>&1; then
        fail iago/tee-sim-init "cloister sim init failed" "$d/sim.out"
        return 0
    fi
    local sim=(--tee sim --sim-dir "$d/secchip")
    if ! "$CLOISTER" build -o "$d/attest.cwi" --allow-args \
        --entry "$PROGS/glibc/attest:/bin/attest" >"$d/build.out" 2>&1; then
        fail iago/tee-build "cloister build of the attest image failed" "$d/build.out"
        return 0
    fi
    name=iago/tee-honest-attest
    if begin "$name"; then
        iago_run "$d/att" "" file /dev/null "${sim[@]}" "$d/attest.cwi" tsm 00aa
        if ((RC == 0)) && grep -q . "$d/att.out"; then
            pass "$name"
        else
            fail "$name" "$(describe_status "$RC")" "$d/att.err" "$d/att.out"
        fi
    fi
    iago_tee_refused attest-ret 'report request with 1184$' "${sim[@]}" "$d/attest.cwi" tsm 00aa
    iago_tee_refused attest-len 'report request with a [0-9]+-byte certificate table' \
        "${sim[@]}" "$d/attest.cwi" tsm 00aa

    if [[ -z $BUSYBOX ]] || ! command -v openssl >/dev/null; then
        fail iago/tee-broker "busybox or openssl not installed (scripts/install-deps)"
        return 0
    fi
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$d/res/default/key/db"
    printf '{"launch_digests": []}\n' >"$d/policy0.json"
    if ! make_cert iago-tls ec ||
        ! kbs_start "$d/kbs.log" 0 --policy "$d/policy0.json" --resources "$d/res" \
            --tls-cert "$WORK/iago-tls.crt" --tls-key "$WORK/iago-tls.key"; then
        fail iago/tee-broker "no HTTPS broker" "$WORK/openssl.out" "$d/kbs.log"
        return 0
    fi
    local port=$KBS_PORT pin=$KBS_PIN
    kbs_stop
    if ! "$CLOISTER" build -o "$d/secret.cwi" --allow-args --entry "$BUSYBOX:/bin/busybox" \
        --secret "127.0.0.1:$port|default/key/db|file:/run/secrets/db|$pin" \
        >"$d/build.out" 2>&1; then
        fail iago/tee-broker "cloister build --secret failed" "$d/build.out"
        return 0
    fi
    printf '{"launch_digests": ["%s"]}\n' "$("$CLOISTER" measure "$d/secret.cwi")" >"$d/policy.json"
    if ! kbs_start "$d/kbs.log" "$port" --policy "$d/policy.json" --resources "$d/res" \
        --trust "$d/secchip/ark.pem" --tls-cert "$WORK/iago-tls.crt" \
        --tls-key "$WORK/iago-tls.key"; then
        fail iago/tee-broker "the HTTPS broker did not start again" "$d/kbs.log"
        return 0
    fi
    name=iago/tee-honest-secret
    if begin "$name"; then
        iago_run "$d/sec" "" file /dev/null "${sim[@]}" "$d/secret.cwi" cat /run/secrets/db
        if ((RC != 0)); then
            fail "$name" "$(describe_status "$RC")" "$d/sec.err" "$d/kbs.log"
        elif ! same_file /run/secrets/db "$d/sec.out" "$d/res/default/key/db"; then
            fail "$name" "the program read another value" "$WORK/diff"
        else
            pass "$name"
        fi
    fi
    local run=("${sim[@]}" "$d/secret.cwi" cat /run/secrets/db)
    local tls_refusal="the key broker.s certificate does not match|TLS handshake with the key broker failed"
    iago_tee_refused net-handle 'broker connection with handle 1000' "${run[@]}"
    # a handle in range the monitor never opened: the first send fails (EBADF)
    iago_tee_refused net-handle-fake 'secret default/key/db: .*network error \(error 9\)' "${run[@]}"
    iago_tee_refused net-recv-over 'broker receive of [0-9]+ bytes with' "${run[@]}"
    # a byte changed or added in the broker's first answer: TLS (the pin) refuses it
    iago_tee_refused net-flip "secret default/key/db: ($tls_refusal)" "${run[@]}"
    iago_tee_refused net-inject "secret default/key/db: ($tls_refusal)" "${run[@]}"
    # a byte changed past the handshake, in the broker's encrypted answers
    iago_tee_refused net-flip-late 'secret default/key/db: .*TLS stream failed its checks' \
        "${run[@]}"
    kbs_stop
}
register_group 116 iago-tee vm-pinned iago_tee_cases iago/
