# Secrets for unmodified programs (issue: "Attestation and secrets"): an image declares
# a secret with `cloister build --secret`; in a --tee sim launch the shim attests to a
# real `cloister kbs` over the network, and the program finds the secret in
# /run/secrets or its environment. Every refusal (another image, a debuggable guest,
# another chip, no TEE, no broker) stops the launch with one line before the program
# runs, and the broker's log says why; a replayed attestation earns nothing.

KBS_PID=""
KBS_PORT=""
KBS_PIN="" # the certificate pin an HTTPS broker printed

# kbs_start LOG PORT ARGS...: starts `cloister kbs` on loopback PORT (0: a free one);
# sets KBS_PID, KBS_PORT and (with --tls-cert) KBS_PIN, or returns 1 (LOG holds why).
kbs_start() {
    local log=$1 port=$2 i
    shift 2
    "$CLOISTER" kbs --listen "127.0.0.1:$port" "$@" 2>"$log" &
    KBS_PID=$!
    # up to 30 s: a loaded machine (or a nested guest) can take seconds to start it
    for ((i = 0; i < 300; i++)); do
        KBS_PORT=$(sed -n 's|.*listening on https\{0,1\}://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log")
        KBS_PIN=$(sed -n 's|.*listening on https://.*(certificate \(sha256:[0-9a-f]\{64\}\);.*|\1|p' "$log")
        [[ -n $KBS_PORT ]] && return 0
        kill -0 "$KBS_PID" 2>/dev/null || break
        sleep 0.1
    done
    kbs_stop
    return 1
}

# kbs_logged LINE PATTERN: true once the broker's log from LINE on matches PATTERN. The
# broker logs a request after answering it, so give it a moment.
kbs_logged() {
    local i
    for ((i = 0; i < 50; i++)); do
        tail -n +"$1" "$WORK/kbs.log" | grep -qE "$2" && return 0
        sleep 0.1
    done
    return 1
}

kbs_stop() {
    [[ -n $KBS_PID ]] || return 0
    kill "$KBS_PID" 2>/dev/null
    wait "$KBS_PID" 2>/dev/null
    KBS_PID=""
}

# secret_image OUT [BUILD-OPTIONS...]: busybox, sealed with the two secrets of the
# broker at $KBS_PORT: a file and an environment variable.
secret_image() {
    local out=$1
    shift
    "$CLOISTER" build -o "$out" --allow-args --entry "$BUSYBOX:/bin/busybox" \
        --secret "127.0.0.1:$KBS_PORT|default/key/db|file:/run/secrets/db" \
        --secret "127.0.0.1:$KBS_PORT|default/key/token|env:API_TOKEN" "$@" \
        >"$WORK/secret-build.out" 2>&1
}

# refused NAME LOG-PATTERN RUN-ARGS...: the launch must fail with status 125 and one
# "cloister:" line matching "secret", the program must not have run, and the broker's
# log must match LOG-PATTERN (if not empty).
refused() {
    local name=$1 pattern=$2
    shift 2
    local before
    before=$(wc -l <"$WORK/kbs.log")
    run_capture "$WORK/sec" file /dev/null "$CLOISTER" run "$@" echo RAN
    if ((RC != 125)); then
        fail "$name" "$(describe_status "$RC"), wanted 125" "$WORK/sec.err" "$WORK/sec.out"
    elif [[ -s $WORK/sec.out ]]; then
        fail "$name" "the program ran" "$WORK/sec.out"
    elif ! one_cloister_line "$WORK/sec.err" 'secret'; then
        fail "$name" "not one cloister: line naming the secret" "$WORK/sec.err"
    elif [[ -n $pattern ]] && ! kbs_logged $((before + 1)) "$pattern"; then
        fail "$name" "the broker's log does not say /$pattern/" "$WORK/kbs.log"
    else
        pass "$name"
    fi
}

# http_post PORT PATH COOKIE BODY-FILE: a raw HTTP/1.1 POST to the loopback broker (bash's
# /dev/tcp: no HTTP client needed); prints the whole answer, headers first.
http_post() {
    local port=$1 path=$2 cookie=$3 body=$4
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    {
        printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n' "$path" "$port"
        printf 'Content-Type: application/json\r\nContent-Length: %s\r\n' "$(wc -c <"$body")"
        [[ -n $cookie ]] && printf 'Cookie: kbs-session-id=%s\r\n' "$cookie"
        printf '\r\n'
        cat "$body"
    } >&3
    timeout 10 cat <&3
    exec 3<&-
}

# replay_attestation NAME PORT NET-LOG: sends the attestation a launch made (taken from
# its --net-log) again, in a new session of the broker: its nonce is the old session's.
replay_attestation() {
    local name=$1 port=$2 log=$3 cookie before
    before=$(wc -l <"$WORK/kbs.log")
    grep -a '^{"runtime-data"' "$log" | head -n 1 | tr -d '\n' >"$WORK/old-attest.json"
    printf '{"version":"0.4.0","tee":"snp","extra-params":""}' >"$WORK/auth.json"
    cookie=$(http_post "$port" /kbs/v0/auth "" "$WORK/auth.json" |
        sed -n 's/^Set-Cookie: kbs-session-id=\([0-9a-f]*\).*/\1/p')
    if [[ ! -s $WORK/old-attest.json || -z $cookie ]]; then
        fail "$name" "no attestation in the net log, or no new session"
        return
    fi
    http_post "$port" /kbs/v0/attest "$cookie" "$WORK/old-attest.json" >"$WORK/replay.out"
    if ! head -n 1 "$WORK/replay.out" | grep -q '^HTTP/1.1 401'; then
        fail "$name" "the broker accepted a replayed attestation" "$WORK/replay.out"
    elif ! kbs_logged $((before + 1)) "attest 401 refused: .*nonce"; then
        fail "$name" "the broker's log does not name the nonce" "$WORK/kbs.log"
    else
        pass "$name"
    fi
}

secrets_cases() {
    if [[ -z $BUSYBOX ]]; then
        fail secrets "busybox not installed (scripts/install-deps installs busybox-static)"
        return 0
    fi
    local chip=$WORK/secchip other=$WORK/otherchip res=$WORK/resources img=$WORK/secret.cwi
    if ! sim_chip "$chip" >"$WORK/sim.out" 2>&1 || ! sim_chip "$other" >>"$WORK/sim.out" 2>&1; then
        fail secrets/sim-init "cloister sim init failed" "$WORK/sim.out"
        return 0
    fi
    mkdir -p "$res/default/key"
    head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$res/default/key/db"
    printf 'tok-%s' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$res/default/key/token"

    # The policy names the image's measurement, so the broker starts twice: once on a
    # free port to learn it (the port is part of the image), then with the policy.
    printf '{"launch_digests": []}\n' >"$WORK/policy0.json"
    if ! kbs_start "$WORK/kbs.log" 0 --policy "$WORK/policy0.json" --resources "$res" \
        --trust "$chip/ark.pem"; then
        fail secrets/kbs-starts "cloister kbs did not start" "$WORK/kbs.log"
        return 0
    fi
    local port=$KBS_PORT
    kbs_stop
    KBS_PORT=$port
    if ! secret_image "$img"; then
        fail secrets/build "cloister build --secret failed" "$WORK/secret-build.out"
        return 0
    fi
    # a secret without a pin is allowed, but the build says what it gives up
    if [[ $(grep -c '^cloister: warning: --secret .* has no broker certificate pin' \
        "$WORK/secret-build.out") == 2 ]]; then
        pass secrets/unpinned-warned
    else
        fail secrets/unpinned-warned "no warning for each secret without a pin" \
            "$WORK/secret-build.out"
    fi
    # the same program with a guest policy that allows debugging (SNP policy bit 19):
    # the broker must refuse it whatever its digest, since the host can read its memory
    printf '{"snp_policy": "0xb0000"}\n' >"$WORK/debug.json"
    if ! secret_image "$WORK/debug.cwi" -f "$WORK/debug.json"; then
        fail secrets/build "cloister build of the debug image failed" "$WORK/secret-build.out"
        return 0
    fi
    printf '{"launch_digests": ["%s", "%s"]}\n' "$("$CLOISTER" measure "$img")" \
        "$("$CLOISTER" measure "$WORK/debug.cwi")" >"$WORK/policy.json"
    if ! kbs_start "$WORK/kbs.log" "$port" --policy "$WORK/policy.json" --resources "$res" \
        --trust "$chip/ark.pem"; then
        fail secrets/kbs-starts "cloister kbs did not start again on port $port" "$WORK/kbs.log"
        return 0
    fi
    pass secrets/kbs-starts

    local sim=(--tee sim --sim-dir "$chip")
    run_capture "$WORK/sec" file /dev/null "$CLOISTER" run "${sim[@]}" --net-log "$WORK/net.log" \
        "$img" cat /run/secrets/db
    if ((RC != 0)); then
        fail secrets/file-delivered "$(describe_status "$RC")" "$WORK/sec.err" "$WORK/kbs.log"
    elif same_file "/run/secrets/db" "$WORK/sec.out" "$res/default/key/db"; then
        pass secrets/file-delivered
    else
        fail secrets/file-delivered "the program read another value" "$WORK/diff"
    fi
    if [[ ! -s $WORK/net.log ]]; then
        fail secrets/net-log-has-no-secret "--net-log wrote nothing"
    elif grep -qF -e "$(cat "$res/default/key/db")" -e "$(cat "$res/default/key/token")" \
        "$WORK/net.log"; then
        fail secrets/net-log-has-no-secret "a secret crossed the host in clear"
    elif ! grep -q 'POST /kbs/v0/attest' "$WORK/net.log"; then
        fail secrets/net-log-has-no-secret "the log does not show the attestation" "$WORK/net.log"
    else
        pass secrets/net-log-has-no-secret
    fi
    run_capture "$WORK/sec" file /dev/null "$CLOISTER" run "${sim[@]}" "$img" \
        sh -c 'printf %s "$API_TOKEN"'
    if ((RC != 0)); then
        fail secrets/env-delivered "$(describe_status "$RC")" "$WORK/sec.err"
    elif same_file "API_TOKEN" "$WORK/sec.out" "$res/default/key/token"; then
        pass secrets/env-delivered
    else
        fail secrets/env-delivered "the program saw another value" "$WORK/diff"
    fi
    # a file readable by its owner only, of the secret's size
    run_capture "$WORK/sec" file /dev/null "$CLOISTER" run "${sim[@]}" "$img" \
        stat -c "%a %s %F" /run/secrets/db
    if [[ $RC == 0 && $(cat "$WORK/sec.out") == "400 96 regular file" ]]; then
        pass secrets/file-mode
    else
        fail secrets/file-mode "$(describe_status "$RC")" "$WORK/sec.out" "$WORK/sec.err"
    fi

    # another program (one file more) has another measurement: no secret for it
    printf 'x\n' >"$WORK/extra"
    if secret_image "$WORK/changed.cwi" --add "$WORK/extra:/etc/extra"; then
        refused secrets/other-image-refused 'attest 401 refused: report: measurement [0-9a-f]{96} not allowed' \
            "${sim[@]}" "$WORK/changed.cwi"
    else
        fail secrets/other-image-refused "cloister build failed" "$WORK/secret-build.out"
    fi
    # a report earned once does not earn a secret again
    replay_attestation secrets/replayed-attestation-refused "$port" "$WORK/net.log"
    refused secrets/debug-policy-refused 'attest 401 refused: .*debug' "${sim[@]}" \
        "$WORK/debug.cwi"
    # the same image on a chip the broker does not trust
    refused secrets/untrusted-chip-refused 'attest 401 refused: .*(root|chain|signature|trust)' --tee sim --sim-dir "$other" "$img"
    # without a TEE there is no report to give; the broker is never asked
    local lines
    lines=$(wc -l <"$WORK/kbs.log")
    refused secrets/no-tee-refused '' --tee none "$img"
    sleep 0.3 # the broker logs after it answers
    if ! grep -q 'no TEE to attest with' "$WORK/sec.err" ||
        [[ $(wc -l <"$WORK/kbs.log") != "$lines" ]]; then
        fail secrets/no-tee-asks-no-broker "the broker was asked, or the reason is not given" \
            "$WORK/sec.err"
    else
        pass secrets/no-tee-asks-no-broker
    fi
    kbs_stop
    refused secrets/no-broker-refused '' "${sim[@]}" "$img"
    secrets_hostile_cases "$chip"
    secrets_tls_cases "$chip" "$res"
}

# make_cert NAME KIND: a self-signed certificate and key, $WORK/NAME.crt and .key, of an
# EC P-256 (ec), EC P-384 (p384) or RSA-2048 (rsa) key.
make_cert() {
    local kind=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [[ $2 == p384 ]] && kind=(-newkey ec -pkeyopt ec_paramgen_curve:P-384)
    [[ $2 == rsa ]] && kind=(-newkey rsa:2048)
    openssl req -x509 "${kind[@]}" -nodes -subj /CN=kbs -days 2 -keyout "$WORK/$1.key" \
        -out "$WORK/$1.crt" >"$WORK/openssl.out" 2>&1
}

# tls_image NAME CERT: learns a free port and the pin of a broker with CERT, then seals
# $WORK/NAME.cwi with a file secret over TLS to it; sets TLS_PORT. 1 on failure.
tls_image() {
    local name=$1 cert=$2
    kbs_start "$WORK/kbs.log" 0 --policy "$WORK/policy0.json" --resources "$WORK/resources" \
        --tls-cert "$WORK/$cert.crt" --tls-key "$WORK/$cert.key" || return 1
    TLS_PORT=$KBS_PORT
    local pin=$KBS_PIN
    kbs_stop
    [[ -n $pin ]] || return 1
    "$CLOISTER" build -o "$WORK/$name.cwi" --allow-args --entry "$BUSYBOX:/bin/busybox" \
        --secret "127.0.0.1:$TLS_PORT|default/key/db|file:/run/secrets/db|$pin" \
        >"$WORK/secret-build.out" 2>&1 && ! grep -q warning "$WORK/secret-build.out"
}

# The broker over TLS, its certificate pinned in the image: the secret arrives, the host
# sees no HTTP, and a broker with another certificate (the host impersonating it) is
# refused before the program runs.
secrets_tls_cases() {
    local chip=$1 res=$2 sim=(--tee sim --sim-dir "$1")
    if ! command -v openssl >/dev/null; then
        skip secrets/tls "openssl not installed"
        return 0
    fi
    if ! make_cert tls1 ec || ! make_cert tls2 ec || ! make_cert tlsrsa rsa ||
        ! make_cert tlsp384 p384; then
        fail secrets/tls-certs "openssl req failed" "$WORK/openssl.out"
        return 0
    fi
    if ! tls_image tls tls1; then
        fail secrets/tls-kbs-starts "no HTTPS broker, or no pin in its log, or no image" \
            "$WORK/kbs.log" "$WORK/secret-build.out"
        return 0
    fi
    local port=$TLS_PORT
    if ! tls_image tlsrsa tlsrsa; then
        fail secrets/tls-kbs-starts "no HTTPS broker with an RSA certificate" "$WORK/kbs.log" \
            "$WORK/secret-build.out"
        return 0
    fi
    local rsa_port=$TLS_PORT
    if ! tls_image tlsp384 tlsp384; then
        fail secrets/tls-kbs-starts "no HTTPS broker with a P-384 certificate" "$WORK/kbs.log" \
            "$WORK/secret-build.out"
        return 0
    fi
    local p384_port=$TLS_PORT
    printf '{"launch_digests": ["%s", "%s", "%s"]}\n' "$("$CLOISTER" measure "$WORK/tls.cwi")" \
        "$("$CLOISTER" measure "$WORK/tlsrsa.cwi")" "$("$CLOISTER" measure "$WORK/tlsp384.cwi")" \
        >"$WORK/policy-tls.json"
    local broker=(--policy "$WORK/policy-tls.json" --resources "$res" --trust "$chip/ark.pem")
    if ! kbs_start "$WORK/kbs.log" "$port" "${broker[@]}" --tls-cert "$WORK/tls1.crt" \
        --tls-key "$WORK/tls1.key"; then
        fail secrets/tls-kbs-starts "cloister kbs --tls-cert did not start" "$WORK/kbs.log"
        return 0
    fi
    pass secrets/tls-kbs-starts
    run_capture "$WORK/sec" file /dev/null "$CLOISTER" run "${sim[@]}" \
        --net-log "$WORK/tls-net.log" "$WORK/tls.cwi" cat /run/secrets/db
    if ((RC != 0)); then
        fail secrets/tls-file-delivered "$(describe_status "$RC")" "$WORK/sec.err" "$WORK/kbs.log"
    elif same_file "/run/secrets/db" "$WORK/sec.out" "$res/default/key/db"; then
        pass secrets/tls-file-delivered
    else
        fail secrets/tls-file-delivered "the program read another value" "$WORK/diff"
    fi
    if [[ ! -s $WORK/tls-net.log ]]; then
        fail secrets/tls-net-log-opaque "--net-log wrote nothing"
    elif grep -aq 'POST /kbs/v0' "$WORK/tls-net.log"; then
        fail secrets/tls-net-log-opaque "HTTP crossed the host in clear"
    elif grep -aqF "$(cat "$res/default/key/db")" "$WORK/tls-net.log"; then
        fail secrets/tls-net-log-opaque "the secret crossed the host in clear"
    else
        pass secrets/tls-net-log-opaque
    fi
    # the host answers in the broker's place with a certificate of its own
    kbs_stop
    if ! kbs_start "$WORK/kbs.log" "$port" "${broker[@]}" --tls-cert "$WORK/tls2.crt" \
        --tls-key "$WORK/tls2.key"; then
        fail secrets/tls-impostor-refused "the second broker did not start" "$WORK/kbs.log"
    else
        refused secrets/tls-impostor-refused '' "${sim[@]}" "$WORK/tls.cwi"
        grep -q "certificate does not match the pinned sha256:[0-9a-f]\{64\}" "$WORK/sec.err" ||
            fail secrets/tls-impostor-named "the refusal does not name the pin" "$WORK/sec.err"
    fi
    kbs_stop
    # the other kinds of certificate the shim verifies: RSA, and ECDSA on P-384
    local kind kport
    for kind in rsa p384; do
        kport=$rsa_port
        [[ $kind == p384 ]] && kport=$p384_port
        if ! kbs_start "$WORK/kbs.log" "$kport" "${broker[@]}" --tls-cert "$WORK/tls$kind.crt" \
            --tls-key "$WORK/tls$kind.key"; then
            fail "secrets/tls-$kind-delivered" "the broker did not start" "$WORK/kbs.log"
            continue
        fi
        run_capture "$WORK/sec" file /dev/null "$CLOISTER" run "${sim[@]}" \
            "$WORK/tls$kind.cwi" cat /run/secrets/db
        if ((RC != 0)); then
            fail "secrets/tls-$kind-delivered" "$(describe_status "$RC")" "$WORK/sec.err"
        elif same_file "/run/secrets/db" "$WORK/sec.out" "$res/default/key/db"; then
            pass "secrets/tls-$kind-delivered"
        else
            fail "secrets/tls-$kind-delivered" "the program read another value" "$WORK/diff"
        fi
        kbs_stop
    done
    # a key that is not the certificate's: the broker does not start, and says why
    run_capture "$WORK/b" file /dev/null "$CLOISTER" kbs --listen 127.0.0.1:0 "${broker[@]}" \
        --tls-cert "$WORK/tls1.crt" --tls-key "$WORK/tls2.key"
    if ((RC == 1)) && one_cloister_line "$WORK/b.err" 'tls2.key is not the key of the certificate'; then
        pass secrets/tls-wrong-key-refused
    else
        fail secrets/tls-wrong-key-refused "$(describe_status "$RC"), wanted 1 and one line" \
            "$WORK/b.err"
    fi
    # a pin that is not sha256: and 64 lowercase hex digits is refused at build
    run_capture "$WORK/b" file /dev/null "$CLOISTER" build -o "$WORK/badpin.cwi" \
        --entry "$BUSYBOX:/bin/busybox" \
        --secret "127.0.0.1:$port|default/key/db|file:/run/secrets/db|sha256:ABCDEF"
    if ((RC == 2)) && [[ $(grep -c '^cloister: ' "$WORK/b.err") == 1 ]] &&
        grep -q '^cloister: build: .*pin' "$WORK/b.err" && [[ ! -e $WORK/badpin.cwi ]]; then
        pass secrets/tls-bad-pin-refused
    else
        fail secrets/tls-bad-pin-refused "$(describe_status "$RC"), wanted 2 and one line" \
            "$WORK/b.err"
    fi
}

# A hostile "broker" (tests/tools/hostile_kbs.c; without a pin, the host can be one):
# each malformed or malicious answer stops the launch with one line naming the secret,
# status 125, within the monitor's 10 s socket timeout, and the program never runs.
secrets_hostile_cases() {
    local chip=$1 mode tool=$BUILD_DIR/tests/tools/hostile_kbs
    if [[ ! -x $tool ]]; then
        fail secrets/hostile "$tool is not built (make unit)"
        return 0
    fi
    for mode in close silent huge-length endless-header bad-status chunked short-body \
        no-nonce huge-nonce cookie-injection jwe-garbage jwe-wrong-key jwe-huge; do
        coproc HOSTILE { exec "$tool" "$mode"; }
        local line port
        read -r line <&"${HOSTILE[0]}"
        port=${line#port }
        if ! "$CLOISTER" build -o "$WORK/hostile.cwi" --allow-args \
            --entry "$BUSYBOX:/bin/busybox" \
            --secret "127.0.0.1:$port|default/key/db|file:/run/secrets/db" \
            >"$WORK/secret-build.out" 2>&1; then
            fail "secrets/hostile-$mode" "cloister build failed" "$WORK/secret-build.out"
        else
            refused "secrets/hostile-$mode" '' --tee sim --sim-dir "$chip" \
                "$WORK/hostile.cwi"
        fi
        kill "$HOSTILE_PID" 2>/dev/null
        wait "$HOSTILE_PID" 2>/dev/null
    done
}
register_group 90 secrets vm-pinned secrets_cases secrets/
