# A build-like pipeline over a tree of a few thousand small files (its working
# directory; tests/lib/procs_cases.sh makes it): the kind of tool chain a data or
# release job runs, many short processes joined by pipes, every result checksummed.
set -e
out=$(mktemp -d)
echo "files: $(find . -type f | wc -l), directories: $(find . -mindepth 1 -type d | wc -l)"
# a manifest of every file's hash, in a stable order, and its own hash
find . -type f -name '*.txt' | sort | xargs sha256sum >"$out/manifest"
echo "manifest lines: $(wc -l <"$out/manifest")"
echo "manifest: $(sha256sum <"$out/manifest" | cut -d ' ' -f 1)"
# word frequencies over every file
find . -type f | sort | xargs cat | tr -s ' \t' '\n\n' | grep -v '^$' | sort | uniq -c |
    sort -k1,1nr -k2 | head -n 5
# a sed rewrite of each directory into a build output, then a checksum of the outputs
for d in $(find . -mindepth 1 -maxdepth 1 -type d | sort); do
    name=${d#./}
    find "$d" -type f | sort | xargs cat | sed -e 's/alpha/ALPHA/g' -e '/^#/d' >"$out/$name.out"
done
echo "outputs: $(ls "$out"/*.out | wc -l)"
cat "$out"/*.out | sha256sum | cut -d ' ' -f 1
# awk: the numbers in each file (xargs may split the list: one line per file), then
# totals per directory
find . -type f -name '*.txt' | sort | xargs awk '
    { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { s[FILENAME] += $i; n[FILENAME]++ } }
    END { for (f in s) { split(f, p, "/"); print p[2], s[f], n[f] } }' |
    awk '{ t[$1] += $2; c += $3 } END { for (d in t) print d, t[d]; print "numbers:", c }' |
    sort | tail -n 4
# many short processes in parallel, their outputs gathered in order
find . -type f -name '*.txt' | sort | head -n 200 | xargs -n 10 -P 4 sh -c 'for f; do wc -l <"$f"; done' sh |
    sort -n | uniq -c | sha256sum | cut -d ' ' -f 1
# grep over the tree: the files that match, counted per directory
grep -rl gamma . | cut -d / -f 2 | sort | uniq -c | head -n 3
rm -r "$out"
echo done
