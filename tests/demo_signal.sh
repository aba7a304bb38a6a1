#!/bin/sh
# SIGINT and SIGTERM during the exchange: exit 128+signal, teardown done,
# device quiesced, nothing left open.
. "${srcdir:-.}/tests/demo_lib.sh"

# interrupt SIGNAL STATUS BAR0_MMAP
interrupt() {
	REVERE_SIM="report=1,bar0_mmap=$3" "$DEMO" --sim --packets 1000000000 \
		>"$tmp/out" 2>"$tmp/err" </dev/null &
	pid=$!
	# Wait (bounded) until the exchange has started: step 3 is printed
	# just before it.
	tries=0
	until grep -q '^step 3: ' "$tmp/out" 2>/dev/null || [ $tries -ge 500 ]; do
		tries=$((tries + 1))
		sleep 0.01
	done
	kill "-$1" "$pid"
	wait "$pid"
	status=$?
	expect "SIG$1, BAR0 mmap=$3: the exchange had started" grep -q '^step 3: ' "$tmp/out"
	expect_status "SIG$1 during the exchange, BAR0 mmap=$3" "$2"
	expect "SIG$1, BAR0 mmap=$3: interruption reported" \
		grep -q "^revere-vfio-demo: interrupted by signal" "$tmp/err"
	expect "SIG$1, BAR0 mmap=$3: torn down" grep -q '^step 5: torn down$' "$tmp/out"
	expect "SIG$1, BAR0 mmap=$3: device left clean" clean
}

interrupt INT 130 1
interrupt INT 130 0
interrupt TERM 143 1

finish
