# Dynamically linked Debian programs, unmodified (issue: "Run dynamically linked Debian
# programs unmodified"): lua5.4 and sqlite3 sealed with everything they load, a program
# of ours that dlopens a library from its image, and a bash script that runs
# coreutils in pipelines (tests/debian/processes.sh), each compared byte for byte with
# the same command run natively.

# debian_compare NAME IMAGE NATIVE-HOME VM-ARGS -- NATIVE-COMMAND...
debian_compare() {
    local name=$1 img=$2 home=$3
    shift 3
    local vmargs=()
    while [[ $1 != -- ]]; do
        vmargs+=("$1")
        shift
    done
    shift
    begin "$name" || return 0
    run_capture "$WORK/vm" file /dev/null "$CLOISTER" run "$img" "${vmargs[@]}"
    local vm_rc=$RC
    run_capture "$WORK/native" file /dev/null env -i HOME="$home" "$@"
    if ((vm_rc != RC)); then
        fail "$name" "VM status $vm_rc, native status $RC" "$WORK/vm.err"
    elif ! same_file stdout "$WORK/vm.out" "$WORK/native.out"; then
        fail "$name" "stdout differs from the native run" "$WORK/diff"
    elif ! same_file stderr "$WORK/vm.err" "$WORK/native.err"; then
        fail "$name" "stderr differs from the native run" "$WORK/diff"
    else
        pass "$name"
    fi
}

# debian_image NAME OUT BUILD-ARGS...: builds, reporting a failure as the test NAME.
debian_image() {
    local name=$1 out=$2
    shift 2
    if ! "$CLOISTER" build -o "$out" --allow-args --env HOME=/tmp "$@" >"$WORK/build.out" \
        2>"$WORK/build.err"; then
        fail "$name" "cloister build failed" "$WORK/build.err"
        return 1
    fi
}

