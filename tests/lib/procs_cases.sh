# Several processes in one workload (issue 12, docs/processes.md): fork, wait, signals
# to children, copy-on-write, pipes between processes, each run in a VM and natively
# and compared (tests/lib/compare.sh). tests/progs/fork.c says what each subcommand
# checks; its output holds relations and statuses, never a pid or a time.

procs_cases() {
    local PREFIX=${PROCS_PREFIX:-procs}
    ((ASAN_PASS)) || procs_sh_cases
    ((ASAN_PASS)) || procs_limit_cases
    local c asan
    for c in many status signaled wnohang waitid sigchld cow threads ppid orphan exits pipes world; do
        asan=()
        [[ $c == @(many|sigchld|cow|pipes) ]] && asan=(--asan)
        vm_case "fork-$c" "${asan[@]}" -- fork "$c"
        vm_case "2cpus-fork-$c" --cpus 2 -- fork "$c"
    done
    # the fork of a process with 256 MiB resident copies none of it
    vm_case fork-cowmem --mem 1G -- fork cowmem
    vm_case 2cpus-fork-cowmem --mem 1G --cpus 2 -- fork cowmem
    # clone3, which glibc tries first for threads and posix_spawn: tests/progs/clone3.c
    vm_case clone3 --asan -- clone3
    vm_case 2cpus-clone3 --cpus 2 -- clone3
    # exec of the program itself (a bare `cloister run` seals only the program):
    # tests/progs/exec.c
    for c in self pipes cloexec signals timers execveat vfork spawn errors; do
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

# sh_case NAME [OPTIONS]: Debian's busybox sh runs tests/procs/NAME.sh (given with -c,
# so a bare `cloister run` of busybox needs no other file), in a VM and natively. Its
# applets run in forked children (FEATURE_SH_STANDALONE, PREFER_APPLETS), some
# through execve("/proc/self/exe"), so no other program is needed either.
sh_case() {
    local name=$1
    shift
    local status="" fault="" mode=file input=/dev/null asan=0 envs=() runopts=() vm_sed=""
    parse_case_options "$@" --
    local script
    script=$(<"tests/procs/${name#2cpus-}.sh")
    compare_run "procs/sh-$name" "$CLOISTER" "$BUSYBOX" sh -c "$script"
}

procs_sh_cases() {
    if [[ -z $BUSYBOX ]]; then
        fail procs/sh "busybox not installed (scripts/install-deps installs busybox-static)"
        return 0
    fi
    sh_case pipelines
    sh_case redirect
    sh_case subshells
    sh_case jobs
    sh_case traps --status 3
    sh_case statuses --status 42
    sh_case loops
    sh_case 2cpus-pipelines --cpus 2
    sh_case 2cpus-jobs --cpus 2
    sh_case 2cpus-loops --cpus 2
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

# procs_make_tree DIR: 3000 small text files in 30 directories (words, numbers, some
# '#' lines), the same bytes on every run.
procs_make_tree() {
    local d=$1
    rm -rf "$d"
    mkdir -p "$d"
    (cd "$d" && awk 'BEGIN {
        split("alpha beta gamma delta epsilon zeta eta theta iota kappa", w, " ")
        x = 12345
        for (i = 0; i < 30; i++) system("mkdir -p dir" sprintf("%02d", i))
        for (i = 0; i < 3000; i++) {
            f = sprintf("dir%02d/file%04d.%s", i % 30, i, i % 7 ? "txt" : "dat")
            lines = 1 + i % 9
            for (l = 0; l < lines; l++) {
                x = (x * 1103515 + 12345) % 2147483648
                line = (l == 0 && i % 5 == 0) ? "# header " i : ""
                for (k = 0; k < 1 + x % 6; k++) {
                    x = (x * 1103515 + 12345) % 2147483648
                    line = line (line == "" ? "" : " ") (x % 3 ? w[1 + x % 10] : x % 1000)
                }
                print line > f
            }
            close(f)
        }
    }')
}

# procs_pipeline_case: tests/procs/build-pipeline.sh run by busybox sh over the tree,
# sealed at /data (its working directory) in an image with busybox and the script;
# natively the same busybox and script in a copy of the tree.
procs_pipeline_case() {
    local name=procs/image-build-pipeline img=$WORK/procs-pipeline.cwi tree=$WORK/procs-tree
    begin "$name" || return 0
    if [[ -z $BUSYBOX ]]; then
        fail "$name" "busybox not installed (scripts/install-deps installs busybox-static)"
        return 0
    fi
    procs_make_tree "$tree"
    if ! "$CLOISTER" build -o "$img" --allow-args --entry "$BUSYBOX:/bin/busybox" \
        --add "$tree:/data" --add "$PWD/tests/procs/build-pipeline.sh:/pipeline.sh" --cwd /data \
        >"$WORK/build.out" 2>&1; then
        fail "$name" "cloister build failed" "$WORK/build.out"
        return 0
    fi
    run_capture "$WORK/vm" file /dev/null "$CLOISTER" run "$img" sh /pipeline.sh
    local vm_rc=$RC
    run_capture "$WORK/native" file /dev/null env -i -C "$tree" "$BUSYBOX" sh \
        "$PWD/tests/procs/build-pipeline.sh"
    local status=0 fault="" vm_sed=""
    judge "$name" "$vm_rc" "$RC" "$BUSYBOX" ||
        trace_excerpt file /dev/null "$CLOISTER" run --trace "$img" sh /pipeline.sh
}

# procs_image_cases: exec of files sealed in an image beside the program: one image per
# variant with exec (its entry, at /opt/procs/exec: the clone may live under /tmp,
# which the shim's tmpfs hides) and the files at /files; natively the same program
# over the same files (their #! naming its host path) in $WORK.
procs_image_cases() {
    local v prog img files name in_image=/opt/procs/exec
    for v in "${VARIANTS[@]}"; do
        name=procs/image-$v/files
        begin "$name" || continue
        prog=$PWD/$PROGS/$v/exec
        [[ $PROGS == /* ]] && prog=$PROGS/$v/exec
        files=$WORK/procs-files-$v
        img=$WORK/procs-$v.cwi
        procs_image_files "$files-vm" "$in_image"
        procs_image_files "$files" "$prog"
        if ! "$CLOISTER" build -o "$img" --allow-args --entry "$prog:$in_image" \
            --add "$files-vm:/files" >"$WORK/build.out" 2>&1; then
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
    procs_pipeline_case
}

# procs_limit_cases: a fork bomb in a VM meets the manifest's process limit: fork gives
# EAGAIN, the workload goes on (tests/progs/forkbomb.c). VM only: natively the limit
# would be RLIMIT_NPROC, which does not hold root. The expected lines are Linux's under
# `ulimit -u` (checked by hand as an unprivileged user), so the case still compares
# with Linux's behaviour.
procs_limit_cases() {
    local v name args
    cat >"$WORK/forkbomb.expected" <<'END'
first fork error: EAGAIN
children forked before it: some
the parent survived: yes
posix_spawn at the limit: EAGAIN
children killed and reaped: all
fork after they are gone: works
END
    for v in "${VARIANTS[@]}"; do
        for args in "--processes 64" "--processes 64 --cpus 2" "--mem 1G"; do
            name=$PREFIX/$v/forkbomb-limit-${args//[ -]/}
            [[ $args == "--mem 1G" ]] && name=$PREFIX/$v/forkbomb-default-limit
            begin "$name" --vm || continue
            # shellcheck disable=SC2086 # the words of args are options
            run_capture "$WORK/vm" file /dev/null "$CLOISTER" run $args "$PROGS/$v/forkbomb"
            if ((RC != 0)); then
                fail "$name" "VM $(describe_status "$RC"), expected status 0" "$WORK/vm.err"
            elif ! same_file stdout "$WORK/vm.out" "$WORK/forkbomb.expected"; then
                fail "$name" "stdout is not what Linux prints at its process limit" "$WORK/diff"
            elif [[ -s $WORK/vm.err ]]; then
                fail "$name" "the VM wrote to stderr" "$WORK/vm.err"
            else
                pass "$name"
            fi
        done
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
