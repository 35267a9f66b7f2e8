# trap on EXIT and on signals sent with kill; ignored signals are inherited.
trap 'echo "EXIT trap, status $?"' EXIT
trap 'echo got USR1' USR1
kill -USR1 $$
echo after USR1
trap 'echo got TERM' TERM
kill -TERM $$
echo after TERM
hups=0
trap 'echo got HUP; hups=$((hups + 1))' HUP
kill -HUP $$
kill -HUP $$
echo "hups: $hups"
trap - USR1
sh -c 'kill -USR1 $$; echo unreached'
echo "a child killed by USR1: $?"
trap '' INT
sh -c 'kill -INT $$; echo "INT ignored in the child: survived"'
trap - INT
(trap 'echo "subshell EXIT trap"' EXIT; exit 2)
echo "subshell: $?"
sh -c 'trap "echo child TERM; exit 5" TERM; kill -TERM $$; echo unreached'
echo "the child's TERM handler: $?"
sleep 10 &
p=$!
trap 'echo "USR2 while waiting"' USR2
(sleep 0.1; kill -USR2 $$) &
wait $p
echo "wait interrupted by a trapped signal: $?"
exec 3>&2 2>/dev/null # whether the shell reports the job's end here varies
kill $p
wait $p
echo "then the job killed: $?"
exec 2>&3 3>&-
wait
exit 3
