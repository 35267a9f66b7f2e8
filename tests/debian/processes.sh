# A bash script of the kind a workload's entry point is (issue 12): pipelines through
# Debian's coreutils, process substitution, command substitution, subshells, background
# jobs and wait, traps, exit statuses. Run sealed in an image and natively, compared.
set -u
trap 'echo "exit trap: $?"' EXIT
words="pear apple fig banana cherry apple date fig apple"
echo "sorted: $(printf '%s\n' $words | sort | uniq -c | sort -k1,1nr -k2 | head -3 | tr -s ' ' | tr '\n' ';')"
echo "count: $(printf '%s\n' $words | wc -l)"
diff <(printf '%s\n' $words | sort -u) <(printf '%s\n' $words | sort | uniq) >/dev/null && echo "process substitution: same"
while read -r n w; do echo "$w=$n"; done < <(printf '%s\n' $words | sort | uniq -c | sort -k2)
( cd /tmp && echo "subshell cwd: $PWD"; exit 5 ); echo "subshell status: $?"
for i in 1 2 3; do (sleep 0.0$i; exit $i) & done
st=0; for p in $(jobs -p); do wait "$p"; st=$((st + $?)); done; echo "sum of statuses: $st"
{ echo out; echo err >&2; } 2>&1 | sort
seq 1 2000 | sort -rn | head -1
false | true; echo "pipeline status: $?"; set -o pipefail; false | true; echo "pipefail: $?"; set +o pipefail
f() { local x=$1; return $((x * 2)); }; f 21; echo "function status: $?"
trap 'echo "caught USR1"' USR1; kill -USR1 $$; sleep 0.05
# the process substitution's sort is waited for by its pid (bash 4.4+), not by a sleep
exec 3> >(sort -r); sorter=$!; echo b >&3; echo a >&3; exec 3>&-; wait "$sorter"
echo "end"
