#!/bin/sh
# --trace: one line per management command and response on stderr, parsed
# back here: names, opcodes and statuses must agree with the spec.
. "${srcdir:-.}/tests/demo_lib.sh"

run_demo "" --trace
expect_status "--trace" 0
grep -E '^(cmd|rsp) ' "$tmp/err" >"$tmp/trace"

# The IOMMU backend is below the management interface: the same commands
# and responses, byte for byte, on iommufd.
run_demo_on iommufd "" --trace
expect_status "--trace, iommufd" 0
grep -E '^(cmd|rsp) ' "$tmp/err" >"$tmp/trace.iommufd"
expect "--trace: the same on iommufd as on type1" \
	cmp -s "$tmp/trace" "$tmp/trace.iommufd"

# The trace is the device's own words, which a change to the driver's
# structure must leave as they were: byte for byte the golden copy, on
# either BAR0 path (tests/golden/trace, made with the simulated device's
# defaults; a change meant to alter a command updates it).
golden=${srcdir:-.}/tests/golden
expect "--trace: byte for byte tests/golden/trace" \
	cmp -s "$tmp/trace" "$golden/trace"
run_demo "bar0_mmap=0" --trace
expect_status "--trace, BAR0 through pread/pwrite" 0
expect "--trace, BAR0 through pread/pwrite: byte for byte tests/golden/trace" \
	sh -c "grep -E '^(cmd|rsp) ' '$tmp/err' | cmp -s - '$golden/trace'"

expect "--trace: every line is 'cmd|rsp NAME 128-hex-digits'" \
	test "$(grep -cvE '^(cmd|rsp) [A-Z-]+ [0-9a-f]{128}$' "$tmp/trace")" = 0

# The spec's opcodes (section 5), typed from its table.
cat >"$tmp/opcodes" <<'OPS'
PF-PROBE 1
F-PROBE 2
PF-AMI-SW-MAP 6
PF-AMI-SW-UNMAP 7
F-AMI-SW-CONFIGURE 11
F-AMI-SW-ENABLE 14
F-AMI-SW-DISABLE 15
PF-ASN-CREATE 16
PF-ASN-DESTROY 17
F-AMS-RING-CONFIGURE 20
PF-AMI-HW-MAP 23
PF-AMI-HW-UNMAP 24
F-AMI-HW-ENABLE 33
F-AMI-HW-DISABLE 34
OPS

# Byte 0-1 little-endian is the opcode; bytes 2-3 of a response the status.
awk -v ops="$tmp/opcodes" '
	function hex(s,   i, v) {
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	BEGIN { while ((getline l < ops) > 0) { split(l, f, " "); op[f[1]] = f[2] } }
	{
		code = hex(substr($3, 3, 2) substr($3, 1, 2))
		if (!($2 in op) || op[$2] != code) { print "opcode mismatch: " $0; bad = 1 }
		if ($1 == "rsp" && substr($3, 5, 4) != "0000") { print "non-zero status: " $0; bad = 1 }
		if ($1 == "rsp" && $2 != last) { print "response to another command: " $0; bad = 1 }
		if ($1 == "cmd" && prev == "cmd") { print "command without response: " $0; bad = 1 }
		prev = $1; last = $2
	}
	END { exit bad }' "$tmp/trace" >"$tmp/awk.out" 2>&1
awk_status=$?
if [ $awk_status = 0 ]; then ok "--trace: opcodes match names, responses match commands, statuses 0"
else not_ok "--trace: $(head -n 3 "$tmp/awk.out")"; fi

# The sequence of spec 7, set-up then teardown.
sed -n 's/^cmd \([A-Z-]*\) .*/\1/p' "$tmp/trace" | tr '\n' ' ' >"$tmp/seq"
want="PF-PROBE F-PROBE PF-AMI-SW-MAP PF-AMI-HW-MAP PF-AMI-HW-MAP PF-ASN-CREATE PF-ASN-CREATE F-AMI-SW-CONFIGURE F-AMS-RING-CONFIGURE F-AMS-RING-CONFIGURE F-AMI-HW-ENABLE F-AMI-HW-ENABLE F-AMI-SW-ENABLE F-AMI-SW-DISABLE F-AMI-HW-DISABLE F-AMI-HW-DISABLE PF-ASN-DESTROY PF-ASN-DESTROY PF-AMI-SW-UNMAP PF-AMI-HW-UNMAP PF-AMI-HW-UNMAP "
if [ "$(cat "$tmp/seq")" = "$want" ]; then ok "--trace: the commands of spec 7 in order"
else not_ok "--trace: sequence was: $(cat "$tmp/seq")"; fi

# PF-ASN-CREATE of session 0, decoded by hand from the spec 6 table:
# word 0x4 bit 4 DST_AMI_TYPE = 1 (AMI-HW), word 0x14 ASN_ID = 0,
# word 0x38 bits 13:10 LOG2_MSG_LENGTH = 8 -> 0x2000 -> bytes 00 20.
asn0=$(grep '^cmd PF-ASN-CREATE ' "$tmp/trace" | head -n 1 | cut -d' ' -f3)
expect "--trace: ASN 0 goes to an AMI-HW (byte 4 = 0x10)" test "$(echo "$asn0" | cut -c9-10)" = 10
expect "--trace: ASN 0 has LOG2_MSG_LENGTH 8 (bytes 0x38-0x39 = 00 20)" \
	test "$(echo "$asn0" | cut -c113-116)" = 0020

run_demo "" --loopback --trace
expect_status "--loopback --trace" 0
expect "--loopback: one session, no AMI-HW commands" \
	test "$(grep -c '^cmd PF-ASN-CREATE ' "$tmp/err"):$(grep -c 'AMI-HW' "$tmp/err")" = 1:0
expect "--loopback --trace: byte for byte tests/golden/trace-loopback" \
	sh -c "grep -E '^(cmd|rsp) ' '$tmp/err' | cmp -s - '$golden/trace-loopback'"

finish
