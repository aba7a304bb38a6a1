#!/bin/sh
# SIGINT at hundreds of moments of set-up, with BAR0 mmap'd (the device
# thread beside the driver, as with real hardware): whenever it lands, the
# run exits 130 with no teardown error and leaves the device clean.
#
# The delays sweep from 0.2 ms to 6.2 ms after start, past the whole
# set-up on this kind of machine; scheduling jitter spreads them further.
# Each run counts as one check. A signal that lands before the demo
# installs its handler kills it by default with nothing acquired: that
# run is counted, not judged. So that the test proves what it says, enough
# signals must land inside set-up (after step 2, before step 3). The
# generous --timeout keeps a loaded machine, where the device thread may
# wait long for a core, from failing a run for a reason this test is not
# about.
. "${srcdir:-.}/tests/demo_lib.sh"

RUNS=${SIGNAL_RUNS:-300}
MIN_IN_SETUP=30

no_teardown_error() { ! grep -q '^revere-vfio-demo: teardown' "$tmp/err"; }

i=0 early=0 in_setup=0
while [ $i -lt "$RUNS" ]; do
	us=$((200 + i * 6000 / RUNS))
	delay=$(printf '0.%06d' "$us")
	REVERE_SIM=report=1 timeout --preserve-status -s INT "$delay" \
		"$DEMO" --sim --packets 100000000 --timeout 5000 \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	i=$((i + 1))
	if ! grep -q '^revere-vfio-demo: interrupted by signal' "$tmp/err"; then
		if [ "$status" = 130 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
			early=$((early + 1))
			ok "SIGINT after ${us} us: before the handler, nothing acquired"
		else
			not_ok "SIGINT after ${us} us: exit $status without 'interrupted by signal'"
		fi
		continue
	fi
	grep -q '^step 2: ' "$tmp/out" && ! grep -q '^step 3: ' "$tmp/out" &&
		in_setup=$((in_setup + 1))
	if [ "$status" = 130 ] && no_teardown_error &&
		grep -q '^step 5: torn down$' "$tmp/out" && clean; then
		ok "SIGINT after ${us} us: exit 130, torn down, device clean"
	else
		not_ok "SIGINT after ${us} us: exit $status, teardown error or device left configured"
	fi
done
echo "# $early signals before the handler, $in_setup during the management set-up"
expect "at least $MIN_IN_SETUP of $RUNS signals landed during set-up ($in_setup)" \
	test "$in_setup" -ge "$MIN_IN_SETUP"

finish
