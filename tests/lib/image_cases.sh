# Image tests (issue: "Seal a workload into a measured image"): a workload reading a
# tree sealed in an image compared with the same program over a copy of the tree, under
# --tee none and --tee sim; /tmp; tampering; measurement; reproducibility; bad images.

# make_image_tree DIR: the tree the image tests seal: files whose sizes straddle page
# and 64 KiB chunk boundaries, nested and empty directories, symlinks of every kind.
make_image_tree() {
    local d=$1
    rm -rf "$d"
    mkdir -p "$d/sub/deeper" "$d/empty-dir"
    echo "hello file" >"$d/a.txt"
    : >"$d/empty"
    head -c 4095 /dev/urandom >"$d/sub/p4095"
    head -c 4096 /dev/urandom >"$d/sub/p4096"
    head -c 65537 /dev/urandom >"$d/sub/deeper/c65537"
    head -c 200000 /dev/urandom >"$d/big"
    printf '#!/bin/sh\necho x\n' >"$d/run.sh"
    chmod 755 "$d/run.sh"
    ln -s a.txt "$d/rel-link"
    ln -s /tmp "$d/abs-link" # absolute, and present both in the VM and on the host
    ln -s ../a.txt "$d/sub/up-link"
    ln -s loop2 "$d/loop1"
    ln -s loop1 "$d/loop2"
    ln -s missing "$d/dangling"
}

# build_image OUT VARIANT [BUILD-ARGS...]: seals fsops (of VARIANT) and the tree at /data.
build_image() {
    local out=$1 v=$2
    shift 2
    "$CLOISTER" build -o "$out" --entry "$PROGS/$v/fsops:/bin/fsops" --add "$TREE:/data" \
        --allow-args "$@" >"$WORK/build.out" 2>"$WORK/build.err"
}

# image_compare NAME IMAGE TEE NATIVE-FSOPS MODE VM-PATH HOST-PATH
image_compare() {
    local name=$1 img=$2 tee=$3 native=$4 mode=$5 vmpath=$6 hostpath=$7
    begin "$name" || return 0
    run_capture "$WORK/vm" file /dev/null "$CLOISTER" run --tee "$tee" "$img" "$mode" "$vmpath"
    local vm_rc=$RC
    run_capture "$WORK/native" file /dev/null "$native" "$mode" "$hostpath"
    if ((vm_rc != RC)); then
        fail "$name" "VM status $vm_rc, native status $RC" "$WORK/vm.err"
    elif ! same_file stdout "$WORK/vm.out" "$WORK/native.out"; then
        fail "$name" "stdout differs from the native run" "$WORK/diff"
    elif [[ -s $WORK/vm.err ]]; then
        fail "$name" "the VM wrote to stderr" "$WORK/vm.err"
    else
        pass "$name"
    fi
}

# digest_of IMAGE: the launch digest `cloister measure` gives, or "".
digest_of() {
    "$CLOISTER" measure "$@" 2>/dev/null
}

# sim_digest IMAGE: the digest the sim TEE measured from what it loaded.
sim_digest() {
    timeout -k 5 "$TIMEOUT" "$CLOISTER" run --tee sim --stats "$1" tree /data/sub 2>&1 >/dev/null |
        sed -n 's/.*launch digest (measured by sim) \([0-9a-f]*\).*/\1/p'
}

image_cases() {
    TREE=$WORK/image-tree
    make_image_tree "$TREE"
    local v img host_tmp
    for v in musl glibc; do
        img=$WORK/fs-$v.cwi
        if ! build_image "$img" "$v"; then
            fail "image/$v/build" "cloister build failed" "$WORK/build.err"
            continue
        fi
        pass "image/$v/build"
        for tee in none sim; do
            image_compare "image/$v/tree-$tee" "$img" "$tee" "$PROGS/$v/fsops" tree /data "$TREE"
            image_compare "image/$v/errors-$tee" "$img" "$tee" "$PROGS/$v/fsops" errors /data "$TREE"
        done
        host_tmp=$(mktemp -d "$WORK/hosttmp.XXXXXX")
        image_compare "image/$v/tmpfs" "$img" none "$PROGS/$v/fsops" tmp /tmp "$host_tmp"
    done
    image_integrity_cases
    image_measure_cases
    image_bad_cases
}

# A host that rewrites file bytes and the section hash to match: under a TEE the chunk
# it changed reads as EIO, the others read intact, and the run says what failed.
image_integrity_cases() {
    local img=$WORK/fs-musl.cwi bad=$WORK/tampered.cwi name
    [[ -f $img ]] || return 0
    cp "$img" "$bad"
    if ! "$BUILD_DIR/tests/tools/cwi_tamper" "$bad" /data/big 70000 2>"$WORK/tamper.err"; then
        fail image/tamper "cwi_tamper failed" "$WORK/tamper.err"
        return 0
    fi
    name=image/tamper-sim-eio
    if begin "$name"; then
        run_capture "$WORK/t" file /dev/null "$CLOISTER" run --tee sim "$bad" readall /data/big
        if ((RC != 0)); then
            fail "$name" "$(describe_status "$RC"), expected 0" "$WORK/t.err"
        elif [[ $(grep -c '^error at offset' "$WORK/t.out") != 1 ]] ||
            ! grep -qE '^error at offset 65536: (Input/output error|I/O error)$' "$WORK/t.out"; then
            fail "$name" "expected EIO on exactly the changed chunk (offset 65536)" "$WORK/t.out"
        elif ! grep -q 'integrity failure: /data/big bytes 65536-131071' "$WORK/t.err"; then
            fail "$name" "the run did not report the integrity failure" "$WORK/t.err"
        else
            pass "$name"
        fi
    fi
    name=image/tamper-sim-other-files-intact
    if begin "$name"; then
        run_capture "$WORK/t" file /dev/null "$CLOISTER" run --tee sim "$bad" readall /data/sub/deeper/c65537
        local want
        want=$("$PROGS/musl/fsops" readall "$TREE/sub/deeper/c65537")
        if [[ $RC != 0 || $(cat "$WORK/t.out") != "$want" ]]; then
            fail "$name" "an untouched file did not read intact" "$WORK/t.out" "$WORK/t.err"
        else
            pass "$name"
        fi
    fi
    # the full check (inspect hashes all file data) refuses the tampered image
    cli_case image/tamper-inspect-refuses --status 125 --one-line --stderr 'chunk 1 does not match' -- \
        "$CLOISTER" inspect "$bad"
}

