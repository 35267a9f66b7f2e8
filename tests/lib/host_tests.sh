# Tests that need no VM: the host unit-test programs and the static checks.

# unit_tests DIR PREFIX: runs every DIR/test_* program. Each prints "PASS case" or
# "FAIL case" per case (details on stderr just before); each case is one test, named
# PREFIX/<program>/<case>. A program that dies, or fails without a FAIL line, is a
# failure named PREFIX/<program>.
unit_tests() {
    local dir=$1 prefix=$2 prog
    for prog in "$dir"/test_*; do
        [[ -f $prog && -x $prog && $prog != *.d ]] || continue
        unit_program "$prog" "$prefix/${prog##*/}"
    done
}

unit_program() {
    local prog=$1 base=$2
    { timeout -k 5 "$TIMEOUT" "$prog" </dev/null >"$WORK/unit.out" 2>&1; } 2>/dev/null
    local rc=$? verdict case line fails=0
    : >"$WORK/unit.detail"
    while IFS= read -r line; do
        if [[ $line =~ ^(PASS|FAIL)\ ([^:]*)(:.*)?$ ]]; then
            verdict=${BASH_REMATCH[1]} case=${BASH_REMATCH[2]}
            if wanted "$base/$case"; then
                if [[ $verdict == PASS ]]; then
                    pass "$base/$case"
                else
                    local reason=${BASH_REMATCH[3]#: }
                    fail "$base/$case" "${reason:-the case failed}" "$WORK/unit.detail"
                fi
            fi
            [[ $verdict == FAIL ]] && fails=$((fails + 1))
            : >"$WORK/unit.detail"
        else
            printf '%s\n' "$line" >>"$WORK/unit.detail"
        fi
    done <"$WORK/unit.out"
    if ((rc != 0 && fails == 0)) && wanted "$base"; then
        fail "$base" "$(describe_status "$rc") without a FAIL line" "$WORK/unit.detail"
    fi
}

# static_tests: every executable tests/static/*.sh is one test, run from the
# repository root with BUILD and ASAN_BUILD in its environment. Exit 0 passes, 77
# skips (the reason is its last line of stdout), anything else fails.
static_tests() {
    local script name rc TIMEOUT=$STATIC_TIMEOUT
    for script in tests/static/*.sh; do
        [[ -f $script && -x $script ]] || continue
        name=static/$(basename "$script" .sh)
        begin "$name" || continue
        { BUILD=$BUILD_DIR ASAN_BUILD=$ASAN_DIR timeout -k 5 "$TIMEOUT" "$script" \
            </dev/null >"$WORK/static.out" 2>"$WORK/static.err"; } 2>/dev/null
        rc=$?
        if ((rc == 0)); then
            pass "$name"
        elif ((rc == 77)); then
            skip "$name" "$(tail -n 1 "$WORK/static.out")"
        else
            tail -n 12 "$WORK/static.out" >"$WORK/static.tail"
            fail "$name" "$(describe_status "$rc")" "$WORK/static.tail" "$WORK/static.err"
        fi
    done
}

release_unit_tests() { unit_tests "$BUILD_DIR/tests/unit" unit; }

# The same unit tests built with ASan+UBSan.
asan_unit_tests() {
    if [[ -d $ASAN_DIR/tests/unit ]]; then
        unit_tests "$ASAN_DIR/tests/unit" asan/unit
    else
        skip asan/unit "$ASAN_DIR/tests/unit not built (make SANITIZE=1 unit)"
    fi
}

register_group 10 unit host release_unit_tests unit/
register_group 20 static host static_tests static/
register_group 130 asan/unit host asan_unit_tests asan/unit/
