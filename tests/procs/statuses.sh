# Exit statuses, $?, set -e, functions and local variables.
true; echo "true: $?"
false; echo "false: $?"
sh -c 'exit 300'; echo "exit 300: $?"
sh -c 'exit 255'; echo "exit 255: $?"
nonexistent-command-xyz 2>/dev/null; echo "not found: $?"
/nonexistent/path 2>/dev/null; echo "missing path: $?"
f() { return 5; }
f; echo "function: $?"
g() { local v=inner; echo "g sees $v, args $# [$*]"; return $(($# + 1)); }
v=outer
g a b c; echo "g: $? and v is $v"
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(($1 * $(fact $(($1 - 1))))); fi; }
echo "fact 10: $(fact 10)"
(set -e; echo before; false; echo not reached)
echo "set -e subshell: $?"
(set -e; false || true; echo "|| keeps going")
(set -e; if false; then :; fi; echo "if keeps going")
(set -e; sh -c 'exit 6'; echo not reached)
echo "set -e child: $?"
if ! sh -c 'exit 1'; then echo "if ! works"; fi
sh -c 'exit 2' && echo no || echo "|| after $?"
case "$(sh -c 'echo x; exit 4')" in x) echo "case on a substitution";; esac
x=$(false); echo "assignment from a failing substitution: $?"
[ 3 -lt 4 ]; echo "test: $?"
[[ a == a ]] 2>/dev/null; echo "[[ ]]: $?"
exit 42
