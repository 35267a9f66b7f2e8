# Several processes in one workload (issue 12, docs/processes.md): fork, wait, signals
# to children, copy-on-write, pipes between processes, each run in a VM and natively
# and compared (tests/lib/compare.sh). tests/progs/fork.c says what each subcommand
# checks; its output holds relations and statuses, never a pid or a time.

procs_cases() {
    local PREFIX=${PROCS_PREFIX:-procs}
    local c asan
    for c in many status signaled wnohang waitid sigchld cow threads ppid orphan exits pipes; do
        asan=()
        [[ $c == @(many|sigchld|cow|pipes) ]] && asan=(--asan)
        vm_case "fork-$c" "${asan[@]}" -- fork "$c"
        vm_case "2cpus-fork-$c" --cpus 2 -- fork "$c"
    done
    # exec of the program itself (a bare `cloister run` seals only the program):
    # tests/progs/exec.c
    for c in self pipes cloexec signals execveat vfork spawn errors; do
        asan=()
        [[ $c == @(pipes|vfork|spawn) ]] && asan=(--asan)
        vm_case "exec-$c" "${asan[@]}" -- exec "$c"
        vm_case "2cpus-exec-$c" --cpus 2 -- exec "$c"
    done
    # only files sealed in the image run (issue 12 item 3): natively a copy of the
    # program written to /tmp runs and maps executable; in the VM, EACCES
    vm_case exec-tmp-exec --asan \
        --vm-sed 's|^\(execve of a copy written to /tmp\): ran (exited 0)$|\1: EACCES|' -- exec tmp-exec
    vm_case exec-tmp-mmap \
        --vm-sed 's|^\(mmap PROT_EXEC of the copy\): ok$|\1: EACCES|; s|^\(mprotect PROT_EXEC of its mapping\): ok$|\1: EACCES|' \
        -- exec tmp-mmap
}

# procs_image_files DIR PROGRAM: the files exec.c's image-files runs: a #! script
# whose interpreter is PROGRAM (at the same absolute path in the image as on the host),
# a file without x permission, an executable that is no ELF, a script whose interpreter
# is missing.
procs_image_files() {
    local d=$1 prog=$2
    rm -rf "$d"
    mkdir -p "$d"
    printf '#!%s script-interp\necho the interpreter reads this, not a shell\n' "$prog" >"$d/script.sh"
    printf 'data\n' >"$d/data.txt"
    printf 'garbage\0\1\2\n' >"$d/garbage"
    printf '#!/nonexistent/interpreter\n' >"$d/badinterp.sh"
    chmod 755 "$d/script.sh" "$d/garbage" "$d/badinterp.sh"
    chmod 644 "$d/data.txt"
}

# procs_image_cases: exec of files sealed in an image beside the program: one image per
# variant with exec (its entry, at its host path) and the files at /files; natively
# the same program over the same files in $WORK.
procs_image_cases() {
    local v prog img files name
    for v in "${VARIANTS[@]}"; do
        name=procs/image-$v/files
        begin "$name" || continue
        prog=$PWD/$PROGS/$v/exec
        [[ $PROGS == /* ]] && prog=$PROGS/$v/exec
        files=$WORK/procs-files-$v
        img=$WORK/procs-$v.cwi
        procs_image_files "$files" "$prog"
        if ! "$CLOISTER" build -o "$img" --allow-args --entry "$prog" --add "$files:/files" \
            >"$WORK/build.out" 2>&1; then
            fail "$name" "cloister build failed" "$WORK/build.out"
            continue
        fi
        run_capture "$WORK/vm" file /dev/null "$CLOISTER" run "$img" image-files /files
        local vm_rc=$RC
        run_capture "$WORK/native" file /dev/null env -i "$prog" image-files "$files"
        local status="" fault="" vm_sed=""
        judge "$name" "$vm_rc" "$RC" "$prog" ||
            trace_excerpt file /dev/null "$CLOISTER" run --trace "$img" image-files /files
    done
}

# procs_asan_cases: the cases marked --asan, run by the ASan build's cloister.
procs_asan_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/procs "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister ASAN_PASS=1 PROCS_PREFIX=asan/procs
    procs_cases
}
register_group 48 procs vm procs_cases procs/
register_group 49 procs-image vm-pinned procs_image_cases procs/image-
register_group 141 asan/procs vm procs_asan_cases asan/procs/
