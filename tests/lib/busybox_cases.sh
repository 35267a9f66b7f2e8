# Debian's busybox-static applets (a real, unmodified, glibc-static program), each run
# in a VM and natively with the same arguments and stdin, and compared byte for byte.
# bb_case NAME [OPTIONS] -- APPLET [ARGS...]: options as in compare.sh.

busybox_cases() {
    if [[ -z $BUSYBOX ]]; then
        fail busybox "busybox not installed (scripts/install-deps installs busybox-static)"
        return 0
    fi
    bb_case echo -- echo hello world
    bb_case echo-n -- echo -n 'no newline'
    bb_case echo-e -- echo -e 'tab\there\nnew line \0101\c' ignored
    bb_case printf-formats -- printf '%s=%d|%5.2f|%x|%o|%c|%-6s|%e|%%\n' abc 42 3.14159 255 8 Z hi 12345.678
    bb_case printf-escapes -- printf 'a\tb\\n\101\x42\n'
    bb_case printf-reuse -- printf '%s-%s\n' 1 2 3 4 5
    bb_case expr-mul -- expr 6 '*' 7
    bb_case expr-length -- expr length 'hello world'
    bb_case expr-match -- expr abc123 : '[a-z]*\([0-9]*\)'
    bb_case expr-zero --status 1 -- expr 0 + 0
    bb_case expr-div0 --status 2 -- expr 1 / 0
    bb_case seq -- seq 10
    bb_case seq-step -- seq -s , 1 3 20
    bb_case seq-float -- seq 0 0.25 2
    bb_case seq-100000 -- seq 100000
    bb_case sha256sum-text --pipe text -- sha256sum
    bb_case sha256sum-1m --pipe big -- sha256sum
    bb_case sha256sum-empty -- sha256sum
    bb_case wc-text --pipe text -- wc
    bb_case wc-1m --pipe big -- wc
    bb_case wc-file --stdin text -- wc -l
    bb_case md5sum --pipe big -- md5sum
    bb_case sha1sum --pipe text -- sha1sum
    bb_case sha512sum --pipe text -- sha512sum
    bb_case sha3sum --pipe text -- sha3sum
    bb_case tr-upper --pipe text -- tr a-z A-Z
    bb_case tr-delete --pipe text -- tr -d aeiou
    bb_case tr-squeeze --pipe text -- tr -s ' '
    bb_case cut-chars --pipe text -- cut -c 2-4
    bb_case cut-fields --pipe text -- cut -d ' ' -f 2
    bb_case sort --pipe text -- sort
    bb_case sort-numeric --pipe text -- sort -t ' ' -k 3,3n -r
    bb_case uniq-c --pipe sorted -- uniq -c
    bb_case od --pipe text -- od -c
    bb_case od-hex --pipe text -- od -A x -t x1
    bb_case hexdump --pipe text -- hexdump -C
    bb_case xxd --pipe text -- xxd
    bb_case base64 --pipe text -- base64
    bb_case base64-decode --pipe b64 -- base64 -d
    bb_case factor -- factor 1234567890 97 4294967297 600851475143
    bb_case basename -- basename /usr/lib/libc.so .so
    bb_case dirname -- dirname /usr/lib/libc.so
    bb_case true --status 0 -- true
    bb_case false --status 1 -- false
    bb_case test-true --status 0 -- test 3 -gt 2
    bb_case test-false --status 1 -- test abc = abd
    bb_case head --pipe text -- head -n 3
    bb_case tail --pipe text -- tail -n 2
    bb_case rev --pipe text -- rev
    bb_case tac --pipe text -- tac
    bb_case cat-1m --pipe big -- cat
    bb_case nl --pipe text -- nl
    bb_case fold --pipe text -- fold -w 7
    bb_case expand --pipe text -- expand
    bb_case paste --pipe nums -- paste -s -d +
    bb_case awk --pipe nums -- awk '{ s += $1 } END { print s, NR, s / NR }'
    bb_case sed --pipe text -- sed -e 's/an/AN/g' -e '/fig/d'
    bb_case grep-count --pipe text -- grep -c apple
    bb_case grep-nomatch --status 1 --pipe text -- grep zzz
    bb_case strings --pipe big -- strings -n 6
    bb_case bc --pipe bc -- bc
    bb_case dc -- dc -e '2 64 ^ p'
    bb_case uname -- uname -s -m
    bb_case env-empty -- env
    bb_case env-vars --env A=1 --env 'B=two words' -- env
    bb_case sleep --status 0 -- sleep 0.05
    bb_case date-utc -- date -u -d @1700000000 '+%Y-%m-%d %H:%M:%S'
    bb_case tty --status 1 -- tty
    bb_case getopt -- getopt -o ab: -- -a -b x y
    bb_case ipcalc -- ipcalc -n -b 192.168.1.5/24
    bb_case seq-width -- seq -w 8 12
    bb_case unix2dos --pipe text -- unix2dos
    bb_case uuencode --pipe text -- uuencode name
    bb_case gzip --pipe big -- gzip -c
    bb_case gunzip --pipe gz -- gunzip -c
    bb_case bzip2 --pipe text -- bzip2 -c
    bb_case dd --pipe text -- dd bs=3 count=5
    bb_case cal -- cal 2 2000
    bb_case sh-arith -- sh -c 'x=abc; echo $((6 * 7)) ${#x}'
    # read -t polls stdin before each byte (tests/lib/events_cases.sh has the rest)
    bb_case sh-read-timeout --pipe text -- sh -c 'read -t 5 a; read -t 5 b; echo "[$a] [$b]"; n=0; while read -t 5 l; do n=$((n + 1)); done; echo "$n more, end $?"'
}
register_group 50 busybox vm busybox_cases busybox/
