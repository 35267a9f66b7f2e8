# The harness's plumbing, sourced by tests/run: reporting, the name filter, running a
# command with a timeout and its output captured, and comparing two runs.
#
# Globals it uses (set by tests/run): FILTER (regex on test names), TIMEOUT (seconds),
# WORK (a scratch directory), KVM_ERROR (empty when /dev/kvm opens read-write).

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()

# wanted NAME: true if the test is selected by --filter.
wanted() {
    [[ -z $FILTER || $1 =~ $FILTER ]]
}

pass() {
    PASSED=$((PASSED + 1))
    printf 'PASS %s\n' "$1"
}

# fail NAME REASON [DETAIL-FILE...]: the reason on the line, then the first lines of
# the detail files, indented (at most 10 lines in all).
fail() {
    local name=$1 reason=$2
    shift 2
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    printf 'FAIL %s: %s\n' "$name" "$reason"
    (($#)) && cat -- "$@" 2>/dev/null | head -n 10 | cut -c 1-200 | sed 's/^/      /'
    return 0
}

skip() {
    SKIPPED=$((SKIPPED + 1))
    printf 'SKIP %s: %s\n' "$1" "$2"
}

# skip_if_no_kvm NAME: reports NAME skipped (and returns 0) when KVM is unavailable.
skip_if_no_kvm() {
    [[ -z $KVM_ERROR ]] && return 1
    skip "$1" "/dev/kvm not available ($KVM_ERROR)"
}

# check_kvm DEVICE: sets KVM_ERROR to why DEVICE (/dev/kvm) cannot be opened read-write,
# or to "".
check_kvm() {
    KVM_ERROR=""
    local msg
    if [[ ! -e $1 ]]; then
        KVM_ERROR="$1 does not exist"
    elif [[ ! -c $1 ]]; then
        KVM_ERROR="$1 is not a character device"
    elif ! msg=$( (exec 3<>"$1") 2>&1); then # <> would create a missing file
        KVM_ERROR=${msg##*: }
        [[ -n $KVM_ERROR ]] || KVM_ERROR="cannot open it read-write"
    fi
}

# run_capture PREFIX STDIN-MODE STDIN-FILE CMD...: runs CMD under the timeout with
# stdout through a pipe into PREFIX.out and stderr into PREFIX.err; sets RC. STDIN-MODE
# is "file" (redirected from STDIN-FILE) or "pipe" (STDIN-FILE fed through a pipe).
run_capture() {
    local prefix=$1 mode=$2 input=$3
    shift 3
    if [[ $mode == pipe ]]; then
        cat "$input" | timeout -k 5 "$TIMEOUT" "$@" 2>"$prefix.err" | cat >"$prefix.out"
        RC=${PIPESTATUS[1]}
    else
        timeout -k 5 "$TIMEOUT" "$@" <"$input" 2>"$prefix.err" | cat >"$prefix.out"
        RC=${PIPESTATUS[0]}
    fi
}

# describe_status RC: "exit 3", "killed by SIGSEGV (139)", "timed out after 20 s".
describe_status() {
    local rc=$1
    if ((rc == 124)); then
        printf 'timed out after %s s' "$TIMEOUT"
    elif ((rc > 128 && rc < 160)); then
        printf 'status %d (SIG%s)' "$rc" "$(kill -l $((rc - 128)) 2>/dev/null)"
    else
        printf 'status %d' "$rc"
    fi
}

# signal_status NAME: the shell status of a process killed by SIGNAME (SIGSEGV: 139).
signal_status() {
    echo $((128 + $(kill -l "${1#SIG}")))
}

# same_file NAME WHAT A B: true if A and B are byte-for-byte equal; otherwise writes a
# description of the difference to $WORK/diff and returns 1.
same_file() {
    local what=$1 a=$2 b=$3
    : >"$WORK/diff"
    cmp -s "$a" "$b" && return 0
    {
        printf '%s differs: %s %d bytes sha256 %.16s, %s %d bytes sha256 %.16s\n' "$what" \
            "${a##*/}" "$(wc -c <"$a")" "$(sha256sum <"$a")" \
            "${b##*/}" "$(wc -c <"$b")" "$(sha256sum <"$b")"
        if grep -qI . "$a" "$b" 2>/dev/null || [[ ! -s $a || ! -s $b ]]; then
            diff -u --label "$what (${a##*/})" --label "$what (${b##*/})" "$a" "$b" |
                tail -n +3 | head -n 10
        else
            cmp "$a" "$b" 2>&1 | head -n 1
        fi
    } >"$WORK/diff"
    return 1
}

# one_cloister_line FILE [PATTERN]: true if FILE is exactly one line, starting with
# "cloister: " (and matching PATTERN, an extended regex, when given).
one_cloister_line() {
    local file=$1 pattern=${2:-^cloister: }
    [[ $(wc -l <"$file") -eq 1 ]] && [[ $(tail -c 1 "$file" | od -An -c) == *'\n'* ]] &&
        head -n 1 "$file" | grep -q '^cloister: ' && grep -qE "$pattern" "$file"
}

# not_static BINARY: prints why BINARY is not a static executable (its PT_INTERP), or
# nothing when it is one.
not_static() {
    local interp
    interp=$(readelf -lW "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    [[ -n $interp ]] && printf 'dynamically linked (PT_INTERP %s)' "$interp"
    return 0
}

# re_escape TEXT: TEXT as an extended regular expression matching itself.
re_escape() {
    printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}
