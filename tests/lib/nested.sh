# The VM cases in nested guests (tests/nested/vm), for machines whose /dev/kvm is
# missing or is PVM's (which never takes the shim's hardware route). Sourced by
# tests/run. docs/testing.md says why and what it costs.
#
# The host runs every case that starts no VM itself, then boots NESTED_SHARDS guests
# side by side (one vCPU each: multi-threaded TCG hung the guest's 9p), each running
# `tests/run --inside-nested --shard I/N`: the VM cases whose turn is I. Their results
# stream back and are counted here as if run here.
#
# QEMU's 9p file share, through which a guest sees the host's files, has been seen to
# stall (a request that never completes; docs/testing.md). A guest
# whose task stays blocked in 9p for a minute is replaced by a new one that goes on
# from the case it stopped in, at most NESTED_RESTARTS times a shard. Any other stop is
# a failure of the case it stopped in.

NESTED_SHARDS=${TESTS_NESTED_SHARDS:-2}
NESTED_TIMEOUT=100 # seconds, the bound on each program a case runs inside a guest (TCG is slow)
NESTED_IDLE=360    # a guest silent this long has stopped: longer than any case can be quiet
NESTED_BOUND=2700  # seconds, a whole shard, boot included
NESTED_RESTARTS=2  # new guests a shard may start after its 9p share stalled
NESTED_VM=${NESTED_VM:-tests/nested/vm} # the harness's own test replaces it

# nested_missing: prints what the nested machine lacks here, or nothing.
nested_missing() {
    command -v qemu-system-x86_64 >/dev/null || echo "qemu-system-x86_64 is not installed"
    [[ -f ${CLOISTER_GUEST_KERNEL:-third_party/guest-kernel}/release ]] ||
        echo "no guest kernel in third_party/guest-kernel"
    return 0
}

# nested_prepare: work done on the host once for every guest: the simulated secure
# processors (RSA-4096 keys: ~1.5 s here, ~30 s under TCG).
nested_prepare() {
    local n
    could_match attest/ secrets/ || return 0
    mkdir -p "$WORK/chips"
    for n in $SIM_CHIP_NAMES; do
        timeout -k 5 120 "$CLOISTER" sim init "$WORK/chips/$n" >/dev/null 2>&1 ||
            rm -rf "$WORK/chips/$n" # the guest then makes its own
    done
}

# run_nested PREFIX: the VM cases in NESTED_SHARDS nested guests; results are named
# PREFIX+name. Adds their counts to this process's.
run_nested() {
    local prefix=$1 i pids=() missing entry kind any=0
    for entry in "${GROUP_LIST[@]}"; do
        read -r _ _ kind _ prefixes <<<"$entry"
        [[ $kind != host ]] && could_match $prefixes && any=1
    done
    ((any)) || return 0 # the filter selects no VM case
    missing=$(nested_missing)
    if [[ -n $missing ]]; then
        fail "${prefix}nested" "cannot start a nested machine: ${missing//$'\n'/; } (scripts/install-deps)"
        return 0
    fi
    nested_prepare
    local args=(--build "$BUILD_DIR" --asan-build "$ASAN_DIR")
    [[ -n $FILTER ]] && args+=(--filter "$FILTER")
    for ((i = 0; i < NESTED_SHARDS; i++)); do
        nested_shard "$i" "${args[@]}" | relay_results "$prefix" "nested-$i" "$WORK/nested-$i.counts" &
        pids+=($!)
    done
    wait "${pids[@]}"
    local p f s line
    for ((i = 0; i < NESTED_SHARDS; i++)); do
        read -r p f s <"$WORK/nested-$i.counts" || {
            fail "${prefix}nested-$i" "the results of this nested guest were lost"
            continue
        }
        PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + s))
        while IFS= read -r line; do
            [[ $line == F* ]] && FAILED_NAMES+=("${line#F }")
            [[ $line == S* ]] && SKIPPED_NAMES+=("${line#S }")
        done < <(tail -n +2 "$WORK/nested-$i.counts")
    done
}

# nested_shard I ARGS...: the stream of shard I's guest (tests/run ARGS inside), then
# "@@vm-status STATUS". When the guest's 9p share stalled, or the whole guest stopped
# (tests/nested/vm tells both), a line "@@vm-restart WHY" and the stream of a new guest
# that goes on from the turn of the case it stopped in.
nested_shard() {
    local i=$1 start=$SECONDS resume=0 restarts=0 left st turn why
    shift
    while :; do
        left=$((NESTED_BOUND - (SECONDS - start)))
        ((left > 0)) || left=1
        "$NESTED_VM" --idle "$NESTED_IDLE" --timeout "$left" \
            --console "$WORK/nested-$i.console" --env "TESTS_SIM_CHIPS=$WORK/chips" \
            -- tests/run --inside-nested --shard "$i/$NESTED_SHARDS" --resume-turn "$resume" "$@" \
            2>"$WORK/nested-$i.err" | tee "$WORK/nested-$i.stream"
        st=${PIPESTATUS[0]}
        why=""
        ((st == 124 && restarts < NESTED_RESTARTS)) &&
            why=$(grep -m 1 '^nested: ' "$WORK/nested-$i.err" | sed "s/^nested: //; s/; console's last lines:\$//")
        case $why in
        "the guest stalled: "*" at p9_"*) why+=" (the host's 9p file share, not the case)" ;;
        *"the guest stopped whole") why+=" (the test machine, not the case: every program a case runs has a bound of its own)" ;;
        *) why="" ;;
        esac
        if [[ -n $why ]]; then
            turn=$(sed -n 's/^@@case [^ ]* \([0-9][0-9]*\)$/\1/p' "$WORK/nested-$i.stream" | tail -n 1)
            resume=${turn:-$resume} restarts=$((restarts + 1))
            printf '@@vm-restart %s\n' "$why"
            continue
        fi
        echo "@@vm-status $st"
        return 0
    done
}

