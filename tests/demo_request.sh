#!/bin/sh
# The kernel asking for the device back (the VFIO device request) while
# the demo holds it: the mock fires it at a chosen point (REVERE_SIM
# request_cmd=N as the Nth management command arrives, request_msg=N once
# N messages moved). The demo must stop, tear down, release the device,
# and exit 1 with one line naming the request; during teardown it must
# just go on.
. "${srcdir:-.}/tests/demo_lib.sh"

MSG='^revere-vfio-demo: the kernel asked for 0000:01:00.0 back (VFIO device request): stopped after [0-9]* of [0-9]* messages and released it$'

# The only error line is the one naming the request.
request_reported() { grep -q "$MSG" "$tmp/err" && [ "$(errors)" = 1 ]; }
# How many messages the demo says it had verified when it stopped.
stopped_after() {
	sed -n 's/.*stopped after \([0-9]*\) of.*/\1/p' "$tmp/err"
}

# in_exchange N: N messages verified is neither none nor all of them.
in_exchange() { [ "${1:-0}" -gt 0 ] && [ "${1:-0}" -lt 1000000000 ]; }

# request_stops DESC SIM_SPEC ARGS...: the request stops the run, on the
# IOMMU backend $backend.
backend=type1
request_stops() {
	what=$1; spec=$2; shift 2
	run_demo_on "$backend" "$spec" "$@"
	expect_status "$what" 1
	expect "$what: the request was made" [ "$(report requests)" = 1 ]
	expect "$what: one line names the request" request_reported
	expect "$what: torn down" grep -q '^step 5: torn down$' "$tmp/out"
	expect "$what: device left clean, released" clean
}

# Routed whenever the device offers it, and a run without a request is
# not disturbed by it.
run_demo "" -v
expect_status "default run, request routed" 0
expect "routing said with -v" grep -q '^device request: routed to an eventfd' "$tmp/out"
expect "default run: released, routing dropped" clean

# A device that does not offer it runs all the same.
run_demo "req_irq=0" -v
expect_status "req_irq=0" 0
expect "req_irq=0: -v says it is not offered" \
	grep -q '^device request: not offered by 0000:01:00.0' "$tmp/out"
expect "req_irq=0: no error line" [ "$(errors)" = 0 ]
expect "req_irq=0: clean" clean

# During set-up, as each of the 13 commands arrives, on both BAR0 paths
# and each IOMMU backend: the command's response is awaited, and the run
# stops before the next one is sent (or, after the 13th, before the first
# message).
for backend in $BACKENDS; do
	for mmap in 1 0; do
		on="bar0_mmap=$mmap, $backend"
		c=1
		while [ $c -le 13 ]; do
			request_stops "request at set-up command $c, $on" \
				"bar0_mmap=$mmap,request_cmd=$c"
			expect "request at command $c, $on: no message sent" \
				[ "$(stopped_after)" = 0 ]
			if [ $c -lt 13 ]; then
				expect "request at command $c, $on: set-up stopped" \
					eval "! grep -q '^step 3:' '$tmp/out'"
			fi
			c=$((c + 1))
		done
	done
done

# During teardown (commands 14 to 21): it is already giving the device
# back and goes on; the run had succeeded, so it exits 0.
for backend in $BACKENDS; do
	c=14
	while [ $c -le 21 ]; do
		run_demo_on "$backend" "request_cmd=$c"
		at="request at teardown command $c, $backend"
		expect_status "$at" 0
		expect "$at: the request was made" [ "$(report requests)" = 1 ]
		expect "$at: every message verified" \
			grep -q '^step 4: 42 messages' "$tmp/out"
		expect "$at: no error line" [ "$(errors)" = 0 ]
		expect "$at: torn down, clean" clean
		c=$((c + 1))
	done
done

# During the exchange, on both BAR0 paths and each backend.
for backend in $BACKENDS; do
	for mmap in 1 0; do
		on="bar0_mmap=$mmap, $backend"
		request_stops "request after 1000 messages, $on" \
			"bar0_mmap=$mmap,request_msg=1000" --packets 1000000000
		got=$(stopped_after)
		expect "$on: stopped in the exchange (after ${got:-?})" \
			in_exchange "$got"
		expect "$on: no step 4" eval "! grep -q '^step 4:' '$tmp/out'"
	done
done
backend=type1

# A request made before the last message is verified stops the run, even
# when the watcher thread has not had a core since (a loaded machine): the
# exchange looks at the eventfd itself as it ends. The device makes it as
# it moves the last message, or the first of 2,000, on both BAR0 paths.
for mmap in 1 0; do
	for at in 2000 1; do
		request_stops "request at message $at of 2000, bar0_mmap=$mmap" \
			"bar0_mmap=$mmap,request_msg=$at" --packets 2000
	done
done

# Setting it up failing is an error of its own, named.
run_demo "fail=ioctl:VFIO_DEVICE_SET_IRQS:1:EIO"
expect_status "SET_IRQS of the request fails" 1
expect "SET_IRQS failure named" has_error 'VFIO_DEVICE_SET_IRQS(device request) on 0000:01:00.0: Input/output error'
expect "SET_IRQS failure: released" released

# Too few file descriptors: the demo alone (every inherited fd closed),
# its limit from 4 up to enough. Each run either passes or fails naming
# what it could not open, and leaves everything released; one of them
# cannot start the request's watcher (an eventfd) and says to raise
# ulimit -n.
run_fds() {
	REVERE_SIM=report=1,bar0_mmap=1 python3 -c '
import os, resource, sys
os.closerange(3, 65536)
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
os.execv(sys.argv[2], sys.argv[2:])' "$1" "$DEMO" --sim \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}
watcher=0
for fds in 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	run_fds $fds
	if [ $status = 0 ]; then
		ok "ulimit -n $fds: runs"
		continue
	fi
	expect_status "ulimit -n $fds" 1
	expect "ulimit -n $fds: one error line" test "$(errors)" = 1
	expect "ulimit -n $fds: released" released
	if has_error "cannot start the thread that watches the device request of 0000:01:00.0: Too many open files; raise the limit on open files (ulimit -n)"; then
		watcher=$((watcher + 1))
	fi
done
expect "a run with too few fds for the watcher names it and ulimit -n" \
	test $watcher -ge 1

# Watching for it costs no system call per message: set-up reads the
# eventfd once per command, the exchange once as it starts and then only
# if the watcher thread saw it fire. So a run 100 times longer reads it as
# often, on both BAR0 paths.
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
for mmap in 1 0; do
	run_demo "bar0_mmap=$mmap" --packets 500 --timeout 5000
	expect_status "500 messages, bar0_mmap=$mmap" 0
	short=$(report reads)
	run_demo "bar0_mmap=$mmap" --packets 50000 --timeout 5000
	expect_status "50000 messages, bar0_mmap=$mmap" 0
	expect "bar0_mmap=$mmap: ${short:-?} eventfd reads in 500 messages, $(report reads) in 50000" \
		same "$short" "$(report reads)"
done

finish
