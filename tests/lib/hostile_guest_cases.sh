# A hostile guest (docs/hostile-guests.md). An image carries its own "shim", so its
# author controls the guest's ring 0 completely: the raw guests of tests/hostile/,
# sealed in the shim's place by tests/tools/cwi_raw_guest, make every hypercall with
# hostile arguments, fault, spin, hammer the doorbell and touch guest-physical memory
# that is not RAM. The monitor must answer each call with an error the guest sees (the
# guest exits with it: "status N"), or end the run with exactly one line on stderr and
# status 125 ("refused REGEX"); it must never crash, hang or leak (the ASan build runs
# every case too). Then --timeout against workloads that never end, and workloads that
# allocate until guest RAM runs out.

HG_TIMEOUT_S=2 # --timeout for the cases that only it can end

# hg_judge NAME EXPECT DIR: RC against EXPECT, with DIR/err the run's stderr:
#   "status N"           the guest's own status N, nothing on stderr
#   "line N REGEX"       status N and exactly one line on stderr, "cloister: REGEX..."
#   "refused REGEX"      "line 125 REGEX": the monitor ended the run
hg_judge() {
    local name=$1 expect=$2 dir=$3 want re
    case $expect in
    status\ *)
        want=${expect#status } # a number, or numbers with |
        if ! [[ $RC =~ ^($want)$ ]]; then
            fail "$name" "$(describe_status "$RC"), expected status $want" "$dir/err"
        elif [[ -s $dir/err ]]; then
            fail "$name" "unexpected output on stderr" "$dir/err"
        else
            pass "$name"
        fi
        return
        ;;
    refused\ *) want=125 re=${expect#refused } ;;
    line\ *)
        re=${expect#line }
        want=${re%% *} re=${re#* }
        ;;
    esac
    local lines
    lines=$(wc -l <"$dir/err")
    if ((RC != want)); then
        fail "$name" "$(describe_status "$RC"), expected status $want" "$dir/err"
    elif ((lines != 1)); then
        fail "$name" "$lines lines on stderr, expected exactly one" "$dir/err"
    elif ! grep -Eq "^cloister: ($re)" "$dir/err"; then
        fail "$name" "stderr does not read 'cloister: $re'" "$dir/err"
    else
        pass "$name"
    fi
}

# hg_case NAME EXPECT GUEST PARAM...: seals tests/hostile/GUEST.S with PARAMs (as
# cwi_raw_guest reads them), runs it with stdin a small file and stdout a pipe, and
# judges with hg_judge. $HG_MEM (MiB) sets the guest's RAM, $HG_RUN the --timeout.
hg_case() {
    local name=$PREFIX/$1 expect=$2 guest=$3
    shift 3
    begin "$name" || return 0
    local dir=$WORK/hostile-guest-$ASAN_PASS/${name//\//_}
    mkdir -p "$dir"
    local mem=() to=()
    [[ -n ${HG_MEM:-} ]] && mem=(--mem "$HG_MEM")
    [[ -n ${HG_RUN:-} ]] && to=(--timeout "$HG_RUN")
    if ! "$BUILD_DIR/tests/tools/cwi_raw_guest" "${mem[@]}" "$BUILD_DIR/tests/hostile/$guest.bin" \
        "$dir/guest.cwi" "$@" 2>"$dir/err"; then
        fail "$name" "cannot seal the raw guest" "$dir/err"
        return 0
    fi
    printf 'abc' >"$dir/in"
    timeout -k 5 "$TIMEOUT" "$CLOISTER" run "${to[@]}" "$dir/guest.cwi" <"$dir/in" 2>"$dir/err" |
        cat >"$dir/out"
    RC=${PIPESTATUS[0]}
    hg_judge "$name" "$expect" "$dir"
}

# Every hypercall number, and numbers that are none, with arguments out of range:
# descriptors never opened (3, -1, 2^63), lengths past the bounce buffer or that wrap
# (2^64-16), offsets below -1, handles never opened. PARAMs: number, a0..a5, then 1 to
# ring the doorbell instead of the port. Errnos: EPERM 1, EBADF 9, ENODEV 19, EINVAL 22,
# ENOTTY 25, ESPIPE 29.
hg_hypercall_cases() {
    local big=0x8000000000000000 wrap=0xfffffffffffffff0 over=0xf001 max=-1
    hg_case hc/nr-0 "refused shim made unknown hypercall 0$" hcall 0
    hg_case hc/nr-39 "refused shim made unknown hypercall 39$" hcall 39
    hg_case hc/nr-2^63 "refused shim made unknown hypercall 9223372036854775808$" hcall $big
    hg_case hc/nr-2^64-1 "refused shim made unknown hypercall 18446744073709551615$" hcall $max
    hg_case hc/nr-0-doorbell "refused shim made unknown hypercall 0$" hcall 0 0 0 0 0 0 0 1
    hg_case hc/exit-status-wraps "status 255" hcall 1 0x1ff
    hg_case hc/killed-signal-0 "refused shim reported a workload killed by invalid signal 0$" hcall 2 0
    hg_case hc/killed-signal-max "refused shim reported a workload killed by invalid signal" hcall 2 $max
    hg_case hc/killed-vector-max "line 139 workload killed by SIGSEGV: signal, rip 0xffffffffffffffff$" \
        hcall 2 11 $max 0 $max $max $max
    hg_case hc/panic-length-max "refused shim: \?+$" hcall 3 $max
    hg_case hc/log-length-wraps "refused shim log request of [0-9]+ bytes exceeds the buffer$" hcall 4 $wrap
    hg_case hc/log-length-over "refused shim log request of 61441 bytes exceeds the buffer$" hcall 4 $over
    hg_case hc/log-empty "status 200" hcall 4 0
    local fd
    for fd in 3 $max $big; do
        hg_case "hc/fd-write-fd-$fd" "status 9" hcall 5 $fd 16 $max
        hg_case "hc/fd-read-fd-$fd" "status 9" hcall 6 $fd 16 $max
        hg_case "hc/fd-ioctl-fd-$fd" "status 9" hcall 7 $fd 0x5401
        hg_case "hc/fd-stat-fd-$fd" "status 9" hcall 8 $fd
        hg_case "hc/fd-seek-fd-$fd" "status 9" hcall 16 $fd 0 0
        hg_case "hc/net-send-handle-$fd" "status 9" hcall 13 $fd 16
        hg_case "hc/net-recv-handle-$fd" "status 9" hcall 14 $fd 16
        hg_case "hc/net-close-handle-$fd" "status 9" hcall 15 $fd
    done
    hg_case hc/fd-write-fd3-doorbell "status 9" hcall 5 3 16 $max 0 0 0 1
    hg_case hc/net-close-handle-0 "status 9" hcall 15 0
    hg_case hc/net-send-length-wraps "status 9" hcall 13 0 $wrap
    # the workload's sockets (docs/network.md): this guest declares no network, so the
    # monitor itself refuses a socket (EACCES) whatever the shim would have said, and
    # every call on a handle it never handed out is EBADF
    hg_case hc/sock-open-undeclared "status 13" hcall 18 2 1
    hg_case hc/sock-open-udp-undeclared "status 13" hcall 18 10 2
    hg_case hc/sock-open-family "status 97" hcall 18 1 1
    hg_case hc/sock-open-type "status 22" hcall 18 2 3
    local nr
    for nr in 19 20 21 22 23 24 25 26 27 28 29; do
        for fd in 0 $max; do
            hg_case "hc/sock-$nr-handle-$fd" "status 9" hcall $nr $fd $max $max $max $max
        done
    done
    hg_case hc/fd-write-length-wraps "refused shim wrote [0-9]+ bytes at -1: out of bounds$" hcall 5 1 $wrap $max
    hg_case hc/fd-write-length-over "refused shim wrote 61441 bytes at -1: out of bounds$" hcall 5 1 $over $max
    hg_case hc/fd-write-offset-below "refused shim wrote 16 bytes at -2: out of bounds$" hcall 5 1 16 -2
    hg_case hc/fd-write-offset-pipe "status 29" hcall 5 1 16 0x7ffffffffffffff0
    hg_case hc/fd-write-ok "status 201" hcall 5 1 16 $max
    hg_case hc/fd-read-length-wraps "refused shim read [0-9]+ bytes at -1: out of bounds$" hcall 6 0 $wrap $max
    hg_case hc/fd-read-length-over "refused shim read 61441 bytes at -1: out of bounds$" hcall 6 0 $over $max
    hg_case hc/fd-read-offset-2^63 "refused shim read 16 bytes at -9223372036854775808: out of bounds$" \
        hcall 6 0 16 $big
    hg_case hc/fd-read-ok "status 201" hcall 6 0 16 $max
    hg_case hc/fd-ioctl-request-max "status 25" hcall 7 0 $max
    hg_case hc/fd-seek-whence-max "status 22" hcall 16 0 0 $max
    hg_case hc/fd-seek-offset-2^63 "status 22" hcall 16 0 $big 0
    hg_case hc/sleep-max "status 200" hcall 9 $max
    hg_case hc/wait-max "status 200|201" hcall 17 $max # 201: stdio readiness was there
    hg_case hc/cpu-start-0 "status 22" hcall 40 0
    hg_case hc/cpu-start-1-of-1 "status 22" hcall 40 1
    hg_case hc/cpu-start-max "status 22" hcall 40 $max
    hg_case hc/kick-self "status 200" hcall 41 0
    hg_case hc/kick-max "status 22" hcall 41 $max
    hg_case hc/mark-max "status 200" hcall 10 $max
    hg_case hc/attest-no-tee "status 19" hcall 11 $max $max
    hg_case hc/net-connect-max "status 1" hcall 12 $max
    hg_case hc/net-connect-0 "status 1" hcall 12 0
}

# Faults, halts and spins; --timeout ends what nothing else can.
hg_runaway_cases() {
    hg_case triple-fault-ud "refused the guest shut down: triple fault" triple 0
    hg_case triple-fault-noncanonical "refused the guest shut down: triple fault" triple 1
    local stop="refused the workload ran past --timeout $HG_TIMEOUT_S s and was stopped$"
    # the in-kernel APIC keeps a halt inside KVM: it costs the host nothing, and ends
    # with --timeout like a spin
    HG_RUN=$HG_TIMEOUT_S hg_case cli-hlt "$stop" spin 0
    HG_RUN=$HG_TIMEOUT_S hg_case cli-spin "$stop" spin 1
    HG_RUN=$HG_TIMEOUT_S hg_case doorbell-loop "$stop" spin 2
    HG_RUN=$HG_TIMEOUT_S hg_case port-loop "$stop" spin 3
    HG_RUN=$HG_TIMEOUT_S hg_case doorbell-loop-unknown "refused shim made unknown hypercall 0$" spin 4 0
    HG_RUN=$HG_TIMEOUT_S hg_case sleep-loop "$stop" spin 5 -1
}

# One access to guest-physical memory of every kind (tests/hostile/touch.S), with a
# 32 MiB guest: RAM answers as memory; the doorbell is a hypercall when written at its
# first byte (the guest exits 42) and refused otherwise; everything else is refused.
hg_memory_cases() {
    local HG_MEM=32 bell=0x3fc0000000 size
    hg_case gpa/ram-page-0 "status 0" touch 0 0 8 1
    hg_case gpa/ram-hypercall-block "status 0" touch 0x100000 0 8 1
    for size in 1 2 4 8; do
        hg_case "gpa/doorbell-write-$size" "status 42" touch $bell 0 $size 1
        hg_case "gpa/doorbell-read-$size" "refused guest accessed unbacked memory at 0x3fc0000000 " \
            touch $bell 0 $size 0
    done
    hg_case gpa/doorbell-straddle "refused guest accessed unbacked memory at 0x3fc0000ffd " touch $bell 0xffd 8 1
    hg_case gpa/doorbell-next-page "refused guest accessed unbacked memory at 0x3fc0001000 " touch $bell 0x1000 8 1
    hg_case gpa/past-ram "refused guest accessed unbacked memory at 0x2000000 " touch 0x2000000 0 8 1
    hg_case gpa/past-ram-read "refused guest accessed unbacked memory at 0x2000008 " touch 0x2000000 8 4 0
    hg_case gpa/below-doorbell "refused guest accessed unbacked memory at 0x1000000000 " touch 0x1000000000 0 8 1
    hg_case gpa/image-read "status 0" touch 0x4000000000 0 8 0
    hg_case gpa/image-write "refused guest accessed unbacked memory at 0x4000000000 " touch 0x4000000000 0 8 1
    hg_case gpa/past-image "refused guest accessed unbacked memory at 0x7fffe00000 " touch 0x7fffe00000 0 8 0
    # past the host's physical address width: a reserved-bit fault, and no IDT
    hg_case gpa/beyond-address-width "refused the guest shut down: triple fault" touch 0x4000000000000 0 8 1
    HG_MEM=64 hg_case gpa/all-ram "status 0" ram
}

hostile_guest_all() {
    local dir=$WORK/hostile-guest-$ASAN_PASS
    mkdir -p "$dir"
    if [[ ! -x $BUILD_DIR/tests/tools/cwi_raw_guest || ! -f $BUILD_DIR/tests/hostile/hcall.bin ]]; then
        fail "$PREFIX/build" "the raw guests or cwi_raw_guest are not built (make unit)"
        return 0
    fi
    hg_hypercall_cases
    hg_runaway_cases
    hg_memory_cases
    hg_timeout_cases
    hg_memhog_cases
}

# hg_run_on_idle_fifo DIR IN OUT ARGS...: `cloister run ARGS` with stdin IN and stdout OUT
# while another process holds DIR/fifo open and never reads or writes it, so that a run
# whose stdin or stdout is that fifo blocks in the monitor for good. Sets RC.
hg_run_on_idle_fifo() {
    local dir=$1 in=$2 out=$3
    shift 3
    rm -f "$dir/fifo"
    mkfifo "$dir/fifo"
    sleep $((TIMEOUT + 5)) 3<>"$dir/fifo" &
    local holder=$!
    timeout -k 5 "$TIMEOUT" "$CLOISTER" run "$@" <"$in" >"$out" 2>"$dir/err"
    RC=$?
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
}

# --timeout against real workloads (tests/progs/runaway.c), on both PVM routes; and a
# run that ends in time is left alone.
hg_timeout_cases() {
    local dir=$WORK/hostile-guest-$ASAN_PASS how route name
    local stop="refused the workload ran past --timeout $HG_TIMEOUT_S s and was stopped$"
    for route in ring3 trap; do
        for how in spin sleep stdin; do
            name=$PREFIX/timeout/$route/$how
            begin "$name" || continue
            # stdin from a fifo nobody writes: the read blocks in the monitor's hypercall
            hg_run_on_idle_fifo "$dir" "$dir/fifo" "$dir/out" --pvm-route $route \
                --timeout $HG_TIMEOUT_S "$PROGS/musl/runaway" $how
            hg_judge "$name" "$stop" "$dir"
        done
    done
    # a write to a stdout nobody reads: the monitor's write blocks once the pipe is full
    for route in ring3 trap; do
        name=$PREFIX/timeout/$route/stdout-full
        begin "$name" || continue
        hg_run_on_idle_fifo "$dir" /dev/null "$dir/fifo" --pvm-route $route \
            --timeout $HG_TIMEOUT_S "$PROGS/musl/bigout"
        hg_judge "$name" "$stop" "$dir"
    done
    # on the ring-3 route the shim's pages are the workload's to jump into
    name=$PREFIX/timeout/ring3/jump-into-shim
    if begin "$name"; then
        timeout -k 5 "$TIMEOUT" "$CLOISTER" run --timeout $HG_TIMEOUT_S "$PROGS/musl/runaway" shim \
            </dev/null >"$dir/out" 2>"$dir/err"
        RC=$?
        # on hardware the shim's pages are out of the workload's reach: a clean SIGSEGV
        if ((RC == 139)); then
            hg_judge "$name" "line 139 workload killed by SIGSEGV" "$dir"
        else
            hg_judge "$name" "$stop" "$dir"
        fi
    fi
    # libcloister: timed-out runs one after another in one process (the ASan build's,
    # in its pass), with no leak of memory or descriptors and the last status 125
    name=$PREFIX/timeout/embed-repeated
    if begin "$name"; then
        local embed=$BUILD_DIR/examples/embed runs=5
        ((ASAN_PASS)) && embed=$ASAN_DIR/examples/embed
        (ulimit -n 64 && exec timeout -k 5 "$TIMEOUT" "$embed" --times $runs --timeout-ms 300 \
            "$PROGS/musl/runaway" spin) </dev/null >"$dir/out" 2>"$dir/err"
        RC=$?
        local n
        n=$(grep -c 'failed: the workload ran past --timeout 0.3 s and was stopped$' "$dir/err")
        if ((RC != 125)); then
            fail "$name" "$(describe_status "$RC"), expected 125" "$dir/err"
        elif ((n != runs)) || grep -q Sanitizer "$dir/err"; then
            fail "$name" "$n of $runs runs stopped by the timeout" "$dir/err"
        else
            pass "$name"
        fi
    fi
    name=$PREFIX/timeout/in-time
    if begin "$name"; then
        timeout -k 5 "$TIMEOUT" "$CLOISTER" run --timeout 10 "$PROGS/musl/exitcode" 7 </dev/null \
            >"$dir/out" 2>"$dir/err"
        RC=$?
        hg_judge "$name" "status 7" "$dir"
    fi
    name=$PREFIX/timeout/bad-value
    if begin "$name"; then
        "$CLOISTER" run --timeout 0 "$PROGS/musl/exitcode" 7 </dev/null >"$dir/out" 2>"$dir/err"
        RC=$?
        if ((RC != 2)) || ! grep -q "^cloister: run: --timeout wants seconds" "$dir/err"; then
            fail "$name" "$(describe_status "$RC"), expected the usage error" "$dir/err"
        else
            pass "$name"
        fi
    fi
}

# Allocation until guest RAM runs out (tests/progs/memhog.c): the shim kills the
# workload with SIGKILL, in one line, and the monitor's peak RSS (--stats) stays within
# the guest's RAM plus the monitor's own ~16 MiB. musl's sbrk refuses to grow, as on
# Linux, hence glibc for brk.
hg_memhog_cases() {
    local dir=$WORK/hostile-guest-$ASAN_PASS v how mem=64 limit
    for v in musl glibc; do
        for how in mmap malloc brk; do
            [[ $v == musl && $how == brk ]] && continue
            local name=$PREFIX/memhog/$v/$how
            begin "$name" || continue
            timeout -k 5 "$TIMEOUT" "$CLOISTER" run --stats --mem ${mem}M "$PROGS/$v/memhog" $how \
                </dev/null >"$dir/out" 2>"$dir/stats"
            RC=$?
            grep -v '^cloister: stats:' "$dir/stats" >"$dir/err"
            local rss
            rss=$(sed -n 's/.*peak RSS \([0-9]*\) KiB.*/\1/p' "$dir/stats")
            # ASan's shadow memory and quarantine are the build's, not the guest's
            limit=$(((mem + 16 + 48 * ASAN_PASS) * 1024))
            if [[ -z $rss ]]; then
                fail "$name" "no peak RSS in --stats ($(describe_status "$RC"))" "$dir/stats"
            elif ((rss > limit)); then
                fail "$name" "peak RSS $rss KiB, more than $limit KiB" "$dir/stats"
            else
                echo "$name: monitor peak RSS $rss KiB for a ${mem} MiB guest"
                hg_judge "$name" "line 137 workload killed by SIGKILL: out of memory at address 0x[0-9a-f]+, rip" "$dir"
            fi
        done
    done
}

hostile_guest_cases() {
    local PREFIX=hostile-guest ASAN_PASS=0
    hostile_guest_all
}

asan_hostile_guest_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        fail asan/hostile-guest "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister PREFIX=asan/hostile-guest ASAN_PASS=1
    hostile_guest_all
}

register_group 150 hostile-guest vm hostile_guest_cases hostile-guest/
register_group 151 asan/hostile-guest vm asan_hostile_guest_cases asan/hostile-guest/
