#!/bin/sh
# make check's driver for the TAP scripts: automake's tap-driver.sh, whose
# line for every check that passed stays in the script's log. A person
# sees one line per script, each check that did not pass with the log that
# tells why, and automake's summary: 2,000 PASS lines would bury a FAIL.
#
# Usage (as SH_LOG_DRIVER): tap_quiet.sh DRIVER [DRIVER'S ARGUMENTS...]
log= name= prev=
for a; do
	case $prev in
	--log-file) log=$a ;;
	--test-name) name=$a ;;
	esac
	prev=$a
done
out=$(mktemp "${TMPDIR:-/tmp}/tap_quiet.XXXXXX") || exit 99
"$@" >"$out"
status=$?
awk -v logf="$log" -v name="$name" '
	{ plain = $0; gsub(/\033\[[0-9;]*m/, "", plain) }
	plain ~ /^PASS: / { passed++; next }
	plain ~ /^(FAIL|ERROR|XPASS): / { bad++; print $0 "  [" logf "]"; next }
	{ print }
	END {
		printf "%s: %d passed", name, passed
		if (bad)
			printf ", %d failed (%s)", bad, logf
		printf "\n"
	}' "$out"
rm -f "$out"
exit $status
