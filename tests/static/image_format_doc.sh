#!/usr/bin/env bash
# docs/image-format.md is the contract a second implementation is written from: it must
# name the format version the code writes, every section type and every manifest key
# with its number, and every header and section-table field the structs hold. Fails
# naming each thing the document lacks or gets wrong.
set -u
h=include/cloister/cwi.h doc=docs/image-format.md
problems=()
version=$(sed -n 's/^#define CWI_VERSION *\([0-9]*\)u.*/\1/p' "$h")
[[ -n $version ]] || problems+=("no CWI_VERSION in $h")
grep -q "^# The Cloister image format (\`.cwi\`), version $version\$" "$doc" ||
    problems+=("the title does not say version $version")
grep -qE "^\| 8 \| 4 \| \`version\` \| \`$version\`;" "$doc" ||
    problems+=("the header table does not say version $version")
# enum entries: NAME = N
while read -r name num; do
    grep -qE "(^\| $num \| \`$name\` \||[ ,]$num $name[ ,;(])" "$doc" ||
        problems+=("$name ($num) is not in its table")
done < <(sed -nE 's/^ *CWI_(KEY|SEC)_([A-Z_]+) *= *([0-9]+),.*/\2 \3/p' "$h")
# struct fields of the header and the section table, by name
for field in $(sed -n '/^struct cwi_header {/,/^};/p; /^struct cwi_section {/,/^};/p' "$h" |
    sed -nE 's/^ *u?int[0-9]+_t +([a-z_0-9]+)(\[[0-9]+\])?;.*/\1/p'); do
    grep -q "\`$field\`" "$doc" || problems+=("field $field is not described")
done
if ((${#problems[@]})); then
    printf '%s\n' "${problems[@]}"
    echo "$doc disagrees with $h"
    exit 1
fi
exit 0
