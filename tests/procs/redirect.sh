# Redirections: > >> < 2>&1, here-documents, descriptors opened with exec, noclobber.
d=$(mktemp -d)
cd "$d" || exit 1
echo one >f
echo two >>f
cat <f
wc -l <f
echo to-stderr >&2 2>/dev/null
{ echo out; echo err >&2; } >both 2>&1
sort both
{ echo out; echo err >&2; } 2>&1 >only-out | sed 's/^/piped: /'
cat only-out
ls missing-file 2>/dev/null || echo "ls failed quietly: $?"
x=world
cat <<END
hello $x
$(echo substituted) $((2 + 3))
END
cat <<'END'
not expanded: $x $(echo no)
END
cat <<-END
	tabs stripped
	END
exec 3>fd3
echo via fd 3 >&3
echo again >&3
exec 3>&-
cat fd3
exec 4<f
read first <&4
read second <&4
echo "read from fd 4: $first, $second"
exec 4<&-
(echo x >&4) 2>/dev/null || echo "writing to a closed fd failed"
: >empty
wc -c <empty
set -C
(echo clobber >f) 2>/dev/null || echo "noclobber refused"
echo forced >|f
cat f
set +C
cd / && rm -r "$d"
