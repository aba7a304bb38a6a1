#!/bin/sh
# Every "spec N" and "spec 8.N" the sources, tests and docs cite is a
# section of doc/revere-amu-v2.md ("## N." headings; item N of section 8),
# and no file points outside the repository for it.
. "${srcdir:-.}/tests/demo_lib.sh"

top=${srcdir:-.}
ref=$top/doc/revere-amu-v2.md
# Every part of the tree that carries the model's facts: the mdev and the
# yardsticks cite the reference as the driver does.
files=$(cd "$top" && ls ./*.[ch] sim/*.[ch] sim/mdev/*.[ch] bench/*.[ch] \
	bench/*.sh tests/*.[ch] tests/*.sh tests/*.mk tests/fuzz/*.[ch] \
	tests/kernel/*.c tests/kernel/*.sh tests/kernel/guest/*.sh \
	tests/kernel/README doc/*.md doc/*.1 README 2>/dev/null)

# sections: "N" for each "## N." heading, "8.N" for each item of section 8.
sections() {
	awk '/^## [0-9]+\./ { s = $2; sub(/\./, "", s); print s; next }
		s == 8 && /^[0-9]+\. / { n = $1; sub(/\./, "", n); print "8." n }' "$ref"
}
sections >"$tmp/sections"
expect "the reference has sections 1 to 8 and items 8.1 to 8.10" \
	sh -c "grep -qx 8.10 '$tmp/sections' && grep -qx 1 '$tmp/sections'"

# Each number of each citation: "spec 3, 4, 8.8" cites 3, 4 and 8.8.
(cd "$top" && grep -ohE 'spec [0-9]+(\.[0-9]+)?((, | and )[0-9]+(\.[0-9]+)?)*' $files) |
	sed 's/^spec //; s/ and /, /g' | tr ',' '\n' | tr -d ' ' | sort -u >"$tmp/cited"
missing=$(grep -vxF -f "$tmp/sections" "$tmp/cited" | paste -sd ' ' -)
expect "every cited section exists${missing:+ (missing: $missing)}" test -z "$missing"
expect "citations were found" test -s "$tmp/cited"

# (the pattern split, so that this file does not match itself)
outside=$(cd "$top" && grep -ln "shar""ed/" $files | paste -sd ' ' -)
expect "no file points outside the repository${outside:+ ($outside)}" test -z "$outside"
finish
