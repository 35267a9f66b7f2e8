# Attestation inside the guest (issue: "Attestation and secrets"): reports read through
# Linux's /dev/sev-guest and configfs-tsm in a --tee sim launch verify on the host with
# `cloister verify --trust sim`, and their measurement equals `cloister measure` of the
# image; without a TEE the interfaces are absent, as on Linux without SEV.

# report_from OUT TAG FILE: the hex after "TAG " in OUT, as bytes in FILE.
report_from() {
    grep "^$2 " "$1" | head -n 1 | cut -d' ' -f2 | xxd -r -p >"$3"
}

attest_cases() {
    local name dir=$WORK/simchip img=$WORK/attest.cwi data=0011223344556677 hd=c0ffee
    if ! sim_chip "$dir" >"$WORK/sim.out" 2>&1; then
        fail attest/sim-init "cloister sim init failed" "$WORK/sim.out"
        return 0
    fi
    pass attest/sim-init
    if ! "$CLOISTER" build -o "$img" --allow-args --entry "$PROGS/glibc/attest:/bin/attest" \
        >"$WORK/build.out" 2>&1; then
        fail attest/build "cloister build failed" "$WORK/build.out"
        return 0
    fi
    local digest
    digest=$("$CLOISTER" measure "$img")
    local iface
    for iface in sev-guest tsm; do
        name=attest/$iface-report-verifies
        run_capture "$WORK/att" file /dev/null "$CLOISTER" run --tee sim --sim-dir "$dir" \
            --host-data "$hd" "$img" "$iface" "$data"
        if ((RC != 0)); then
            fail "$name" "$(describe_status "$RC")" "$WORK/att.out" "$WORK/att.err"
            continue
        fi
        report_from "$WORK/att.out" report "$WORK/report.bin"
        if CLOISTER_SIM_DIR=$dir "$CLOISTER" verify --report "$WORK/report.bin" --trust sim \
            --expect-measurement "$digest" --expect-report-data "$data" \
            --expect-host-data "$hd" >"$WORK/verify.out" 2>&1; then
            pass "$name"
        else
            fail "$name" "cloister verify refused it" "$WORK/verify.out"
        fi
        name=attest/$iface-report-needs-the-sim-root
        if CLOISTER_SIM_DIR=$dir "$CLOISTER" verify --report "$WORK/report.bin" \
            --vcek "$dir/vcek.pem" >"$WORK/verify.out" 2>&1; then
            fail "$name" "a sim report verified without --trust sim"
        else
            pass "$name"
        fi
    done
    # the extended report carries the chip's certificates and verifies the same way
    name=attest/sev-guest-extended-report
    run_capture "$WORK/att" file /dev/null "$CLOISTER" run --tee sim --sim-dir "$dir" "$img" \
        sev-guest "$data"
    report_from "$WORK/att.out" ext-report "$WORK/ext.bin"
    if grep -q '^ext, one page: too small, needs 8192 bytes$' "$WORK/att.out" &&
        [[ $(grep -c '^certs [0-9a-f]' "$WORK/att.out") == 1 ]] &&
        CLOISTER_SIM_DIR=$dir "$CLOISTER" verify --report "$WORK/ext.bin" --trust sim \
            --expect-measurement "$digest" >/dev/null 2>&1; then
        pass "$name"
    else
        fail "$name" "extended report or its certificate table is wrong" "$WORK/att.out"
    fi
    # the interfaces' own rules, as Linux applies them
    name=attest/interface-errors
    run_capture "$WORK/att" file /dev/null "$CLOISTER" run --tee sim --sim-dir "$dir" "$img" tsm "$data"
    grep -v '^report \|^certs ' "$WORK/att.out" >"$WORK/att.facts"
    cat >"$WORK/att.want" <<'WANT'
provider: sev_guest
generation before: 0
inblob of 65 bytes: Invalid argument
inblob of 64 bytes: ok
generation after: 1
privlevel 4: Invalid argument
privlevel_floor: 0
read inblob: Permission denied
rmdir: ok
gone: No such file or directory
WANT
    if same_file facts "$WORK/att.facts" "$WORK/att.want"; then
        pass "$name"
    else
        fail "$name" "configfs-tsm behaves unlike Linux" "$WORK/diff"
    fi
    signed_cases "$dir"
}

# run_refused NAME IMAGE WHY: `run --tee sim` of IMAGE fails with status 125 and one line
# that contains WHY.
run_refused() {
    run_capture "$WORK/sig" file /dev/null "$CLOISTER" run --tee sim --sim-dir "$SIGCHIP" "$2" probe
    if ((RC == 125)) && [[ $(wc -l <"$WORK/sig.err") == 1 ]] && grep -q "$3" "$WORK/sig.err"; then
        pass "$1"
    else
        fail "$1" "expected one line with '$3' and status 125: $(describe_status "$RC")" \
            "$WORK/sig.out" "$WORK/sig.err"
    fi
}

