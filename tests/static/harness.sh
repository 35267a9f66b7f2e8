#!/usr/bin/env bash
# The harness's own behaviour, on made-up input: what the filter leaves out, a failing
# unit case under a filter, shards, and a nested guest that stops in the middle of a
# case. Each check prints why it failed; the script fails if any did.
set -u
source tests/lib/harness.sh
source tests/lib/nested.sh
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
TIMEOUT=20
bad=0
check() { # check WHAT COMMAND...: runs COMMAND, reports WHAT if it fails
    local what=$1
    shift
    "$@" || { echo "FAILED: $what"; bad=1; }
}

# could_match: an anchored filter leaves out whole groups, an unanchored one none
matches() { FILTER=$1 could_match "${@:2}"; }
check "'^(unit|cli)/' selects unit/" matches '^(unit|cli)/' unit/
check "'^(unit|cli)/' selects cli/" matches '^(unit|cli)/' cli/
check "'^(unit|cli)/' leaves out image/" eval '! matches "^(unit|cli)/" image/'
check "'^vm/musl/hello\$' selects vm/" matches '^vm/musl/hello$' vm/
check "'^vm/' leaves out secrets/" eval '! matches "^vm/" secrets/'
check "'hello' (unanchored) selects secrets/" matches hello secrets/

# a failing unit case under --filter is reported, and the run goes on (BASH_REMATCH
# used to be clobbered by the filter between the match and reading its groups)
mkdir -p "$WORK/unit"
printf '#!/bin/sh\necho "PASS one"\necho "detail line"\necho "FAIL two: it broke"\necho "PASS three"\n' >"$WORK/unit/test_fake"
chmod +x "$WORK/unit/test_fake"
out=$(FILTER='^unit/' PASSED=0 FAILED=0 bash -c "source tests/lib/harness.sh; source tests/lib/host_tests.sh; WORK=$WORK TIMEOUT=20; unit_tests $WORK/unit unit; echo \"\$PASSED \$FAILED\"" 2>&1)
check "a failing unit case under a filter: got '$out'" \
    grep -qx 'FAIL unit/test_fake/two: it broke' <<<"$out"
check "the run goes on after it: got '$out'" grep -qx '2 1' <<<"$out"

# results the filter does not select are dropped
out=$(FILTER='^a/' bash -c 'source tests/lib/harness.sh; pass a/x; pass b/y; fail b/z why; echo "$PASSED $FAILED"')
check "unselected results dropped: got '$out'" test "$out" = $'PASS a/x\n1 0'

# shards: every VM case runs in exactly one of two shards
for s in 0 1; do
    FILTER="" VM_MODE=here SHARDS=2 SHARD=$s GROUP_KIND=vm VM_TURN=0 PINNED=0 bash -c \
        'source tests/lib/harness.sh; SHARDS=2 SHARD='$s'; for i in 1 2 3 4 5; do begin c$i --vm && echo c$i; done' \
        >"$WORK/shard$s"
done
check "two shards share five cases out once each" \
    test "$(sort "$WORK/shard0" "$WORK/shard1" | tr '\n' ' ')" = "c1 c2 c3 c4 c5 "
check "neither shard is empty" test -s "$WORK/shard0" -a -s "$WORK/shard1"

# a guest that stops is a failure of the case it was in
echo "nested: no output for 360 s: the guest stopped making progress" >"$WORK/nested-0.err"
printf '@@case vm/a\nPASS vm/a\n@@case vm/b\nFAIL vm/b: differs\n      detail\n@@case vm/c\n@@vm-status 124\n' |
    relay_results nested/ nested-0 "$WORK/counts" >"$WORK/relayed"
check "relay counts: $(head -n 1 "$WORK/counts")" test "$(head -n 1 "$WORK/counts")" = "1 2 0"
check "the stopped case is named" grep -q '^FAIL nested/vm/c: the nested guest stopped making progress' "$WORK/relayed"
check "a failure keeps its detail" grep -qx '      detail' "$WORK/relayed"
# a guest stopped between cases names its shard
printf '@@case vm/a\nPASS vm/a\n@@vm-status 124\n' | relay_results "" nested-0 "$WORK/counts" >"$WORK/relayed"
check "stopped between cases names the shard" grep -q '^FAIL nested-0: the nested guest stopped' "$WORK/relayed"

