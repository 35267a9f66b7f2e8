# The harness's plumbing, sourced by tests/run: groups and the one gate every case
# passes (filter, where VMs run, shards), reporting, running a command with a timeout
# and its output captured, and comparing two runs.
#
# Globals it uses (set by tests/run): FILTER (regex on test names), TIMEOUT (seconds,
# the bound on every command a case runs), WORK (a scratch directory).

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
SKIPPED_NAMES=()

# ---- where VM cases run ----
#
# VM_MODE says what this process does with a case that starts a VM:
#   here      run it (this machine's /dev/kvm, or this is the nested guest)
#   deferred  leave it to the nested guests tests/run starts afterwards
#   none      fail it: no VM can run on this machine (VM_NONE_WHY says why)
# ONLY_VM=1 inside a nested guest: there, only VM cases run (the host ran the rest).
# SHARD/SHARDS: with SHARDS > 1 this process runs the VM cases whose turn is SHARD.
# RESUME_TURN: VM cases and pinned groups whose turn is below it are left out: a new
# nested guest, started after one whose file share stalled, goes on from there.
VM_MODE=here VM_NONE_WHY="" ONLY_VM=0 SHARD=0 SHARDS=1 RESUME_TURN=0
VM_TURN=0     # counts VM cases and pinned groups, in the same order in every shard
PINNED=0      # 1 while a group whose cases share state runs (all in one shard)
GROUP_KIND="" # the kind of the group running: host, vm, vm-pinned or mixed

# ---- groups ----
#
# register_group RANK NAME KIND FUNCTION PREFIX...: a group of cases, run by tests/run
# in RANK order. Its case names all begin with one of the PREFIXes (the filter uses
# them to leave out a whole group). KIND:
#   host       no case starts a VM
#   vm         every case starts a VM, and cases share no state: they may be spread
#              over shards one by one
#   vm-pinned  its cases start VMs and share set-up (keys, images, a broker): the
#              whole group runs in one shard
#   mixed      each case says whether it starts a VM (begin --vm)
GROUP_LIST=()
register_group() {
    local rank=$1
    shift
    GROUP_LIST+=("$(printf '%03d' "$rank") $*")
}

# run_groups: every registered group, in rank order, each through run_group.
run_groups() {
    local line
    while read -r _ name kind func prefixes; do
        run_group "$name" "$kind" "$func" $prefixes
    done < <(printf '%s\n' "${GROUP_LIST[@]}" | sort -n)
}

# run_group NAME KIND FUNCTION PREFIX...: runs FUNCTION if the filter can select one of
# its cases and its cases belong in this process.
run_group() {
    local name=$1 kind=$2 func=$3
    shift 3
    could_match "$@" || return 0
    case $kind in
    host) ((ONLY_VM)) && return 0 ;;
    vm | vm-pinned)
        case $VM_MODE in
        deferred) return 0 ;;
        none)
            fail "$name" "no VM can run on this machine: $VM_NONE_WHY"
            return 0
            ;;
        esac
        if [[ $kind == vm-pinned ]]; then
            VM_TURN=$((VM_TURN + 1))
            ((VM_TURN % SHARDS == SHARD && VM_TURN >= RESUME_TURN)) || return 0
            PINNED=1
        fi
        ;;
    esac
    GROUP_KIND=$kind
    "$func"
    GROUP_KIND="" PINNED=0
}