# Signed images (SEV-SNP ID block, docs/sim-tee.md): the reports of a signed image carry
# its ID and author key digests, and a launch refuses an ID block that does not sign
# what was measured, or whose signature does not verify.
signed_cases() {
    SIGCHIP=$1
    local img=$WORK/signed.cwi name idd aud
    local entry=$PROGS/glibc/attest:/bin/attest data=00aa
    openssl ecparam -name secp384r1 -genkey -noout -out "$WORK/id.pem" 2>/dev/null &&
        openssl ecparam -name secp384r1 -genkey -noout -out "$WORK/author.pem" 2>/dev/null &&
        openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/p256.pem" 2>/dev/null
    name=attest/signed-build
    if ! "$CLOISTER" build -o "$img" --allow-args --entry "$entry" --id-key "$WORK/id.pem" \
        --author-key "$WORK/author.pem" --guest-svn 3 >"$WORK/sbuild.out" 2>&1; then
        fail "$name" "cloister build --id-key failed" "$WORK/sbuild.out"
        return 0
    fi
    idd=$(sed -n 's/^id_key_digest: //p' "$WORK/sbuild.out")
    aud=$(sed -n 's/^author_key_digest: //p' "$WORK/sbuild.out")
    if [[ ${#idd} == 96 && ${#aud} == 96 ]] &&
        "$CLOISTER" inspect "$img" | grep -q "id_key_digest *$idd"; then
        pass "$name"
    else
        fail "$name" "no key digests printed, or inspect disagrees" "$WORK/sbuild.out"
    fi

    name=attest/signed-report-verifies
    run_capture "$WORK/sig" file /dev/null "$CLOISTER" run --tee sim --sim-dir "$SIGCHIP" "$img" \
        sev-guest "$data"
    report_from "$WORK/sig.out" report "$WORK/sreport.bin"
    if ((RC == 0)) && CLOISTER_SIM_DIR=$SIGCHIP "$CLOISTER" verify --report "$WORK/sreport.bin" \
        --trust sim --expect-measurement "$("$CLOISTER" measure "$img")" \
        --expect-id-key-digest "$idd" --expect-author-key-digest "$aud" \
        >"$WORK/sverify.out" 2>&1; then
        pass "$name"
    else
        fail "$name" "$(describe_status "$RC"), or verify refused it" "$WORK/sig.err" \
            "$WORK/sverify.out"
    fi
    name=attest/signed-report-other-id-key-refused
    if ! CLOISTER_SIM_DIR=$SIGCHIP "$CLOISTER" verify --report "$WORK/sreport.bin" --trust sim \
        --expect-id-key-digest "$aud" >"$WORK/sverify.out" 2>&1 &&
        grep -q "ID key digest" "$WORK/sverify.out"; then
        pass "$name"
    else
        fail "$name" "a report verified with another ID key digest" "$WORK/sverify.out"
    fi

    name=attest/signed-non-p384-key-refused
    if ! "$CLOISTER" build -o "$WORK/p256.cwi" --entry "$entry" --id-key "$WORK/p256.pem" \
        >"$WORK/sbuild.out" 2>&1 && [[ $(wc -l <"$WORK/sbuild.out") == 1 ]] &&
        grep -q "not an EC P-384 key" "$WORK/sbuild.out"; then
        pass "$name"
    else
        fail "$name" "a P-256 ID key was not refused in one line" "$WORK/sbuild.out"
    fi

    # the host rewrites the SIGNATURE section (and its hash): the ID block's LD, then the
    # signature itself; then an image built otherwise gets this image's valid signature
    cp "$img" "$WORK/tampered.cwi"
    "$BUILD_DIR/tests/tools/cwi_sig_tamper" "$WORK/tampered.cwi" 0
    run_refused attest/signed-tampered-ld-refused "$WORK/tampered.cwi" "does not verify"
    cp "$img" "$WORK/tampered.cwi"
    "$BUILD_DIR/tests/tools/cwi_sig_tamper" "$WORK/tampered.cwi" 0xa0
    run_refused attest/signed-tampered-signature-refused "$WORK/tampered.cwi" "does not verify"
    "$CLOISTER" build -o "$WORK/other.cwi" --allow-args --entry "$entry" --env CHANGED=1 \
        --id-key "$WORK/id.pem" >/dev/null 2>&1
    "$BUILD_DIR/tests/tools/cwi_sig_tamper" "$WORK/other.cwi" --from "$img"
    run_refused attest/signed-other-image-refused "$WORK/other.cwi" "not the measured one"
}
register_group 80 attest vm-pinned attest_cases attest/
