#!/bin/sh
# Every function tests/tsan_shared.txt names is defined in the sources: a
# renamed accessor would otherwise turn every race make check-tsan expects
# into a failure there, long after the rename.
. "${srcdir:-.}/tests/demo_lib.sh"

top=${srcdir:-.}
names=$(sed 's/#.*//' "$top/tests/tsan_shared.txt" | awk 'NF == 2 { print $2 }')
expect "the list names functions" test -n "$names"
for name in $names; do
	# A definition: the name and its "(" at the end of a line's type,
	# not a call (which is indented).
	expect "$name is defined" sh -c "cd '$top' && grep -qE '^[a-z].*[ *]$name\\(' \
		./*.[ch] sim/*.[ch] tests/*.[ch]"
done
finish
