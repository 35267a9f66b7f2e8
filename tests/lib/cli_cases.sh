# The `cloister` command's own behaviour: options, exit statuses, error lines.
#
#     cli_case NAME [CHECKS...] -- COMMAND [ARGS...]
# runs COMMAND (stdin /dev/null, stdout through a pipe) and applies every check:
#     --status LIST     the exit status is one of LIST (comma-separated)
#     --one-line        stderr is exactly one line, starting "cloister: "
#     --stdout RE       stdout has a line matching the extended regex RE
#     --stdout-is TEXT  stdout is exactly TEXT plus a newline
#     --no-stdout RE    no stdout line matches RE
#     --stderr RE       stderr has a line matching RE
#     --vm              the case starts a VM: skipped without /dev/kvm

cli_case() {
    local name=$1
    shift
    local checks=() vm=""
    while [[ $1 != -- ]]; do
        if [[ $1 == --vm ]]; then
            vm=--vm
            shift
        elif [[ $1 == --one-line ]]; then
            checks+=("$1" "")
            shift
        else
            checks+=("$1" "$2")
            shift 2
        fi
    done
    shift
    begin "$name" $vm || return 0
    run_capture "$WORK/cli" file /dev/null "$@"
    local i why=""
    for ((i = 0; i < ${#checks[@]}; i += 2)); do
        why=$(cli_check "${checks[i]}" "${checks[i + 1]}")
        [[ -n $why ]] && break
    done
    if [[ -n $why ]]; then
        fail "$name" "$why" "$WORK/cli.err"
    else
        pass "$name"
    fi
}

# cli_check CHECK ARG: prints why the last run fails CHECK, or nothing.
cli_check() {
    local out=$WORK/cli.out err=$WORK/cli.err
    case $1 in
    --status) [[ ,$2, == *,$RC,* ]] || echo "$(describe_status "$RC"), expected $2" ;;
    --one-line) one_cloister_line "$err" || echo "stderr is not exactly one 'cloister: ...' line ($(wc -l <"$err") lines)" ;;
    --stdout) grep -qE -- "$2" "$out" || echo "no stdout line matches /$2/" ;;
    --stdout-is) [[ $(cat "$out") == "$2" && $(tail -c 1 "$out") == "" ]] || echo "stdout is not '$2': '$(head -c 200 "$out")'" ;;
    --no-stdout) grep -qE -- "$2" "$out" && echo "stdout has a line matching /$2/: $(grep -E -- "$2" "$out" | head -n 1)" ;;
    --stderr) grep -qE -- "$2" "$err" || echo "no stderr line matches /$2/" ;;
    *) echo "tests/run: bad cli check '$1'" ;;
    esac
    return 0
}

# make_bad_programs DIR HELLO: files that are not programs cloister can run.
make_bad_programs() {
    local dir=$1 hello=$2
    mkdir -p "$dir/directory"
    printf 'just some text\n' >"$dir/text.txt"
    printf '#!/bin/sh\necho hi\n' >"$dir/script.sh"
    : >"$dir/empty"
    chmod +x "$dir/text.txt" "$dir/script.sh" "$dir/empty"
    [[ -f $hello ]] || return 0
    head -c 100 "$hello" >"$dir/truncated-elf"
    cp "$hello" "$dir/elf32" && printf '\001' | dd of="$dir/elf32" bs=1 seek=4 conv=notrunc status=none
    cp "$hello" "$dir/aarch64" && printf '\267\000' | dd of="$dir/aarch64" bs=1 seek=18 conv=notrunc status=none
}

