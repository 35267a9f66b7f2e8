# for, while read, until, case, xargs.
for i in 1 2 3; do printf '%s ' "$i"; done; echo
for w in $(echo a b c); do echo "word $w"; done
set -- x 'y z'
for a; do echo "arg [$a]"; done
i=0
while [ $i -lt 5 ]; do i=$((i + 1)); [ $i -eq 2 ] && continue; [ $i -eq 4 ] && break; echo "i $i"; done
printf 'k1 v1\nk2 v2 more\n\nk3\n' | while read k v; do echo "key [$k] value [$v]"; done
printf 'a:b:c\n' | { IFS=: read x y z; echo "$z $y $x"; }
n=0
while read line; do n=$((n + 1)); done <<END
one
two
three
END
echo "read $n lines"
seq 1 10 | xargs -n 3 echo
seq 1 5 | xargs echo all:
printf 'p q\nr\n' | xargs -I{} echo "<{}>"
printf '1\n2\n3\n' | xargs -n 1 sh -c 'echo "child $0: $(($0 * $0))"'
printf 'a\0b c\0' | xargs -0 -n 1 echo
echo | xargs -r echo never; echo "xargs -r on nothing: $?"
seq 1 3 | xargs sh -c 'exit 1'; echo "xargs with a failing command: $?"
for f in apple banana cherry; do
    case $f in
    a*) echo "$f starts with a" ;;
    *an*) echo "$f has an" ;;
    *) echo "$f other" ;;
    esac
done
c=0
until [ $c -ge 3 ]; do c=$((c + 1)); done; echo "until: $c"
