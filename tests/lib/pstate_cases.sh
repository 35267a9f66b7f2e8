# What a process and each of its threads own (issue 12 step 2, docs/processes.md):
# prctl's per-thread and per-process state, /proc/PID and /proc/PID/task/TID read through
# the pid, a POSIX timer that signals one thread. tests/progs/pstate.c says what each
# mode checks; each runs in a VM and natively, compared (tests/lib/compare.sh).

pstate_cases() {
    local PREFIX=pstate mode
    for mode in names proc timer futex family groups; do
        vm_case "$mode" -- pstate "$mode"
        vm_case "2cpus-$mode" --cpus 2 -- pstate "$mode"
    done
}

register_group 47 pstate vm pstate_cases pstate/