cli_cases() {
    local cl=$CLOISTER hello=$PROGS/musl/hello bad=$WORK/bad
    make_bad_programs "$bad" "$hello"

    cli_case cli/version --status 0 --stdout '^cloister [0-9]' -- "$cl" --version
    cli_case cli/help --status 0 --stdout 'usage' -- "$cl" --help
    cli_case cli/no-command --status 2 --stderr 'usage' -- "$cl"
    cli_case cli/unknown-command --status 2 --stderr . -- "$cl" frobnicate
    cli_case cli/run-no-program --status 2 --stderr 'usage' -- "$cl" run
    cli_case cli/run-unknown-option --status 2 --stderr . -- "$cl" run --bogus "$hello"
    cli_case cli/run-env-not-kv --status 2 --stderr . -- "$cl" run --env NOEQUALS "$hello"
    cli_case cli/run-missing-program --vm --status 125 --one-line -- "$cl" run "$bad/no-such-program"
    cli_case cli/run-shell-script --vm --status 125 --one-line -- "$cl" run "$bad/script.sh"
    cli_case cli/run-text-file --vm --status 125 --one-line -- "$cl" run "$bad/text.txt"
    cli_case cli/run-empty-file --vm --status 125 --one-line -- "$cl" run "$bad/empty"
    cli_case cli/run-directory --vm --status 125 --one-line -- "$cl" run "$bad/directory"
    cli_case cli/run-truncated-elf --vm --status 125 --one-line -- "$cl" run "$bad/truncated-elf"
    cli_case cli/run-elf32 --vm --status 125 --one-line -- "$cl" run "$bad/elf32"
    cli_case cli/run-other-machine --vm --status 125 --one-line -- "$cl" run "$bad/aarch64"
    # a machine without KVM (a private /dev without kvm in it): one line naming the way out
    cli_case cli/run-without-kvm --status 125 --one-line --stderr 'no KVM.*nested' -- \
        unshare -m sh -c 'mount -t tmpfs none /dev && exec "$@"' - "$cl" run "$hello"
    # a dynamically linked program is sealed on the fly with what it loads, as build would
    cli_case cli/run-dynamic --vm --status 0 --stdout-is '' -- "$cl" run /bin/true
    cli_case cli/run-dynamic-args --vm --status 0 --stdout-is 0 -- "$cl" run /usr/bin/wc -l

    cli_case cli/env-reaches-guest --vm --status 0 --stdout '"FOO=bar"' \
        -- "$cl" run --env FOO=bar "$PROGS/musl/args"
    cli_case cli/host-env-hidden --vm --status 0 --stdout '^envc: 0$' --no-stdout 'SECRET' \
        -- env SECRET=x "$cl" run "$PROGS/musl/args"
    cli_case cli/trace-musl --vm --status 0 --stdout-is 'hello, world' \
        --stderr '^\[trace\] writev?\(1, ' --stderr '^\[trace\] exit_group\(0' \
        -- "$cl" run --trace "$PROGS/musl/hello"
    cli_case cli/trace-glibc --vm --status 0 --stdout-is 'hello, world' \
        --stderr '^\[trace\] write\(1, ' --stderr '^\[trace\] exit_group\(0' \
        -- "$cl" run --trace "$PROGS/glibc/hello"
    cli_case cli/trace-names-enosys --vm --status 0 --stderr '^\[trace\] .*500.*ENOSYS' \
        -- "$cl" run --trace "$PROGS/musl/sysmisc"
    cli_case cli/stats --vm --status 0 --stdout-is 'hello, world' --stderr 'first user instruction' \
        -- "$cl" run --stats "$hello"
    cli_case cli/mem-64M --vm --status 0 --stdout-is 'hello, world' -- "$cl" run --mem 64M "$hello"
    cli_case cli/mem-1-refused --vm --status 2,125 --one-line -- "$cl" run --mem 1 "$hello"
    cli_case cli/mem-bad-size --status 2 --stderr . -- "$cl" run --mem lots "$hello"
    # The guest-physical map (abi.h, docs/architecture.md): RAM up to 255G, and RAM and
    # image together within what the boot page tables map (235G)
    cli_case cli/mem-above-map-refused --status 125 --one-line --stderr '32 MiB\.\.255 GiB' \
        -- "$cl" run --mem 256G "$hello"
    cli_case cli/mem-over-page-tables-refused --status 125 --one-line --stderr 'at most 235G' \
        -- "$cl" run --mem 250G "$hello"
    cli_case cli/build-mem-over-page-tables-refused --status 1 --one-line \
        --stderr 'at most 235G' -- "$cl" build -o "$WORK/no.cwi" --mem 250G --entry "$hello:/hello"
    cli_case cli/mem-234G --vm --status 0 --stdout-is 'hello, world' \
        -- "$cl" run --mem 234G "$hello"
    # an image larger than the 256G file window, as a hole: no disk needed
    "$cl" build -o "$WORK/huge.cwi" --entry "$hello:/hello" >/dev/null 2>&1 &&
        "$BUILD_DIR/tests/tools/cwi_grow" "$WORK/huge.cwi" $((300 << 30)) 2>/dev/null
    cli_case cli/image-above-window-refused --status 125 --one-line \
        --stderr 'is 300G, .*256G file window' -- "$cl" run "$WORK/huge.cwi"
    cli_case cli/measure-image-above-window-refused --status 125 --one-line \
        --stderr '256G file window' -- "$cl" measure "$WORK/huge.cwi"
    rm -f "$WORK/huge.cwi"
    cli_case cli/argv0-is-program --vm --status 0 \
        --stdout "^argv\\[0\\] \\([0-9]+ bytes\\) \"$(re_escape "$PROGS/musl/args")\"\$" \
        -- "$cl" run "$PROGS/musl/args"

    # an image whose files the shim's run-time mounts would hide is refused at build,
    # in one line naming the file, and no image is left behind
    local img=$WORK/hidden.cwi empty=$WORK/empty-dir
    local gone=(sh -c '"$@"; s=$?; [ -e "$0" ] && echo image left behind; exit $s' "$img")
    mkdir -p "$empty"
    cli_case cli/build-entry-under-tmp --status 1 --one-line --no-stdout 'left behind' \
        --stderr '^cloister: build: /tmp/x/hello would be hidden: .* tmpfs on /tmp .*--tmpfs 0' \
        -- "${gone[@]}" "$cl" build -o "$img" --entry "$hello:/tmp/x/hello"
    cli_case cli/build-add-under-tmp --status 1 --one-line --no-stdout 'left behind' \
        --stderr '^cloister: build: /tmp/data/[^ ]+ would be hidden' \
        -- "${gone[@]}" "$cl" build -o "$img" --entry "$hello" --add "$bad:/tmp/data"
    cli_case cli/build-add-under-dev --status 1 --one-line --stderr '/dev/text.txt would be hidden' \
        -- "$cl" build -o "$img" --entry "$hello" --add "$bad/text.txt:/dev/text.txt"
    cli_case cli/build-add-under-proc --status 1 --one-line --stderr '/proc/x would be hidden' \
        -- "$cl" build -o "$img" --entry "$hello" --add "$bad/text.txt:/proc/x"
    cli_case cli/build-add-under-sys --status 1 --one-line --stderr '/sys/x would be hidden' \
        -- "$cl" build -o "$img" --entry "$hello" --add "$bad/text.txt:/sys/x"
    cli_case cli/build-add-under-run-with-secret --status 1 --stderr '/run/x would be hidden' \
        -- "$cl" build -o "$img" --entry "$hello" --add "$bad/text.txt:/run/x" \
        --secret '127.0.0.1:1|r/t/k|file:/run/secrets/k'
    cli_case cli/build-file-on-tmp-itself --status 1 --one-line --stderr '^cloister: build: /tmp would be hidden' \
        -- "$cl" build -o "$img" --entry "$hello" --add "$bad/text.txt:/tmp"
    cli_case cli/build-cwd-missing --status 1 --one-line \
        --stderr '^cloister: build: working directory /nowhere is not a directory in the image' \
        -- "$cl" build -o "$img" --entry "$hello" --cwd /nowhere
    cli_case cli/build-cwd-under-tmp --status 1 --one-line --stderr 'working directory /tmp/w cannot exist' \
        -- "$cl" build -o "$img" --entry "$hello" --cwd /tmp/w
    cli_case cli/build-empty-dirs-at-mounts --vm --status 0 --stdout 'hello, world' \
        -- sh -c '"$0" build -o "$1" --entry "$2" --add "$3:/tmp" --add "$3:/dev" --cwd /tmp && "$0" run "$1"' \
        "$cl" "$img" "$hello" "$empty"
    cli_case cli/build-under-tmp-without-tmpfs --vm --status 0 --stdout 'hello, world' \
        -- sh -c '"$0" build -o "$1" --entry "$2:/tmp/x/hello" --tmpfs 0 && "$0" run "$1"' \
        "$cl" "$img" "$hello"
    processes_cases "$cl" "$hello" "$img"
    cli_case cli/run-program-named-tmp --vm --status 125 --one-line --stderr '/tmp would be hidden' \
        -- sh -c 'mkdir -p "$2" && cp "$1" "$2/tmp" && "$0" run "$2/tmp"' "$cl" "$hello" "$WORK/named"
}
# The process limit (MAX_PROCESSES): a range refused in one line naming it, both at build
# and for a bare program, sealed (never overridden at run), printed by inspect.
processes_cases() {
    local cl=$1 hello=$2 img=$3 n
    local gone=(sh -c '"$@"; s=$?; [ -e "$0" ] && echo image left behind; exit $s' "$img")
    rm -f "$img"
    for n in 0 40000; do
        cli_case cli/build-processes-$n-refused --status 1 --one-line --no-stdout 'left behind' \
            --stderr "^cloister: build: manifest: process limit $n is outside 1\.\.32768\$" \
            -- "${gone[@]}" "$cl" build -o "$img" --entry "$hello" --processes $n
        cli_case cli/run-processes-$n-refused --status 2 \
            --stderr "^cloister: run: --processes wants 1 to 32768, not '$n'\$" \
            -- "$cl" run --processes $n "$hello"
    done
    cli_case cli/build-processes-not-a-number --status 2 --stderr "bad process count 'lots'" \
        -- "$cl" build -o "$img" --entry "$hello" --processes lots
    cli_case cli/inspect-processes-default --status 0 --stdout '^  processes   1024$' \
        -- sh -c '"$0" build -o "$1" --entry "$2" >/dev/null && "$0" inspect "$1"' \
        "$cl" "$img" "$hello"
    cli_case cli/inspect-processes --status 0 --stdout '^  processes   32768$' \
        -- sh -c '"$0" build -o "$1" --entry "$2" --processes 32768 >/dev/null && "$0" inspect "$1"' \
        "$cl" "$img" "$hello"
    cli_case cli/inspect-json-processes --status 0 --stdout '"processes": 7,?$' \
        -- sh -c 'printf "{\"processes\": 7}\n" >"$1.json" &&
                  "$0" build -o "$1" -f "$1.json" --entry "$2" >/dev/null && "$0" inspect --json "$1"' \
        "$cl" "$img" "$hello"
    cli_case cli/run-processes-image-refused --status 125 --one-line \
        --stderr 'process limit of an image is sealed in its manifest' \
        -- "$cl" run --processes 8 "$img"
    cli_case cli/run-processes-1 --vm --status 0 --stdout-is 'hello, world' \
        -- "$cl" run --processes 1 "$hello"
    rm -f "$img" "$img.json"
}
register_group 120 cli mixed cli_cases cli/
