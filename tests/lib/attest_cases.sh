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
    vm_case attest-probe-without-tee -- attest probe
    if ! wanted attest/; then
        return 0
    fi
    if skip_if_no_kvm attest/sim; then
        return 0
    fi
    if ! "$CLOISTER" sim init "$dir" >"$WORK/sim.out" 2>&1; then
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
}
