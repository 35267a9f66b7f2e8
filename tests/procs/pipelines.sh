# Pipelines: several stages, their statuses, pipefail, ! and a long pipe.
seq 1 100 | sort -rn | head -n 5
seq 1 1000 | awk '{ s += $1 } END { print "sum", s }'
echo 'the quick brown fox jumps over the lazy dog' | tr ' ' '\n' | sort | uniq -c | sort -k1,1nr -k2 | head -n 3
printf 'b 2\na 1\nc 3\n' | sort | sed 's/ /=/' | tr a-z A-Z | while read l; do echo "[$l]"; done
false | true; echo "false | true: $?"
true | false; echo "true | false: $?"
! false; echo "! false: $?"
set -o pipefail
false | true; echo "pipefail, false | true: $?"
(exit 3) | (exit 0) | true; echo "pipefail, 3 | 0 | 0: $?"
set +o pipefail
seq 1 200000 | cat | cat | cat | wc -l
seq 1 100000 | head -n 1; echo "head closed the pipe early: $?"
yes | head -n 3
echo "a pipeline into a function:"
f() { while read x; do echo "f got $x"; done; }
printf '1\n2\n' | f
