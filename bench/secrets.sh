#!/usr/bin/env bash
# Secrets benchmark (issue 5): what fetching a declared secret from a key broker adds
# to a --tee sim launch (the shim's P-256 key, the report, the broker's verification,
# the JWE), measured against the same program sealed without a secret; and the
# broker's own cost per exchange.
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
head -c 32 /dev/urandom >"$out/res/default/key/db"

# a free port for the broker, then the image that names it
"$cloister" kbs --listen 127.0.0.1:0 --policy <(echo '{"launch_digests": []}') \
    --resources "$out/res" --trust "$out/chip/ark.pem" 2>"$out/kbs0.log" &
pid=$!
for _ in $(seq 50); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out/kbs0.log")
    [[ -n $port ]] && break
    sleep 0.1
done
kill "$pid"
wait "$pid" 2>/dev/null || true
"$cloister" build -o "$out/plain.cwi" --entry "$out/hello" >/dev/null
"$cloister" build -o "$out/secret.cwi" --entry "$out/hello" \
    --secret "127.0.0.1:$port|default/key/db|file:/run/secrets/db" >/dev/null
printf '{"launch_digests": ["%s"]}\n' "$("$cloister" measure "$out/secret.cwi")" >"$out/policy.json"
"$cloister" kbs --listen "127.0.0.1:$port" --policy "$out/policy.json" --resources "$out/res" \
    --trust "$out/chip/ark.pem" 2>"$out/kbs.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 0.5

sim=(--tee sim --sim-dir "$out/chip")
echo "== cloister run --tee sim of hello (musl, static), $runs runs"
echo "no secret:        $("$build/bench/timeit" "$runs" "$cloister" run "${sim[@]}" "$out/plain.cwi")"
echo "one secret (file): $("$build/bench/timeit" "$runs" "$cloister" run "${sim[@]}" "$out/secret.cwi")"
echo "where the time goes (one run with a secret):"
"$cloister" run --stats "${sim[@]}" "$out/secret.cwi" 2>&1 >/dev/null | head -1
echo "broker exchanges logged: $(grep -c 'released default/key/db' "$out/kbs.log")"
