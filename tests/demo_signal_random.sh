#!/bin/sh
# SIGINT at hundreds of moments of set-up, with BAR0 mmap'd (the device
# thread beside the driver, as with real hardware): whenever it lands, the
# run exits 130 with no teardown error and leaves the device clean. The
# runs take the IOMMU backends in turn.
#
# How long the demo takes to reach its handler and then set-up depends on
# the build (a sanitizer makes start-up several times slower) and on the
# machine's load, so the delay follows what the runs show instead of a
# fixed sweep: a signal that came before the handler moves the next one
# later, one that came after set-up moves it earlier, and one inside
# set-up keeps it there, dithered so that neighbouring moments are hit
# too. Each run counts as one check. A signal that lands before the demo
# installs its handler kills it by default with nothing acquired: that run
# is counted, not judged. So that the test proves what it says, it goes on
# past SIGNAL_RUNS runs until enough signals have landed inside set-up
# (after step 2, before step 3), within a bound far above what any machine
# here needs. The generous --timeout keeps a loaded machine, where the
# device thread may wait long for a core, from failing a run for a reason
# this test is not about.
. "${srcdir:-.}/tests/demo_lib.sh"

RUNS=${SIGNAL_RUNS:-300}
MAX_RUNS=$((RUNS * 10))
MIN_IN_SETUP=30

no_teardown_error() { ! grep -q '^revere-vfio-demo: teardown' "$tmp/err"; }

# The next delay in microseconds, from this one and where the signal
# landed (early, setup or late); at most 0.9 s, so it prints as 0.NNNNNN.
next_delay() {
	case $2 in
	early) d=$(($1 + $1 / 4 + 50)) ;;
	late) d=$(($1 - $1 / 8 - 25)) ;;
	*) d=$(($1 + (i % 7 - 3) * 20)) ;;
	esac
	[ "$d" -lt 100 ] && d=100
	[ "$d" -gt 900000 ] && d=900000
	echo "$d"
}

# Unquoted: the backends' names are the positional parameters.
# shellcheck disable=SC2086
set -- $BACKENDS
i=0 early=0 in_setup=0 us=200
while [ $i -lt "$RUNS" ] ||
	{ [ "$in_setup" -lt "$MIN_IN_SETUP" ] && [ $i -lt "$MAX_RUNS" ]; }; do
	delay=$(printf '0.%06d' "$us")
	eval "backend=\${$((i % $# + 1))}"
	REVERE_SIM=report=1 timeout --preserve-status -s INT "$delay" \
		"$DEMO" --sim --packets 100000000 --timeout 5000 \
		$(backend_args "$backend") \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	i=$((i + 1))
	if ! grep -q '^revere-vfio-demo: interrupted by signal' "$tmp/err"; then
		if [ "$status" = 130 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
			early=$((early + 1))
			ok "SIGINT after ${us} us ($backend): before the handler, nothing acquired"
		else
			not_ok "SIGINT after ${us} us ($backend): exit $status without 'interrupted by signal'"
		fi
		us=$(next_delay "$us" early)
		continue
	fi
	where=late
	grep -q '^step 2: ' "$tmp/out" && ! grep -q '^step 3: ' "$tmp/out" &&
		where=setup in_setup=$((in_setup + 1))
	grep -q '^step 2: ' "$tmp/out" || where=early
	if [ "$status" = 130 ] && no_teardown_error &&
		grep -q '^step 5: torn down$' "$tmp/out" && clean; then
		ok "SIGINT after ${us} us ($backend): exit 130, torn down, device clean"
	else
		not_ok "SIGINT after ${us} us ($backend): exit $status, teardown error or device left configured"
	fi
	us=$(next_delay "$us" "$where")
done
echo "# $i runs: $early signals before the handler, $in_setup during the management set-up"
expect "at least $MIN_IN_SETUP signals landed during set-up in $i runs ($in_setup)" \
	test "$in_setup" -ge "$MIN_IN_SETUP"

finish
