#!/usr/bin/env bash
# A clone of the repository must stand alone: nothing that builds or tests it may read
# a file outside it (the team's shared notes beside a developer's clone are not there in
# a user's), and the README and docs point only to files inside it. Fails naming each
# offending line.
set -u
bad=$(git ls-files -z -- Makefile .ci scripts tests src include examples bench |
    xargs -0 grep -nE '\.\./shared|/work/shared' -- 2>/dev/null |
    grep -v '^tests/static/self_contained.sh:')
docs=$(git ls-files -z -- README.md docs | xargs -0 grep -nE '\.\./shared|\(\.\./|/work/' -- 2>/dev/null)
# every relative Markdown link in README.md and docs/ names a file that exists
links=$(for f in README.md docs/*.md; do
    grep -oE '\]\([^)#: ]+' "$f" | sed 's/^](//' | while read -r target; do
        [[ -e $(dirname "$f")/$target ]] || echo "$f: link to missing $target"
    done
done)
if [[ -n $bad$docs$links ]]; then
    printf '%s\n' "$bad" "$docs" "$links" | grep -v '^$'
    echo "the repository reads or points to files outside itself"
    exit 1
fi
exit 0
