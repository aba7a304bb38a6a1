#!/bin/sh
# make check's console: a TAP script's passing checks stay in its log, and
# what did not pass is shown with the log to read (tests/tap_quiet.sh).
. "${srcdir:-.}/tests/demo_lib.sh"

cat >"$tmp/t.sh" <<'TAP'
echo 1..4
echo "ok 1 - one"
echo "ok 2 - two"
echo "not ok 3 - three broke"
echo "ok 4 - four"
TAP
(cd "$tmp" && "${SHELL:-/bin/sh}" "$srcdir/tests/tap_quiet.sh" \
	env AM_TAP_AWK="${AWK:-awk}" "${SHELL:-/bin/sh}" "$srcdir/build-aux/tap-driver.sh" \
	--test-name t.sh --log-file t.log --trs-file t.trs --color-tests yes \
	--enable-hard-errors yes --expect-failure no -- "${SHELL:-/bin/sh}" t.sh) \
	>"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "the driver's status passes through" 0
expect "no PASS line on the console" sh -c "! grep -q 'PASS' '$tmp/out'"
expect "the failed check, with the log to read" \
	grep -q 'FAIL.*: t.sh 3 - three broke  \[t.log\]$' "$tmp/out"
expect "one line for the script: passed and failed" \
	grep -qx 't.sh: 3 passed, 1 failed (t.log)' "$tmp/out"
expect "the log keeps every check" test "$(grep -c '^PASS: t.sh' "$tmp/t.log")" = 3
expect "automake still counts the failure" grep -q '^:test-result: FAIL' "$tmp/t.trs"

finish
