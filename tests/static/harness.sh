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

exit $bad