# could_match PREFIX...: false when the filter can select no name that begins with a
# PREFIX. Only an anchored filter (^...) can rule a group out: its literal beginning,
# or each alternative of a leading ^(a|b|...), must agree with a prefix.
could_match() {
    [[ -z $FILTER || $FILTER != ^* ]] && return 0
    local rest=${FILTER#^} heads=() head p meta='[][\.*+?(){}|$]*'
    if [[ $rest == \(* ]]; then
        rest=${rest#(}
        rest=${rest%%)*}
        IFS='|' read -r -a heads <<<"$rest"
    else
        heads=("$rest")
    fi
    for head in "${heads[@]}"; do
        head=${head%%$meta} # the literal part, up to the first metacharacter
        for p in "$@"; do
            [[ $p == "$head"* || $head == "$p"* ]] && return 0
        done
    done
    return 1
}

# SIM_CHIP_NAMES: the simulated secure processors the groups make, by the names of
# their directories. Their RSA-4096 keys take ~1.5 s to make on the host and ~30 s in a
# nested guest, so tests/run makes them on the host first (TESTS_SIM_CHIPS).
SIM_CHIP_NAMES="simchip secchip otherchip"

# sim_chip DIR: a simulated secure processor in DIR: a copy of the one made in advance
# under $TESTS_SIM_CHIPS with DIR's name, or a new one.
sim_chip() {
    local made=${TESTS_SIM_CHIPS:-}/${1##*/}
    if [[ -n ${TESTS_SIM_CHIPS:-} && -f $made/ark.pem ]]; then
        cp -a "$made" "$1" && echo "simulated chip in $1 (made in advance on the host)"
    else
        timeout -k 5 $((TIMEOUT * 6)) "$CLOISTER" sim init "$1"
    fi
}

# ---- cases ----

# begin NAME [--vm]: the gate every case passes: true if NAME runs in this process now.
# It is false when the filter leaves NAME out, when a VM case is left to the nested
# guests or is another shard's, and, in a nested guest, for a host case. A VM case that
# cannot run anywhere is a failure. In a nested guest it tells the host which case runs
# and its turn (a line "@@case NAME TURN"), so that a guest that stops is reported with
# the case it was in, and a new one can go on from there.
begin() {
    local name=$1 vm=0
    [[ ${2:-} == --vm ]] && vm=1
    wanted "$name" || return 1
    if ((vm)) || [[ $GROUP_KIND == vm* ]]; then
        case $VM_MODE in
        deferred) return 1 ;;
        none)
            fail "$name" "no VM can run on this machine: $VM_NONE_WHY"
            return 1
            ;;
        esac
        if ((!PINNED)); then
            VM_TURN=$((VM_TURN + 1))
            ((VM_TURN % SHARDS == SHARD && VM_TURN >= RESUME_TURN)) || return 1
        fi
    elif ((ONLY_VM)) && [[ $GROUP_KIND != vm* ]]; then
        return 1
    fi
    ((ONLY_VM)) && printf '@@case %s %s\n' "$name" "$VM_TURN"
    return 0
}

# wanted NAME: true if the filter selects NAME. BASH_REMATCH is left as it was, so a
# caller may test a name between its own match and reading the groups.
wanted() {
    [[ -z $FILTER ]] && return 0
    local saved=("${BASH_REMATCH[@]}") rc=1
    [[ $1 =~ $FILTER ]] && rc=0
    BASH_REMATCH=("${saved[@]}")
    return $rc
}

# pass NAME, fail NAME REASON [DETAIL-FILE...], skip NAME REASON: a result. A result
# the filter does not select is dropped, so a group's set-up steps report only when
# asked for. fail shows the reason on the line, then the first lines of the detail
# files, indented (at most 10 lines in all).
pass() {
    wanted "$1" || return 0
    PASSED=$((PASSED + 1))
    printf 'PASS %s\n' "$1"
}

fail() {
    local name=$1 reason=$2
    shift 2
    wanted "$name" || return 0
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    printf 'FAIL %s: %s\n' "$name" "$reason"
    (($#)) && cat -- "$@" 2>/dev/null | head -n 10 | cut -c 1-200 | sed 's/^/      /'
    return 0
}

skip() {
    wanted "$1" || return 0
    SKIPPED=$((SKIPPED + 1))
    SKIPPED_NAMES+=("$1: $2")
    printf 'SKIP %s: %s\n' "$1" "$2"
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
