# Many at once (issue 10, item 7): MANY_N workloads (default 100) started together from
# one shell loop, each with its own input, arguments and output files, every output and
# status checked against a native run of the same program on the same input (any
# cross-talk or loss shows); the host memory each idle workload costs; nothing left
# behind once they exit (processes, temporary files, the shell's descriptors, host
# memory; and libcloister's descriptors over runs in one process); and the same with
# --tee sim and secrets from one broker. docs/testing.md says what it costs.

MANY_N=${TESTS_MANY_N:-100}
# --tee sim workloads at once. In a nested guest (one TCG vCPU) the broker takes ~70 ms
# of CPU an attestation (3.7 ms natively), answers one at a time and shares the vCPU with
# the guests' own key exchanges, so with 100 at once the last ~40 wait longer than the
# monitor's 10 s bound on a broker reply (NET_TIMEOUT_S, src/vmm/hc_net.c) and their
# launches fail: 58 of 100 got their secret there. 40 stay within it; docs/testing.md.
# (many_cases sets the --tee sim count: tests/run reads --inside-nested after sourcing this)
MANY_KINDS=5 # workload kinds, dealt out in turn by index (many_cmd)

# many_note NAME TEXT: a line of detail under NAME's result (measurements), when the
# filter selects NAME.
many_note() {
    wanted "$1" && printf '      %s\n' "$2"
    return 0
}

# many_input I FILE: workload I's own input: text lines naming I, their number and order
# depending on I, so that two workloads' inputs (and results) all differ.
many_input() {
    awk -v i="$1" 'BEGIN {
        n = 1 + (i * 37) % 200
        for (k = 0; k < n; k++)
            printf "workload %d line %d key %d\n", i, k, (k * 7919 + i * 104729) % 1000
    }' >"$2"
}

# many_cmd I vm|native IMAGE: sets CMD to workload I's command: in a VM (through
# $CLOISTER run) or natively, with the same environment. Kinds by I mod MANY_KINDS: a
# static musl program reading stdin, a static-PIE glibc program given arguments naming
# I, a dynamic glibc program (sha256sum), a `cloister build` image of sort, and a static
# glibc program with an environment variable naming I.
many_cmd() {
    local i=$1 mode=$2 image=$3
    case $((i % MANY_KINDS)) in
    0) CMD=("$PROGS/musl/stdin_sum") ;;
    1) CMD=("$PROGS/glibc-pie/args" "workload-$i" "input in.$i") ;;
    2) CMD=(/usr/bin/sha256sum -) ;;
    3) CMD=(/usr/bin/sort -t ' ' -k 6n -k 4n) ;;
    4) CMD=(--env "MANY_INDEX=$i" "$PROGS/glibc/args" "x$i") ;;
    esac
    if [[ $mode == native ]]; then
        [[ ${CMD[0]} == --env ]] && CMD=(env -i "${CMD[1]}" "${CMD[@]:2}") || CMD=(env -i "${CMD[@]}")
    elif ((i % MANY_KINDS == 3)); then
        CMD=("$CLOISTER" run "$image" "${CMD[@]:1}") # the image's entry is sort
    else
        CMD=("$CLOISTER" run "${CMD[@]}")
    fi
}

