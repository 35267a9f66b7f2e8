# Measuring many idle workloads, shared by tests/lib/many_cases.sh and bench/many.sh.

# many_wait_reading SECONDS PID...: waits (at most SECONDS) until every monitor PID has a
# thread blocked in read(2) on descriptor 0 (/proc/PID/task/*/syscall "0 0x0 ...") or, when
# the monitor watches stdin in its event loop, in the idle vCPU's poll(2) ("7 ..."): its
# workload has started and waits for input. Sets MANY_WAITING to how many do; true if
# all.
many_wait_reading() {
    local bound=$1 k p
    shift
    for ((k = 0; k < bound * 10; k++)); do
        MANY_WAITING=0
        for p in "$@"; do
            grep -Eqs '^(0 0x0|7) ' /proc/"$p"/task/*/syscall && MANY_WAITING=$((MANY_WAITING + 1))
        done
        ((MANY_WAITING == $#)) && break
        sleep 0.1
    done
    sleep 0.5 # let the last to arrive settle
    ((MANY_WAITING == $#))
}

# many_stats: min, median, max and total of the numbers (kB) on stdin, in MiB.
many_stats() {
    sort -n | awk '{v[NR] = $1; t += $1}
        END {printf "min %.1f, median %.1f, max %.1f, total %.1f MiB", v[1] / 1024,
             v[int((NR + 1) / 2)] / 1024, v[NR] / 1024, t / 1024}'
}
