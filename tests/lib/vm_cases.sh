# The test workloads (tests/progs/*.c), each run in a VM and natively for every build
# variant and compared. One line per case: see compare.sh for the options.

# make_inputs DIR: the stdin files cases name with --stdin/--pipe.
make_inputs() {
    local dir=$1
    mkdir -p "$dir"
    : >"$dir/empty"
    printf '0123456789abcdefghij\n' >"$dir/io21"
    head -c 1048593 /dev/urandom >"$dir/big" # 1 MiB + 17: every byte value, NULs too
    cat >"$dir/text" <<'EOF'
banana split 3
apple pie 10
cherry tart 7
apple crumble 2
date loaf 42
banana bread 5
Elderberry wine 1
fig roll 7
apple pie 10
	tabbed	line	here
   spaced   out   line
ünïcødé line ✓
EOF
    sort "$dir/text" >"$dir/sorted"
    base64 "$dir/text" >"$dir/b64"
    gzip -c -n "$dir/text" >"$dir/gz"
    seq 1 1000 >"$dir/nums"
    printf '2^100\n7 * 6\nscale=10; 1/3\n' >"$dir/bc"
    printf '{"a":[1,2,{"b":"x"}],"n":3.5,"s":"ünï"}\n' >"$dir/json"
    (cd "$dir" && tar -cf tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner text nums)
    # compressed by the Debian tools the debian/ cases run, where installed
    if command -v xz >/dev/null; then xz -c "$dir/text" >"$dir/xz"; fi
    if command -v bzip2 >/dev/null; then bzip2 -c "$dir/text" >"$dir/bz2"; fi
}

# Arguments and environment big enough to fill more than one page of the initial stack.
many_args() {
    local i
    for ((i = 1; i <= 1000; i++)); do
        printf 'argument-%04d-%090d\n' "$i" "$i"
    done
}

vm_cases() {
    local many=() envs_many=() i
    mapfile -t many < <(many_args)
    for ((i = 1; i <= 100; i++)); do
        envs_many+=(--env "VAR_$i=$(printf 'value-%0100d' "$i")")
    done

    vm_case hello --asan -- hello
    vm_case args-none --asan -- args
    vm_case args-words --asan --env HOME=/nowhere --env 'GREETING=hello world' --env EMPTY= \
        --env 'EQUALS=a=b=c' -- args one 'two words' '' $'tab\there' $'new\nline' 'ünïcødé' \
        --dashes '*'
    vm_case args-many -- args "${many[@]}"
    vm_case env-many "${envs_many[@]}" -- args

    vm_case exit-0 --asan --status 0 -- exitcode 0
    vm_case exit-1 --asan --status 1 -- exitcode 1
    vm_case exit-42 --asan --status 42 -- exitcode 42
    vm_case exit-255 --asan --status 255 -- exitcode 255
    vm_case exit-256 --status 0 -- exitcode 256

    vm_case bigmem --asan -- bigmem
    vm_case memapi -- memapi
    vm_case clock -- clock
    vm_case hostile --pipe io21 -- hostile
    vm_case sysmisc -- sysmisc
    vm_case cpufeatures -- cpufeatures
    vm_case procworld -- procworld
    vm_case stdfds -- stdfds
    vm_case io --pipe io21 -- io
    vm_case bigout -- bigout
    vm_case stdin-sum-empty -- stdin_sum
    vm_case stdin-sum-pipe --pipe big -- stdin_sum
    vm_case stdin-sum-file --stdin big -- stdin_sum
    vm_case stdin-seek-file --stdin io21 -- stdin_seek
    vm_case stdin-seek-pipe --pipe io21 -- stdin_seek
    vm_case futex -- futex
    vm_case statx -- statx
    vm_case xattr -- xattr
    vm_case pipe -- pipe
    # without a TEE, /dev/sev-guest and configfs-tsm are absent, as on Linux without SEV
    vm_case attest-probe-without-tee -- attest probe

    vm_case fault-null-read --asan --fault SIGSEGV -- faults null-read
    vm_case fault-guard-write --fault SIGSEGV -- faults guard-write
    vm_case fault-munmap-read --fault SIGSEGV -- faults munmap-read
    vm_case fault-readonly-write --fault SIGSEGV -- faults readonly-write
    vm_case fault-noexec --fault SIGSEGV -- faults noexec
    vm_case fault-jump-null --fault SIGSEGV -- faults jump-null
    vm_case fault-ud2 --fault SIGILL -- faults ud2
    vm_case fault-int3 --fault SIGTRAP -- faults int3
    vm_case fault-div0 --fault SIGFPE -- faults div0
    vm_case fault-kernel-read --isolated --fault SIGSEGV -- faults kernel-read
    vm_case fault-physmap-read --isolated --fault SIGSEGV -- faults physmap-read
    vm_case fault-jump-kernel --isolated --fault SIGSEGV -- faults jump-kernel
    vm_case fault-noncanonical-read --fault SIGSEGV -- faults noncanonical-read
    vm_case fault-privileged --fault SIGSEGV -- faults privileged
    vm_case fault-port-out --fault SIGSEGV -- faults port-out
    vm_case fault-stack-overflow --fault SIGSEGV -- faults stack-overflow
    vm_case fault-abort --fault SIGABRT -- faults abort

    ((ASAN_PASS)) || random_cases
}