image_measure_cases() {
    local base=$WORK/fs-musl.cwi d0 d name
    [[ -f $base ]] || return 0
    d0=$(digest_of "$base")
    name=image/measure-equals-sim-1cpu
    if begin "$name"; then
        d=$(sim_digest "$base")
        [[ -n $d0 && $d == "$d0" ]] && pass "$name" || fail "$name" "measure $d0, sim measured '$d'"
    fi
    local four=$WORK/fs-4cpu.cwi
    build_image "$four" musl --cpus 4
    name=image/measure-equals-sim-4cpus
    if begin "$name"; then
        local d4
        d4=$(digest_of "$four")
        d=$(sim_digest "$four")
        if [[ -z $d4 || $d != "$d4" ]]; then
            fail "$name" "measure $d4, sim measured '$d'"
        elif [[ $d4 == "$d0" ]]; then
            fail "$name" "4 vCPUs measure the same as 1"
        else
            pass "$name"
        fi
    fi
    # --cpus counts the VMSAs measured: the manifest's count by default
    name=image/measure-cpus-option
    if begin "$name"; then
        if [[ $(digest_of --cpus 4 "$four") != "$(digest_of "$four")" ]]; then
            fail "$name" "measure --cpus 4 of a 4-vCPU image differs from its default"
        elif [[ $(digest_of --cpus 1 "$four") == "$(digest_of "$four")" ]]; then
            fail "$name" "measure --cpus 1 of a 4-vCPU image equals its default"
        else
            pass "$name"
        fi
    fi

    # any change to what is sealed changes the digest
    local alt=$WORK/alt-tree what
    for what in file arg env mem; do
        name=image/measure-changes-with-$what
        begin "$name" || continue
        local other=$WORK/other-$what.cwi
        case $what in
        file)
            cp -a "$TREE" "$alt"
            echo "one more byte" >>"$alt/sub/p4096"
            "$CLOISTER" build -o "$other" --entry "$PROGS/musl/fsops:/bin/fsops" \
                --add "$alt:/data" --allow-args >/dev/null 2>&1
            rm -rf "$alt"
            ;;
        arg) build_image "$other" musl -- tree ;;
        env) build_image "$other" musl --env A=B ;;
        mem) build_image "$other" musl --mem 512M ;;
        esac
        d=$(digest_of "$other")
        if [[ -z $d || -z $d0 ]]; then
            fail "$name" "no digest"
        elif [[ $d == "$d0" ]]; then
            fail "$name" "the digest did not change"
        else
            pass "$name"
        fi
    done

    name=image/build-reproducible
    if begin "$name"; then
        build_image "$WORK/again.cwi" musl
        cmp -s "$base" "$WORK/again.cwi" && pass "$name" || fail "$name" "two builds differ"
    fi
}

# Bad images never reach a VM: one line naming the problem, status 125.
image_bad_cases() {
    local base=$WORK/fs-musl.cwi bad=$WORK/bad.cwi
    [[ -f $base ]] || return 0
    "$CLOISTER" build -o "$WORK/fs-noargs.cwi" --entry "$PROGS/musl/fsops:/bin/fsops" \
        --add "$TREE:/data" -- tree /data >/dev/null 2>&1
    head -c 100 "$base" >"$bad.short"
    cli_case image/bad-truncated-header --status 125 --one-line --stderr 'image' -- \
        "$CLOISTER" run "$bad.short"
    head -c 5000 "$base" >"$bad.mid"
    cli_case image/bad-truncated-section --status 125 --one-line --stderr 'image' -- \
        "$CLOISTER" run "$bad.mid"
    cp "$base" "$bad.ver"
    printf '\x7f' | dd of="$bad.ver" bs=1 seek=8 conv=notrunc 2>/dev/null
    cli_case image/bad-version --status 125 --one-line --stderr 'version' -- \
        "$CLOISTER" run "$bad.ver"
    cp "$base" "$bad.hash"
    printf '\xff' | dd of="$bad.hash" bs=1 seek=500 conv=notrunc 2>/dev/null
    cli_case image/bad-section-hash --status 125 --one-line --stderr 'image' -- \
        "$CLOISTER" run "$bad.hash"
    cli_case image/extra-args-refused --status 125 --one-line --stderr 'extra arguments' -- \
        "$CLOISTER" run "$WORK/fs-noargs.cwi" tree /data
}
register_group 60 image vm-pinned image_cases image/