# deb_case NAME [OPTIONS] -- PROG [ARGS...]: Debian's PROG (found on PATH), sealed
# with what it loads and the test inputs at /in (its working directory), run in a VM
# and natively in $WORK/in with the same arguments and stdin, compared like a VM case
# (options as in compare.sh). One image per program, built on its first case.
deb_case() {
    local name=debian/$1
    shift
    local status="" fault="" mode=file input=/dev/null asan=0 envs=() runopts=()
    parse_case_options "$@"
    shift "$NOPTS"
    local prog=$1 path
    shift
    begin "$name" || return 0
    if ! path=$(command -v "$prog"); then
        fail "$name" "$prog not installed (scripts/install-deps installs it)"
        return 0
    fi
    local img=$WORK/deb-${prog##*/}.cwi home=$WORK/empty-home
    mkdir -p "$home"
    if [[ ! -f $img ]] && ! debian_image "$name" "$img" --entry "$path" \
        --add "$WORK/in:/in" --cwd /in; then
        return 0
    fi
    run_capture "$WORK/vm" "$mode" "$input" "$CLOISTER" run "$img" "$@"
    local vm_rc=$RC
    run_capture "$WORK/native" "$mode" "$input" env -i -C "$WORK/in" HOME="$home" "$path" "$@"
    judge "$name" "$vm_rc" "$RC" "$path" ||
        trace_excerpt "$mode" "$input" "$CLOISTER" run --trace "$img" "$@"
}

# deb_bare_case NAME [OPTIONS] -- PROG [ARGS...]: Debian's PROG (found on PATH) run
# bare, `cloister run /usr/bin/PROG`, which seals it on the fly with what it loads,
# compared with the native run like a VM case (options as in compare.sh).
deb_bare_case() {
    local name=debian/bare-$1
    shift
    local status="" fault="" mode=file input=/dev/null asan=0 envs=() runopts=()
    parse_case_options "$@"
    shift "$NOPTS"
    local path
    if ! path=$(command -v "$1"); then
        begin "$name" || return 0
        fail "$name" "$1 not installed (scripts/install-deps installs it)"
        return 0
    fi
    shift
    compare_run "$name" "$CLOISTER" "$path" "$@"
}

# python_selectors_case: Debian's python3 with its standard library, running
# tests/debian/event_loop.py (epoll over a piped stdin and a pipe of its own), compared
# with the native run.
python_selectors_case() {
    local name=debian/python-selectors py lib
    begin "$name" || return 0
    py=$(readlink -f /usr/bin/python3) lib=/usr/lib/${py##*/}
    if [[ ! -x $py || ! -d $lib ]]; then
        fail "$name" "Debian's python3 not installed"
        return 0
    fi
    local img=$WORK/python.cwi status="" fault=""
    debian_image "$name" "$img" --entry "$py" --add "$lib:$lib" \
        --add "$PWD/tests/debian/event_loop.py:/scripts/event_loop.py" || return 0
    run_capture "$WORK/vm" pipe "$WORK/in/text" "$CLOISTER" run "$img" -S /scripts/event_loop.py
    local vm_rc=$RC
    run_capture "$WORK/native" pipe "$WORK/in/text" env -i "$py" -S "$PWD/tests/debian/event_loop.py"
    judge "$name" "$vm_rc" "$RC" "$py" ||
        trace_excerpt pipe "$WORK/in/text" "$CLOISTER" run --trace "$img" -S /scripts/event_loop.py
}

# python_multiprocessing_case METHOD: tests/debian/mp_start_methods.py with the start
# method METHOD (processes forked, or exec'd, or forked by a server over a unix socket),
# compared with the native run. _ctypes (for the shared value) loads libffi, which
# `cloister build` cannot see, so the image adds it by name (docs/image-format.md).
python_multiprocessing_case() {
    local method=$1 name=debian/python-multiprocessing-$1 py lib ffi
    begin "$name" || return 0
    py=$(readlink -f /usr/bin/python3) lib=/usr/lib/${py##*/}
    ffi=$(readlink -f /usr/lib/x86_64-linux-gnu/libffi.so.8)
    if [[ ! -x $py || ! -d $lib || ! -f $ffi ]]; then
        fail "$name" "Debian's python3 (with libffi8) not installed"
        return 0
    fi
    local img=$WORK/python-mp.cwi status="" fault=""
    [[ -f $img ]] || debian_image "$name" "$img" --entry "$py" --add "$lib:$lib" \
        --add "$ffi:/usr/lib/x86_64-linux-gnu/libffi.so.8" --mem 512M --cpus 2 \
        --add "$PWD/tests/debian/mp_start_methods.py:/scripts/mp_start_methods.py" || return 0
    run_capture "$WORK/vm" file /dev/null "$CLOISTER" run "$img" -S /scripts/mp_start_methods.py "$method"
    local vm_rc=$RC
    run_capture "$WORK/native" file /dev/null env -i "$py" -S "$PWD/tests/debian/mp_start_methods.py" "$method"
    judge "$name" "$vm_rc" "$RC" "$py" ||
        trace_excerpt file /dev/null "$CLOISTER" run --trace "$img" -S /scripts/mp_start_methods.py "$method"
}

debian_cases() {
    local home=$WORK/empty-home
    mkdir -p "$home"
    if command -v lua5.4 >/dev/null; then
        if debian_image debian/lua "$WORK/lua.cwi" --entry /usr/bin/lua5.4 \
            --add "$PWD/tests/debian/strings_tables.lua:/scripts/test.lua"; then
            debian_compare debian/lua "$WORK/lua.cwi" "$home" /scripts/test.lua -- \
                lua5.4 tests/debian/strings_tables.lua
        fi
    else
        fail debian/lua "lua5.4 not installed (scripts/install-deps installs it)"
    fi
    if command -v sqlite3 >/dev/null; then
        if debian_image debian/sqlite "$WORK/sqlite.cwi" --entry /usr/bin/sqlite3 \
            --add "$PWD/tests/debian/queries.sql:/queries.sql"; then
            debian_compare debian/sqlite-memory "$WORK/sqlite.cwi" "$home" \
                :memory: ".read /queries.sql" -- sqlite3 :memory: ".read tests/debian/queries.sql"
            rm -f "$WORK/native.db"
            debian_compare debian/sqlite-file-in-tmp "$WORK/sqlite.cwi" "$home" \
                /tmp/test.db ".read /queries.sql" -- \
                sqlite3 "$WORK/native.db" ".read tests/debian/queries.sql"
        fi
    else
        fail debian/sqlite "sqlite3 not installed (scripts/install-deps installs it)"
    fi
    if [[ -x $BUILD_DIR/dyn/dlopen_main ]] &&
        debian_image debian/dlopen "$WORK/dlopen.cwi" \
            --entry "$PWD/$BUILD_DIR/dyn/dlopen_main:/usr/local/bin/dlopen_main" \
            --add "$PWD/$BUILD_DIR/dyn/libplugin.so:/opt/plugin/libplugin.so"; then
        debian_compare debian/dlopen "$WORK/dlopen.cwi" "$home" /opt/plugin/libplugin.so -- \
            "$BUILD_DIR/dyn/dlopen_main" "$PWD/$BUILD_DIR/dyn/libplugin.so"
    fi

    # a workload of several processes (issue 12): a bash script as the entry point,
    # running Debian's coreutils in pipelines, process substitutions, jobs
    local tools=() t cpus
    for t in sort uniq head tr wc seq sleep diff; do
        tools+=(--add "$(command -v "$t"):/usr/bin/$t")
    done
    for cpus in 1 2; do
        if debian_image "debian/bash-processes-${cpus}cpu" "$WORK/bash-$cpus.cwi" \
            --entry /bin/bash --cpus "$cpus" \
            --add "$PWD/tests/debian/processes.sh:/scripts/processes.sh" "${tools[@]}"; then
            debian_compare "debian/bash-processes-${cpus}cpu" "$WORK/bash-$cpus.cwi" "$home" \
                /scripts/processes.sh -- bash tests/debian/processes.sh
        fi
    done

    # a regular file on stdin has Linux's size and position (fstat, lseek)
    deb_case wc-c-file --stdin text -- wc -c
    deb_case wc-file --stdin text -- wc
    deb_case wc-pipe --pipe text -- wc
    deb_case tail-c-file --stdin text -- tail -c 20
    deb_case diff-stdin-file --status 1 --stdin text -- diff - sorted
    deb_case shuf-file --stdin text -- shuf -n 2 --random-source=text
    # text tools as users run them, input on a file stdin, a pipe, or named
    deb_case sort-keys-file --stdin text -- sort -t ' ' -k3,3n -k1,1
    deb_case sort-temp-files --stdin nums -- sort -S 16K -n -r
    deb_case grep-count-pipe --pipe text -- grep -c -i apple
    deb_case grep-files -- grep -n apple text sorted
    deb_case sed-pipe --pipe text -- sed -E 's/([a-z]+) ([a-z]+)/\2 \1/'
    deb_case mawk-sum-file --stdin nums -- mawk '{s += $1} END {print s, NR}'
    deb_case gawk-upper-file --stdin text -- gawk '{print NR ": " toupper($0)}'
    deb_case uniq-count-file --stdin sorted -- uniq -c
    deb_case sha256sum-big-file --stdin big -- sha256sum
    deb_case md5sum-files -- md5sum text nums big
    deb_case stat-files -- stat -c '%n %F %a %s %h' text nums
    deb_case ls-dir -- ls
    deb_case ls-long -- ls -ln --time-style=+X text nums
    deb_case perl-lines-file --stdin text -- perl -ne 'print uc if /apple/'
    deb_case jq-filter-file --stdin json -- jq -c '.a[2], .n * 2, (.s | length)'
    deb_case jq-pipe --pipe json -- jq -r '.a | map(tostring) | join(",")'
    deb_case bc-file --stdin bc -- bc -l
    deb_case dc-expr -- dc -e '2 100 ^ p 7 6 * p'
    # compressors: a file or a pipe on stdin, the result on stdout (xz needs pipe2)
    deb_case gzip-file --stdin text -- gzip -c -n -9
    deb_case gzip-d-file --stdin gz -- gzip -d -c
    deb_case xz-file --stdin text -- xz -c
    deb_case xz-pipe-big --pipe big -- xz -c -0
    deb_case xz-d-file --stdin xz -- xz -d -c
    deb_case bzip2-file --stdin text -- bzip2 -c
    deb_case bzip2-d-pipe --pipe bz2 -- bzip2 -d -c
    deb_case zstd-single-thread --stdin big -- zstd -q -c --single-thread --no-asyncio
    # tar reads an archive from a file stdin
    deb_case tar-list-file --stdin tar -- tar -tv
    deb_case tar-extract-stdout --stdin tar -- tar -xO nums
    # perl's four-argument select is pselect6: on stdin from a pipe, then a pure sleep
    deb_case perl-select-pipe --pipe text -- perl -e '$r = ""; vec($r, 0, 1) = 1; print scalar(select($r, undef, undef, 5)), " ", vec($r, 0, 1), "\n"; print scalar <STDIN>; print scalar(select(undef, undef, undef, 0.05)), "\n"'
    python_selectors_case
    # processes in Python: forked, forked by a server that gets its orders over a unix
    # socket (descriptors passed with SCM_RIGHTS), and fresh interpreters exec'd
    python_multiprocessing_case fork
    python_multiprocessing_case forkserver
    python_multiprocessing_case spawn
    # a C++ program: libstdc++'s pthread_once wakes a futex (glibc aborts on ENOSYS)
    deb_case cppcheck-version -- cppcheck --version
    # bare programs: no image built first
    deb_bare_case wc-l-file --stdin text -- wc -l
    deb_bare_case sort-pipe --pipe text -- sort -r
    deb_bare_case sha256sum-big-file --stdin big -- sha256sum
}
register_group 70 debian vm-pinned debian_cases debian/
