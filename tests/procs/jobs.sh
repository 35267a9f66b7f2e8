# Background jobs, wait and wait $!, their statuses; jobs killed by signals.
sleep 0.2 &
a=$!
(exit 3) &
b=$!
wait $b
echo "wait \$b: $?"
wait $a
echo "wait \$a: $?"
(sleep 0.1; exit 7) &
wait $!
echo "wait \$!: $?"
# the shell's own "Terminated"/"Killed" lines come when it reaps the job, which is
# timing (at the next command or in wait), so its stderr is left out here
{
    sleep 10 &
    p=$!
    kill $p
    wait $p
    echo "killed with TERM: $?"
    sleep 10 &
    p=$!
    kill -9 $p
    wait $p
    echo "killed with KILL: $?"
} 2>/dev/null
for i in 1 2 3 4 5; do (sleep 0.0$i; exit $i) & done
wait
echo "wait for all: $?"
(echo "from a background job") &
wait
echo "after the job's line"
t=$(mktemp -d)
for i in 1 2 3 4; do (echo "job $i" >"$t/$i") & done
wait
cat "$t"/1 "$t"/2 "$t"/3 "$t"/4
rm -r "$t"
wait
echo "wait with no jobs: $?"