# many_launch DIR N FUNCTION ARGS...: the launcher script DIR/launch.sh: one loop that
# starts N workloads at once, workload I's command set by `FUNCTION I ARGS...` (CMD),
# with stdin from in.I (through a pipe for every third) and stdout and stderr into out.I
# and err.I (stdout through a pipe for every other), its status into st.I. It writes its
# session id first (every process it starts stays in that session unless it leaves it)
# and waits for all.
many_launch() {
    local dir=$1 n=$2 fn=$3
    shift 3
    {
        printf '#!/usr/bin/env bash\n'
        declare -p CLOISTER PROGS MANY_KINDS TIMEOUT
        declare -f "$fn"
        printf 'dir=%q n=%q bound=%q fn=%q\n' "$dir" "$n" $((TIMEOUT * 6)) "$fn"
        printf 'args=(%s)\n' "$(printf '%q ' "$@")"
        cat <<'EOF'
echo $$ >"$dir/sid"
for ((i = 0; i < n; i++)); do
    "$fn" "$i" "${args[@]}"
    (
        cmd=(timeout -k 5 "$bound" "${CMD[@]}")
        if ((i % 3 == 1)); then
            cat "$dir/in.$i" | "${cmd[@]}" 2>"$dir/err.$i" | cat >"$dir/out.$i"
            rc=${PIPESTATUS[1]}
        elif ((i % 2)); then
            "${cmd[@]}" <"$dir/in.$i" 2>"$dir/err.$i" | cat >"$dir/out.$i"
            rc=${PIPESTATUS[0]}
        else
            "${cmd[@]}" <"$dir/in.$i" >"$dir/out.$i" 2>"$dir/err.$i"
            rc=$?
        fi
        echo "$rc" >"$dir/st.$i"
    ) &
done
wait
EOF
    } >"$dir/launch.sh"
}

# many_expected DIR N IMAGE: every workload run natively on its input: want.I, wst.I.
many_expected() {
    local dir=$1 n=$2 i
    for ((i = 0; i < n; i++)); do
        many_cmd "$i" native "$3"
        "${CMD[@]}" <"$dir/in.$i" >"$dir/want.$i" 2>/dev/null
        echo $? >"$dir/wst.$i"
    done
}

# many_check NAME DIR N: every workload's status, stdout and stderr are the native run's
# (stderr empty); fails NAME with the first differences.
many_check() {
    local name=$1 dir=$2 n=$3 i bad=0
    : >"$dir/bad"
    for ((i = 0; i < n; i++)); do
        if [[ ! -s $dir/st.$i ]]; then
            echo "workload $i: no status (it never ended?)" >>"$dir/bad"
        elif [[ $(<"$dir/st.$i") != $(<"$dir/wst.$i") ]]; then
            echo "workload $i: $(describe_status "$(<"$dir/st.$i")"), natively $(<"$dir/wst.$i"): $(head -c 150 "$dir/err.$i")" >>"$dir/bad"
        elif ! same_file "workload $i stdout" "$dir/out.$i" "$dir/want.$i"; then
            head -n 3 "$WORK/diff" >>"$dir/bad"
        elif [[ -s $dir/err.$i ]]; then
            echo "workload $i: stderr not empty: $(head -c 150 "$dir/err.$i")" >>"$dir/bad"
        else
            continue
        fi
        bad=$((bad + 1))
    done
    if ((bad)); then
        fail "$name" "$bad of $n workloads wrong" "$dir/bad"
        return 1
    fi
    return 0
}

# many_snapshot FILE SHELL-PID: the shell's descriptors, MemAvailable, and the sum of
# every process's anonymous and shared memory (kB): "mem" is the first two added, so
# that other processes growing or shrinking (a shared machine) leave it about the same,
# while memory lost outside every process (the kernel's side of a VM) lowers it.
many_snapshot() {
    local avail anon
    avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    anon=$(cat /proc/[0-9]*/status 2>/dev/null | awk '/^Rss(Anon|Shmem):/ {t += $2} END {print t + 0}')
    {
        echo "fds $(ls /proc/"$2"/fd | wc -l)"
        echo "mem $((avail + anon))"
        echo "avail $avail"
    } >"$1"
}

