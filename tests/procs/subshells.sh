# Subshells, groups, command substitution in both spellings, and their isolation.
x=outer
(x=inner; echo "in the subshell: $x")
echo "after it: $x"
{ x=group; }
echo "after a group: $x"
cd /
(cd /proc && pwd)
pwd
(exit 7)
echo "subshell status: $?"
y=$(echo "a$(echo b$(echo c))d")
echo "nested: $y"
z=`echo back\`echo tick\``
echo "backticks: $z"
n=$(printf 'trailing\n\n\n')
echo "[$n]"
lines=$(seq 1 5 | wc -l)
echo "lines: $lines"
echo "arith: $((7 * 6)) $((1 << 10)) $(( (3 + 4) % 5 ))"
v=$( (echo sub; exit 4) )
echo "status of a substitution: $? with [$v]"
for i in 1 2 3; do (echo "loop subshell $i"); done
echo "$(for i in a b c; do printf %s $i; done)"
(trap 'echo "a subshell EXIT trap"' EXIT; echo in-sub)
echo "\$\$ is the same in a subshell: $( [ "$(echo $$)" = "$$" ] && echo yes || echo no)"
sh -c 'echo "a child shell, argv: $0 $1"' zero one
echo "sh -c status: $(sh -c 'exit 9'; echo $?)"
t=$(mktemp)
sh -c 'echo $PPID' >"$t"
read p <"$t"
rm "$t"
echo "a child's \$PPID is our \$\$: $([ "$p" = "$$" ] && echo yes || echo no)"