# static_builds: a test per build variant that every workload in it is a static
# executable, as the Makefile means it to be (a PT_INTERP makes every VM case fail).
static_builds() {
    local v prog why name
    for v in "${VARIANTS[@]}"; do
        name=progs/$v/static
        begin "$name" || continue
        : >"$WORK/static-builds"
        for prog in "$PROGS/$v"/*; do
            [[ -f $prog && -x $prog ]] || continue
            why=$(not_static "$prog")
            [[ -n $why ]] && echo "${prog##*/}: $why" >>"$WORK/static-builds"
        done
        if [[ -s $WORK/static-builds ]]; then
            fail "$name" "$(wc -l <"$WORK/static-builds") workloads are not static executables" "$WORK/static-builds"
        elif ! compgen -G "$PROGS/$v/*" >/dev/null; then
            fail "$name" "$PROGS/$v is empty (make progs)"
        else
            pass "$name"
        fi
    done
}

# random_cases: getrandom's facts are compared with a native run; its "hex:" line must
# be 32 bytes of hex and differ between two runs in VMs.
random_cases() {
    local v name hex1 hex2
    for v in "${VARIANTS[@]}"; do
        name=$PREFIX/$v/random
        begin "$name" --vm || continue
        run_capture "$WORK/vm2" file /dev/null "$CLOISTER" run "$PROGS/$v/random"
        local rc2=$RC
        run_capture "$WORK/vm" file /dev/null "$CLOISTER" run "$PROGS/$v/random"
        local rc1=$RC
        run_capture "$WORK/native" file /dev/null env -i "$PROGS/$v/random"
        hex1=$(grep '^hex: ' "$WORK/vm.out")
        hex2=$(grep '^hex: ' "$WORK/vm2.out")
        sed -i '/^hex: /d' "$WORK/vm.out" "$WORK/native.out"
        if [[ $rc2 != 0 ]]; then
            fail "$name" "second VM run: $(describe_status "$rc2")" "$WORK/vm2.err"
        elif [[ ! $hex1 =~ ^hex:\ [0-9a-f]{64}$ || ! $hex2 =~ ^hex:\ [0-9a-f]{64}$ ]]; then
            fail "$name" "no 'hex: <64 hex digits>' line in a VM run's output" "$WORK/vm.err"
        elif [[ $hex1 == "$hex2" ]]; then
            fail "$name" "two runs in VMs printed the same random bytes: ${hex1#hex: }"
        else
            local status=0 fault="" # what judge reads
            judge "$name" "$rc1" "$RC" "$PROGS/$v/random"
        fi
    done
}

# asan_vm_cases: the cases marked --asan, and the sandbox's, run by the ASan build's
# cloister (the workloads are the release build's: the guest side is the same bytes).
asan_vm_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/vm "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister PREFIX=asan/vm ASAN_PASS=1
    vm_cases
    sandbox_cases
}

register_group 30 progs host static_builds progs/
register_group 40 vm vm vm_cases vm/
register_group 140 asan/vm vm asan_vm_cases asan/vm/
