#!/bin/sh
# doc/fuzzing.md describes fuzz_device's input as the target reads it: the
# header's length and every byte of it, the script's ops, and the named
# seeds. An input format that grows while its page stays behind sends
# whoever writes a seed by hand to the wrong bytes, and the page's claims
# about what is fuzzed with it.
. "${srcdir:-.}/tests/demo_lib.sh"

top=${srcdir:-.}
doc=$top/doc/fuzzing.md
target=$top/tests/fuzz/fuzz_device.c
hostile=$top/tests/fuzz/hostile_vfio.h

len=$(sed -n 's/^#define HEADER_LEN[[:space:]]*\([0-9]*\).*/\1/p' "$target")
expect "fuzz_device.c defines HEADER_LEN" test -n "$len"
expect "the page says the header is $len bytes" \
	grep -q "An input is a $len-byte header" "$doc"

# The header table's rows ("| 0 |", "| 2-6 |"): each byte once, in order.
awk '/^\| header byte \|/ { on = 1; next }
	on && !/^\|/ { exit }
	on && /^\| [0-9]/ {
		split($2, r, "-")
		for (b = r[1]; b <= (r[2] == "" ? r[1] : r[2]); b++)
			print b
	}' "$doc" >"$tmp/bytes"
seq 0 $((len - 1)) >"$tmp/want"
expect "the header table has a row for each of bytes 0 to $((len - 1))" \
	cmp -s "$tmp/bytes" "$tmp/want"

# The script's ops: enum hostile_op, in order, as the table's rows.
sed -n '/^enum hostile_op {/,/^};/p' "$hostile" |
	sed -n 's/^[[:space:]]*HOSTILE_\([A-Z]*\),.*/\1/p' |
	tr 'A-Z' 'a-z' >"$tmp/ops"
count=$(wc -l <"$tmp/ops")
expect "hostile_vfio.h lists the script's ops" test "$count" -gt 0
expect "the page reads an op modulo $count" \
	grep -q "^| op % $count |" "$doc"
awk '/^\| op % [0-9]+ \|/ { on = 1; next }
	on && !/^\|/ { exit }
	on && /^\| [0-9]+ [a-z]+ \|/ { print $3 }' "$doc" >"$tmp/rows"
expect "the op table names each op of hostile_vfio.h, in order" \
	cmp -s "$tmp/rows" "$tmp/ops"

# The named seeds (the others are named by their SHA-1).
named=$(ls "$top/tests/fuzz/corpus/device" | grep -cv '^[0-9a-f]\{40\}$')
expect "the page counts $named named seeds" \
	grep -q "holds $named named inputs" "$doc"
finish