# a guest whose 9p share stalled is replaced by one that goes on from the case it was in
cat >"$WORK/fake-vm" <<'FAKE'
#!/usr/bin/env bash
# first call: a case passes, the next stalls; second call: goes on from turn 2
if [[ " $* " != *" --resume-turn 2 "* ]]; then
    printf '@@case vm/a 1\nPASS vm/a\n@@case vm/b 2\n'
    echo "nested: the guest stalled: pid 9 (bash) blocked 60 s in the kernel at p9_client_rpc; console's last lines:" >&2
    exit 124
fi
printf '@@case vm/b 2\nPASS vm/b\n@@case vm/c 3\nPASS vm/c\n'
FAKE
chmod +x "$WORK/fake-vm"
NESTED_VM=$WORK/fake-vm NESTED_SHARDS=1 nested_shard 0 --build build |
    relay_results "" nested-0 "$WORK/counts" >"$WORK/relayed"
check "restarted relay counts: $(head -n 1 "$WORK/counts")" test "$(head -n 1 "$WORK/counts")" = "3 0 0"
check "the restart is said, with its cause and where it goes on" \
    grep -q '^nested-0: the guest stalled: pid 9 (bash) .* at p9_client_rpc .*a new guest goes on from vm/b$' "$WORK/relayed"
# a stall that is not 9p's is a failure, with no new guest
sed -i 's/p9_client_rpc/folio_wait_bit/' "$WORK/fake-vm"
NESTED_VM=$WORK/fake-vm NESTED_SHARDS=1 nested_shard 0 | relay_results "" nested-0 "$WORK/counts" >"$WORK/relayed"
check "another stall fails its case" \
    grep -q '^FAIL vm/b: the nested guest stopped making progress here (the guest stalled: pid 9 (bash) .* at folio_wait_bit' "$WORK/relayed"
# a guest that stopped whole (no sign of life on its console) is replaced too
sed -i 's/^    echo "nested: the guest stalled: .*/    echo "nested: no output for 360 s and no sign of life on the console: the guest stopped whole; console'"'"'s last lines:" >\&2/' "$WORK/fake-vm"
NESTED_VM=$WORK/fake-vm NESTED_SHARDS=1 nested_shard 0 | relay_results "" nested-0 "$WORK/counts" >"$WORK/relayed"
check "a guest stopped whole is replaced: $(head -n 1 "$WORK/counts")" test "$(head -n 1 "$WORK/counts")" = "3 0 0"
check "its restart says why" grep -q '^nested-0: no output for 360 s .* stopped whole (the test machine, not the case.*a new guest goes on from vm/b$' "$WORK/relayed"
# a guest whose kernel still ran, silent, fails its case
sed -i 's/ and no sign of life on the console: the guest stopped whole/: the guest stopped making progress/' "$WORK/fake-vm"
NESTED_VM=$WORK/fake-vm NESTED_SHARDS=1 nested_shard 0 | relay_results "" nested-0 "$WORK/counts" >"$WORK/relayed"
check "a silent guest that still ran fails its case" \
    grep -q '^FAIL vm/b: the nested guest stopped making progress here (no output for 360 s: the guest stopped making progress)' "$WORK/relayed"
# a pinned group run again from its start: each case counts once, a detail shows once
printf '%s\n' '@@case p/a 4' 'PASS p/a' 'FAIL p/b: differs' '      detail' '@@case p/c 4' \
    '@@vm-restart the guest stalled: pid 9 (bash) blocked 60 s in the kernel at p9_client_rpc' \
    '@@case p/a 4' 'PASS p/a' '@@case p/b 4' 'FAIL p/b: differs' '      detail' '@@case p/c 4' 'PASS p/c' \
    '@@vm-status 0' | relay_results "" nested-0 "$WORK/counts" >"$WORK/relayed"
check "a pinned group run again counts each case once: $(head -n 1 "$WORK/counts")" \
    test "$(head -n 1 "$WORK/counts")" = "2 1 0"
check "its failure's detail shows once" test "$(grep -c '^      detail$' "$WORK/relayed")" = 1
# the new guest leaves out the turns before the one it goes on from
out=$(FILTER="" VM_MODE=here GROUP_KIND=vm bash -c \
    'source tests/lib/harness.sh; RESUME_TURN=3; for i in 1 2 3 4 5; do begin c$i --vm >/dev/null && echo c$i; done')
check "--resume-turn 3 runs c3 c4 c5: got '${out//$'\n'/ }'" test "${out//$'\n'/ }" = "c3 c4 c5"

exit $bad
