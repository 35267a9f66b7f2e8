# Threads (issue 11): pthread programs run in a VM and natively, compared
# (tests/lib/compare.sh). tests/progs/threads.c says what each run exercises.

threads_cases() {
    local PREFIX=${THREADS_PREFIX:-threads}
    vm_case basic --asan -- threads
    vm_case few -- threads 3
    vm_case many -- threads 200
    # preemption: a thread that spins without a system call starves nobody
    vm_case spinner --asan -- spinner
    # several vCPUs: threads run at once, share the kernel lock, shoot down TLBs
    vm_case 2cpus --asan --cpus 2 -- threads
    vm_case 2cpus-few --cpus 2 -- threads 3
    vm_case 2cpus-many --cpus 2 -- threads 200
    vm_case 2cpus-spinner --asan --cpus 2 -- spinner
    vm_case 4cpus --cpus 4 -- threads
    # PI mutexes, WAKE_OP, affinity and getcpu, membarrier
    vm_case sys --asan -- threadsys
    vm_case 2cpus-sys --cpus 2 -- threadsys
    # robust mutexes: a thread that dies holding locks hands them on with EOWNERDEAD
    vm_case robust --asan -- robust
    vm_case 2cpus-robust --cpus 2 -- robust
    # 20,000 threads one after another in 64 MiB: each one's kernel memory is reused
    vm_case churn --mem 64M -- threadchurn 20000
    vm_case 2cpus-churn --mem 64M --cpus 2 -- threadchurn 20000
    # a descriptor closed by one thread while another waits on it: the call keeps its file
    vm_case closewait --asan -- closewait
    vm_case 2cpus-closewait --cpus 2 -- closewait
}

# threads_go_cases: Go's runtime preempts goroutines that loop without calls with
# signals (tests/go/preempt.go), built with Debian's Go as the servers' Go is. One
# group in one nested machine (vm-pinned): the build and the runs stay together.
threads_go_cases() {
    local gobin=$BUILD_DIR/go/preempt dir=$WORK/threads-go
    begin threads/go-preempt-build || return 0
    mkdir -p "$BUILD_DIR/go" "$dir"
    if ! CGO_ENABLED=0 GOCACHE="$dir/gocache" GOPATH="$dir/gopath" \
        go build -o "$gobin" "$PWD/tests/go/preempt.go" >"$dir/go.err" 2>&1; then
        fail threads/go-preempt-build "go build failed (scripts/install-deps installs golang-go)" \
            "$dir/go.err"
        return 0
    fi
    pass threads/go-preempt-build
    local cpus status="" fault="" mode=file input=/dev/null envs=() runopts=()
    for cpus in 1 2 4; do
        runopts=(--cpus $cpus)
        compare_run threads/go-preempt-${cpus}cpu "$CLOISTER" "$gobin"
    done
}

# threads_asan_cases: the cases marked --asan, run by the ASan build's cloister.
threads_asan_cases() {
    if [[ ! -x $ASAN_DIR/cloister ]]; then
        skip asan/threads "$ASAN_DIR/cloister not built (make SANITIZE=1 all)"
        return 0
    fi
    local CLOISTER=$ASAN_DIR/cloister ASAN_PASS=1 THREADS_PREFIX=asan/threads
    threads_cases
}
register_group 45 threads vm threads_cases threads/
register_group 141 asan/threads vm threads_asan_cases asan/threads/
register_group 142 threads-go vm-pinned threads_go_cases threads/go-
