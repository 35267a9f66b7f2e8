#!/usr/bin/env bash
# Secrets benchmark (issue 5): what fetching a declared secret from a key broker adds
# to a --tee sim launch (the shim's P-256 key, the report, the broker's verification,
# the JWE), measured against the same program sealed without a secret; and the
# broker's own cost per exchange; and the same over TLS to a broker whose certificate
# the image pins (the handshake: ECDHE P-256, an ECDSA P-256 signature, AES-GCM).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
runs=${RUNS:-20}
out="$build/bench/secrets"
cloister="$build/cloister"
rm -rf "$out"
mkdir -p "$out/res/default/key"
cc -O2 -Wall -o "$build/bench/timeit" bench/timeit.c
musl-gcc -static -O2 -o "$out/hello" examples/hello.c
"$cloister" sim init "$out/chip" >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=kbs -days 2 \
    -keyout "$out/kbs.key" -out "$out/kbs.crt" 2>/dev/null
head -c 32 /dev/urandom >"$out/res/default/key/db"

# free_port [KBS-OPTIONS...]: a free port for a broker (and, with --tls-cert, its pin
# in $pin), then the image that names it
free_port() {
    "$cloister" kbs --listen 127.0.0.1:0 --policy <(echo '{"launch_digests": []}') \
        --resources "$out/res" --trust "$out/chip/ark.pem" "$@" 2>"$out/kbs0.log" &
    local p=$!
    for _ in $(seq 50); do
        port=$(sed -n 's|.*listening on https\{0,1\}://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out/kbs0.log")
        [[ -n $port ]] && break
        sleep 0.1
    done
    pin=$(sed -n 's|.*(certificate \(sha256:[0-9a-f]*\);.*|\1|p' "$out/kbs0.log")
    kill "$p"
    wait "$p" 2>/dev/null || true
}
tls=(--tls-cert "$out/kbs.crt" --tls-key "$out/kbs.key")
free_port "${tls[@]}"
tls_port=$port
"$cloister" build -o "$out/tls.cwi" --entry "$out/hello" \
    --secret "127.0.0.1:$tls_port|default/key/db|file:/run/secrets/db|$pin" >/dev/null
free_port
"$cloister" build -o "$out/plain.cwi" --entry "$out/hello" >/dev/null
"$cloister" build -o "$out/secret.cwi" --entry "$out/hello" \
    --secret "127.0.0.1:$port|default/key/db|file:/run/secrets/db" >/dev/null
printf '{"launch_digests": ["%s", "%s"]}\n' "$("$cloister" measure "$out/secret.cwi")" \
    "$("$cloister" measure "$out/tls.cwi")" >"$out/policy.json"
"$cloister" kbs --listen "127.0.0.1:$port" --policy "$out/policy.json" --resources "$out/res" \
    --trust "$out/chip/ark.pem" 2>"$out/kbs.log" &
pid=$!
"$cloister" kbs --listen "127.0.0.1:$tls_port" --policy "$out/policy.json" \
    --resources "$out/res" --trust "$out/chip/ark.pem" "${tls[@]}" 2>"$out/kbs-tls.log" &
tls_pid=$!
trap 'kill $pid $tls_pid 2>/dev/null || true' EXIT
sleep 0.5

sim=(--tee sim --sim-dir "$out/chip")
echo "== cloister run --tee sim of hello (musl, static), $runs runs"
echo "no secret:        $("$build/bench/timeit" "$runs" "$cloister" run "${sim[@]}" "$out/plain.cwi")"
echo "one secret (file): $("$build/bench/timeit" "$runs" "$cloister" run "${sim[@]}" "$out/secret.cwi")"
echo "one secret (TLS):  $("$build/bench/timeit" "$runs" "$cloister" run "${sim[@]}" "$out/tls.cwi")"
echo "where the time goes (one run with a secret):"
"$cloister" run --stats "${sim[@]}" "$out/secret.cwi" 2>&1 >/dev/null | head -1
echo "where the time goes (one run with a secret over TLS):"
"$cloister" run --stats "${sim[@]}" "$out/tls.cwi" 2>&1 >/dev/null | head -1
echo "broker exchanges logged: $(grep -c 'released default/key/db' "$out/kbs.log") plain, $(grep -c 'released default/key/db' "$out/kbs-tls.log") TLS"