# relay_results PREFIX SHARD COUNTS: reads a guest's stream on stdin and prints its
# results (named PREFIX+name) as they come, a failure with its detail lines at once;
# writes "PASSED FAILED SKIPPED", then "F name" and "S name: reason" lines, to COUNTS.
# "@@case NAME TURN" marks the case running, so that a guest that stops is reported
# with the case it stopped in. After "@@vm-restart WHY" a new guest goes on from that
# case: a result it gives again for a case already reported (one of a pinned group
# run again from its start) is dropped, so each case counts once.
relay_results() {
    local prefix=$1 shard=$2 counts=$3 line current="" reported=1 block="" p=0 f=0 s=0 names=()
    local dropping=0 result
    local -A seen=()
    flush() {
        [[ -n $block ]] && printf '%s' "$block"
        block=""
    }
    while IFS= read -r line; do
        # a result seen before, and the detail lines under it, are dropped
        case $line in
        "PASS "* | "FAIL "* | "SKIP "*)
            result=${line#* }
            result=${result%%: *}
            dropping=0
            [[ -n ${seen[$result]:-} ]] && dropping=1
            seen[$result]=1
            ;;
        "      "*) ;;
        *) dropping=0 ;;
        esac
        ((dropping)) && continue
        case $line in
        "@@case "*)
            flush
            current=${line#@@case } reported=0
            current=${current%% *}
            ;;
        "@@vm-restart "*)
            flush
            printf '%s: %s: a new guest goes on from %s\n' "$shard" "${line#@@vm-restart }" \
                "${current:-the case after the last one reported}"
            current="" reported=1
            ;;
        "@@vm-status "*)
            flush
            local st=${line#@@vm-status }
            if ((st == 124)); then
                local name=${current:+$prefix$current}
                ((reported)) && name=$prefix$shard
                f=$((f + 1)) names+=("F $name")
                printf 'FAIL %s: the nested guest stopped making progress here (%s); the cases after it in %s did not run\n' \
                    "$name" "$(grep -m 1 '^nested: ' "$WORK/$shard.err" | sed "s/^nested: //; s/; console's last lines:\$//")" "$shard"
                sed 's/^/      /' "$WORK/$shard.err" | head -n 8
            elif ((st != 0 && st != 1)); then
                f=$((f + 1)) names+=("F $prefix$shard")
                printf 'FAIL %s: the nested guest ended with status %s\n' "$prefix$shard" "$st"
                sed 's/^/      /' "$WORK/$shard.err" | head -n 8
            fi
            ;;
        "PASS "*)
            flush
            p=$((p + 1)) reported=1
            printf 'PASS %s%s\n' "$prefix" "${line#PASS }"
            ;;
        "FAIL "*)
            flush
            f=$((f + 1)) reported=1
            local rest=${line#FAIL }
            names+=("F $prefix${rest%%: *}")
            block="FAIL $prefix$rest"$'\n'
            ;;
        "SKIP "*)
            flush
            s=$((s + 1)) reported=1
            names+=("S $prefix${line#SKIP }")
            printf 'SKIP %s%s\n' "$prefix" "${line#SKIP }"
            ;;
        "      "*)
            if [[ -n $block ]]; then block+=$line$'\n'; else printf '%s\n' "$line"; fi
            ;;
        *)
            flush
            printf '%s: %s\n' "$shard" "$line"
            ;;
        esac
    done
    flush
    {
        printf '%d %d %d\n' "$p" "$f" "$s"
        ((${#names[@]})) && printf '%s\n' "${names[@]}"
    } >"$counts"
    return 0
}

# nested_width_cases: Cloister in nested guests whose CPUs have 39, 40, 46 and 48
# physical address bits (Intel client parts have 39, QEMU's default is 40, EPYC under
# SEV-SNP has fewer than 48): a static and a dynamic program, bare and from an image,
# print what they print natively.
nested_width_cases() {
    local bits name missing want
    missing=$(nested_missing)
    want=$("$PROGS/glibc/hello" && /usr/bin/echo dynamic)
    "$CLOISTER" build -o "$WORK/width.cwi" --entry /usr/bin/echo --allow-args >/dev/null 2>&1
    for bits in 39 40 46 48; do
        name=nested/phys-bits-$bits
        begin "$name" || continue
        if [[ -n $missing ]]; then
            fail "$name" "cannot start a nested machine: ${missing//$'\n'/; } (scripts/install-deps)"
            continue
        fi
        tests/nested/vm --phys-bits "$bits" --idle 120 --timeout 600 -- bash -c \
            'grep -m1 "^address sizes" /proc/cpuinfo; "$1" run "$2" && "$1" run "$3" dynamic' \
            - "$CLOISTER" "$PROGS/glibc/hello" "$WORK/width.cwi" >"$WORK/width.out" 2>"$WORK/width.err"
        RC=$?
        if ((RC != 0)); then
            fail "$name" "$(describe_status "$RC")" "$WORK/width.out" "$WORK/width.err"
        elif ! head -n 1 "$WORK/width.out" | grep -q "address sizes.* $bits bits physical"; then
            fail "$name" "the guest's CPU does not have $bits physical address bits" "$WORK/width.out"
        elif [[ $(tail -n +2 "$WORK/width.out") != "$want" ]]; then
            fail "$name" "the output differs from the native run's" "$WORK/width.out"
        else
            pass "$name"
        fi
    done
}

register_group 150 nested-widths host nested_width_cases nested/phys-bits