# many_private_tmp DIR [K=V...] COMMAND...: runs COMMAND in a mount namespace of its own
# whose /tmp (TMPDIR) and /dev/shm are new empty tmpfs, so that whatever the run leaves
# there is its own (a shared machine's /tmp changes all the time); the test's scratch
# directory $WORK, and the repository if it lies under /tmp, are bound back at their
# places. Lists what is left there into DIR/tmp-left (absent if the namespace could not
# be made: unshare.err says why).
many_private_tmp() {
    local dir=$1
    shift
    rm -f "$dir/tmp-left"
    unshare -m --propagation private bash -c '
        set -e
        dir=$1 work=$2 tmp=${TMPDIR:-/tmp}
        shift 2
        exec {w}<"$work" {r}<"$PWD"
        mount -t tmpfs many-shm /dev/shm
        mount -t tmpfs many-tmp "$tmp"
        # a clone of the repository under /tmp (as CI may make) must stay where it is
        case $PWD/ in "$tmp"/*)
            mkdir -p "$PWD"
            mount --no-canonicalize --bind "/proc/self/fd/$r" "$PWD" ;;
        esac
        mkdir -p "$work"
        mount --no-canonicalize --bind "/proc/self/fd/$w" "$work"
        exec {w}<&- {r}<&-
        set +e
        env "$@"
        # what the run left, but not the bound-back places or the directories made for them
        find "$tmp" /dev/shm -mindepth 1 \( -path "$work" -o -path "$PWD" \) -prune -o -print |
            while read -r f; do
                case $work/ in "$f"/*) continue ;; esac
                case $PWD/ in "$f"/*) continue ;; esac
                echo "$f"
            done >"$dir/tmp-left"
        exit 0
    ' - "$dir" "$WORK" "$@" 2>"$dir/unshare.err"
}

# many_session_left SID: the processes still in session SID, one line each.
many_session_left() {
    local stat p
    for stat in /proc/[0-9]*/stat; do
        p=$(cat "$stat" 2>/dev/null) || continue
        p=${p##*) } # the fields after the command name: state ppid pgrp session ...
        read -r _ _ _ s _ <<<"$p"
        [[ $s == "$1" ]] && echo "pid ${stat//[^0-9]/}: $(tr '\0' ' ' <"${stat%stat}cmdline" 2>/dev/null | head -c 120)"
    done
    return 0
}

# many_left_nothing NAME DIR SID SHELL-PID MEM-MARGIN-KB: nothing of the run is left: no
# process in its session, no new entry in the private /tmp and /dev/shm (many_private_tmp),
# the shell's descriptors as before, host memory back to within the margin (MemAvailable
# corrected for other processes' memory, many_snapshot; best of a few samples).
many_left_nothing() {
    local name=$1 dir=$2 before=$2/before sid=$3 shpid=$4 margin=$5 mem0 mem k
    many_session_left "$sid" >"$WORK/many-left"
    if [[ -s $WORK/many-left ]]; then
        fail "$name" "processes of the run are still there" "$WORK/many-left"
        return
    fi
    if [[ ! -f $dir/tmp-left ]]; then
        fail "$name" "the private /tmp and /dev/shm were not set up" "$dir/unshare.err"
        return
    elif [[ -s $dir/tmp-left ]]; then
        fail "$name" "new files in /tmp or /dev/shm" "$dir/tmp-left"
        return
    fi
    mem0=$(awk '$1 == "mem" {print $2}' "$before")
    for ((k = 0; k < 20; k++)); do
        many_snapshot "$WORK/many-after" "$shpid"
        mem=$(awk '$1 == "mem" {print $2}' "$WORK/many-after")
        ((mem + margin >= mem0)) && break
        sleep 0.5
    done
    if [[ $(grep '^fds' "$before") != $(grep '^fds' "$WORK/many-after") ]]; then
        fail "$name" "the shell's descriptors: $(grep '^fds' "$before"), after: $(grep '^fds' "$WORK/many-after")"
    elif ((mem + margin < mem0)); then
        fail "$name" "host memory not in processes: $(((mem0 - mem) / 1024)) MiB less after (margin $((margin / 1024)) MiB; MemAvailable $(($(awk '$1 == "avail" {print $2}' "$before") / 1024)) MiB before, $(($(awk '$1 == "avail" {print $2}' "$WORK/many-after") / 1024)) after)"
    else
        pass "$name"
        many_note "$name" "host memory not in processes: $(((mem0 - mem) / 1024)) MiB less after (margin $((margin / 1024)) MiB); shell descriptors $(awk '$1 == "fds" {print $2}' "$before") before and after"
    fi
}

# many_run NAME DIR N FUNCTION ARGS...: starts N workloads at once with many_launch
# (TMPDIR their own empty directory), checks them against DIR/want.I and DIR/wst.I and
# what is left; sets MANY_WALL (seconds).
many_run() {
    local name=$1 dir=$2 n=$3 shpid=$BASHPID t0 t1 sid
    shift 3
    many_launch "$dir" "$n" "$@"
    mkdir -p "$dir/tmp"
    many_snapshot "$dir/before" "$shpid"
    t0=$(date +%s.%N)
    many_private_tmp "$dir" TMPDIR="$dir/tmp" setsid bash "$dir/launch.sh" </dev/null
    t1=$(date +%s.%N)
    MANY_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
    sid=$(<"$dir/sid")
    if many_check "$name" "$dir" "$n"; then
        pass "$name"
        many_note "$name" "$n workloads at once: ${MANY_WALL} s wall, status and stdout as natively, stderr empty"
    fi
    begin "$name-left-nothing" || return 0
    if [[ -n $(ls -A "$dir/tmp") ]]; then
        ls -A "$dir/tmp" >"$WORK/many-new"
        fail "$name-left-nothing" "files left in the workloads' TMPDIR" "$WORK/many-new"
    else
        # the margin: about a whole idle workload's share of host memory (MemAvailable
        # falls 2-3 MiB a workload, bench/many.sh), so that losing that much for every
        # workload shows, and no less than what other work on a shared machine moves
        # MemAvailable by in the same time (up to ~200 MiB seen). A smaller leak (a
        # part of KVM's per-VM structures) shows only on a quiet machine, if at all.
        local margin=$((n * 3 * 1024))
        ((margin < 256 * 1024)) && margin=$((256 * 1024))
        many_left_nothing "$name-left-nothing" "$dir" "$sid" "$shpid" "$margin"
    fi
}

# many_idle NAME DIR N: N workloads (static musl stdin_sum and dynamic sha256sum in turn)
# blocked reading stdin from their own fifos; once every monitor waits in read(0), each
# one's RSS and PSS; then each gets its own input, and must print what a native run does.
many_idle() {
    local name=$1 dir=$2 n=$3 i k fds=() pids=() mem0 mem1 waiting
    for ((i = 0; i < n; i++)); do
        mkfifo "$dir/fifo.$i"
        exec {k}<>"$dir/fifo.$i" # holds the writing end; opening read-write never blocks
        fds+=("$k")
    done
    mem0=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    for ((i = 0; i < n; i++)); do
        # without the shell's writing ends (a workload holding another's would keep it
        # from ever seeing end of file); the subshell becomes the monitor
        (
            for k in "${fds[@]}"; do exec {k}>&-; done
            if ((i % 2)); then
                exec "$CLOISTER" run /usr/bin/sha256sum - <"$dir/fifo.$i" >"$dir/out.$i" 2>"$dir/err.$i"
            else
                exec "$CLOISTER" run "$PROGS/musl/stdin_sum" <"$dir/fifo.$i" >"$dir/out.$i" 2>"$dir/err.$i"
            fi
        ) &
        pids+=($!)
    done
    many_wait_reading $((TIMEOUT * 3)) "${pids[@]}"
    waiting=$MANY_WAITING
    mem1=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    for i in "${pids[@]}"; do
        awk -v p="$i" '/^Rss:/ {r = $2} /^Pss:/ {s = $2} END {print p, r, s}' /proc/"$i"/smaps_rollup 2>/dev/null
    done >"$dir/mem"
    for ((i = 0; i < n; i++)); do
        cat "$dir/in.$i" >&"${fds[i]}"
        exec {fds[i]}>&-
    done
    local st=()
    for i in "${pids[@]}"; do
        wait "$i"
        st+=($?)
    done
    if ((waiting != n)); then
        fail "$name" "only $waiting of $n workloads came to wait for input in $((TIMEOUT * 3)) s"
        return
    fi
    for ((i = 0; i < n; i++)); do
        echo "${st[i]}" >"$dir/st.$i"
        if ((i % 2)); then
            env -i /usr/bin/sha256sum - <"$dir/in.$i" >"$dir/want.$i"
        else
            env -i "$PROGS/musl/stdin_sum" <"$dir/in.$i" >"$dir/want.$i"
        fi
        echo $? >"$dir/wst.$i"
    done
    if [[ $(wc -l <"$dir/mem") != "$n" ]]; then
        fail "$name" "could not read every monitor's smaps_rollup" "$dir/mem"
    elif many_check "$name" "$dir" "$n"; then
        pass "$name"
        many_note "$name" "$n idle monitors, RSS: $(awk '{print $2}' "$dir/mem" | many_stats)"
        many_note "$name" "$n idle monitors, PSS: $(awk '{print $3}' "$dir/mem" | many_stats)"
        many_note "$name" "MemAvailable fell $(((mem0 - mem1) / 1024)) MiB: $(((mem0 - mem1) / n)) kB a workload (kernel side included)"
    fi
}

# many_embed_fds NAME: libcloister running workloads one after another in one process
# (examples/embed --count-fds) has as many descriptors open after as before.
many_embed_fds() {
    local name=$1 embed=$BUILD_DIR/examples/embed image=$2 what
    if [[ ! -x $embed ]]; then
        fail "$name" "$embed is not built (make examples)"
        return
    fi
    : >"$WORK/embed-fds"
    for what in "$PROGS/musl/exitcode 3" "$PROGS/glibc/exitcode 3" "/usr/bin/sh -c exit\ 3" "$image -c exit\ 3"; do
        eval "set -- $what"
        timeout -k 5 $((TIMEOUT * 3)) "$embed" --count-fds --times 10 "$@" \
            </dev/null >/dev/null 2>>"$WORK/embed-fds"
        RC=$?
        if ((RC != 3)); then
            fail "$name" "embed $what: $(describe_status "$RC"), wanted 3" "$WORK/embed-fds"
            return
        fi
    done
    local counts
    counts=$(grep -c '^embed: descriptors: \([0-9]*\) before, \1 after$' "$WORK/embed-fds")
    if [[ $counts != 4 ]]; then
        fail "$name" "descriptors before and after differ (or were not counted)" "$WORK/embed-fds"
    else
        pass "$name"
        many_note "$name" "$(grep -m1 '^embed: descriptors' "$WORK/embed-fds") 10 runs (4 programs)"
    fi
}

# many_sim_cmd I IMAGE-A IMAGE-B CHIP: workload I under --tee sim: image A (even I) or B
# (odd I), each sealed with its own secret from the one broker; busybox cat prints the
# secret, then its own stdin (whose lines name I). Not a shell script: a workload is one
# process (no fork or exec), and busybox sh's read needs poll(2), which the shim lacks.
many_sim_cmd() {
    local i=$1 img=$2 file=/run/secrets/db
    ((i % 2)) && img=$3 file=/run/secrets/other
    CMD=("$CLOISTER" run --tee sim --sim-dir "$4" "$img" cat "$file" -)
}

# many_sim_secrets NAME DIR N: one `cloister kbs`, two images with a secret each, and N
# --tee sim workloads at once, each attesting to the broker for its secret.
many_sim_secrets() {
    local name=$1 dir=$2 n=$3 chip=$WORK/simchip res=$WORK/many-res log=$WORK/many-kbs.log i port
    if [[ -z $BUSYBOX ]]; then
        fail "$name" "busybox not installed (scripts/install-deps installs busybox-static)"
        return
    fi
    rm -rf "$dir" && mkdir -p "$dir" "$res/default/key"
    [[ -f $chip/ark.pem ]] || sim_chip "$chip" >"$WORK/sim.out" 2>&1 || {
        fail "$name" "cloister sim init failed" "$WORK/sim.out"
        return
    }
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$res/default/key/db"
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$res/default/key/other"
    # the images name the broker's port and the policy names the images: start it once
    # on a free port to learn one, then again there with the policy
    printf '{"launch_digests": []}\n' >"$dir/policy0.json"
    if ! kbs_start "$log" 0 --policy "$dir/policy0.json" --resources "$res" --trust "$chip/ark.pem"; then
        fail "$name" "cloister kbs did not start" "$log"
        return
    fi
    port=$KBS_PORT
    kbs_stop
    for i in db other; do
        "$CLOISTER" build -o "$dir/$i.cwi" --allow-args --entry "$BUSYBOX:/bin/busybox" \
            --secret "127.0.0.1:$port|default/key/$i|file:/run/secrets/$i" >"$dir/build.out" 2>&1 || {
            fail "$name" "cloister build --secret failed" "$dir/build.out"
            return
        }
    done
    printf '{"launch_digests": ["%s", "%s"]}\n' "$("$CLOISTER" measure "$dir/db.cwi")" \
        "$("$CLOISTER" measure "$dir/other.cwi")" >"$dir/policy.json"
    if ! kbs_start "$log" "$port" --policy "$dir/policy.json" --resources "$res" --trust "$chip/ark.pem"; then
        fail "$name" "cloister kbs did not start again on port $port" "$log"
        return
    fi
    for ((i = 0; i < n; i++)); do
        cp "$WORK/many/in.$i" "$dir/in.$i"
        {
            ((i % 2)) && cat "$res/default/key/other" || cat "$res/default/key/db"
            cat "$dir/in.$i"
        } >"$dir/want.$i"
        echo 0 >"$dir/wst.$i"
    done
    many_run "$name" "$dir" "$n" many_sim_cmd "$dir/db.cwi" "$dir/other.cwi" "$chip"
    sleep 0.3 # the broker logs after it answers
    local cpu # the broker's CPU time (user + system, clock ticks) for the N attestations
    cpu=$(awk '{sub(/.*\) /, ""); print $12 + $13}' /proc/"$KBS_PID"/stat)
    kbs_stop
    local released
    released=$(grep -c 'released default/key/' "$log")
    many_note "$name" "the broker released $released secrets, $(grep -c ' 401 \| 5[0-9][0-9] ' "$log") refusals or errors logged; its CPU time $(awk -v t="$cpu" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {printf "%.2f s, %.1f ms a workload", t / hz, 1000 * t / hz / n}')"
}

many_cases() {
    local sim_n=${TESTS_MANY_SIM_N:-100}
    ((INSIDE_NESTED)) && sim_n=${TESTS_MANY_SIM_N:-40}
    ((sim_n > MANY_N)) && sim_n=$MANY_N # their inputs are the first workloads'
    local dir=$WORK/many img=$WORK/many-sort.cwi sh_img=$WORK/many-sh.cwi n=$MANY_N i
    # set-up shared by the cases, whichever the filter selects (its result only if asked)
    rm -rf "$dir" && mkdir -p "$dir"
    if ! "$CLOISTER" build -o "$img" --entry /usr/bin/sort --allow-args >"$WORK/many-build.out" 2>&1 ||
        ! "$CLOISTER" build -o "$sh_img" --entry /usr/bin/sh --allow-args >>"$WORK/many-build.out" 2>&1; then
        fail many/build "cloister build failed" "$WORK/many-build.out"
        return 0
    fi
    for ((i = 0; i < n; i++)); do
        many_input "$i" "$dir/in.$i"
    done
    many_expected "$dir" "$n" "$img"
    pass many/build

    begin "many/run-$n" && many_run "many/run-$n" "$dir" "$n" many_cmd vm "$img"

    if begin "many/idle-memory"; then
        rm -rf "$dir/idle" && mkdir -p "$dir/idle"
        cp "$dir"/in.* "$dir/idle/"
        many_idle many/idle-memory "$dir/idle" "$n"
    fi

    begin many/embed-fds && many_embed_fds many/embed-fds "$sh_img"

    begin "many/sim-secrets-$sim_n" &&
        many_sim_secrets "many/sim-secrets-$sim_n" "$dir/sim" "$sim_n"
}

register_group 160 many vm-pinned many_cases many/
