#!/bin/sh
# SIGINT and SIGTERM during set-up and the exchange: exit 128+signal,
# teardown done without error, device left clean, nothing left open; on
# each IOMMU backend.
. "${srcdir:-.}/tests/demo_lib.sh"

# No teardown step failed or was skipped.
no_teardown_error() { ! grep -q '^revere-vfio-demo: teardown' "$tmp/err"; }

# interrupt SIGNAL STATUS BAR0_MMAP BACKEND
interrupt() {
	# Emptied before the fork: the last run's 'step 3:' must not pass
	# for this one's while the background child has yet to truncate it.
	: >"$tmp/out"
	on="BAR0 mmap=$3, $4"
	# Unquoted: each word of backend_args is an argument of its own.
	REVERE_SIM="report=1,bar0_mmap=$3" "$DEMO" --sim --packets 1000000000 \
		--timeout 5000 $(backend_args "$4") \
		>"$tmp/out" 2>"$tmp/err" </dev/null &
	pid=$!
	until_exchanging $pid
	kill "-$1" "$pid"
	wait "$pid"
	status=$?
	expect "SIG$1, $on: the exchange had started" grep -q '^step 3: ' "$tmp/out"
	expect_status "SIG$1 during the exchange, $on" "$2"
	expect "SIG$1, $on: interruption reported" \
		grep -q "^revere-vfio-demo: interrupted by signal" "$tmp/err"
	expect "SIG$1, $on: torn down" grep -q '^step 5: torn down$' "$tmp/out"
	expect "SIG$1, $on: device left clean" clean
}

for backend in $BACKENDS; do
	interrupt INT 130 1 "$backend"
	interrupt INT 130 0 "$backend"
	interrupt TERM 143 1 "$backend"
done

# interrupted_clean DESC: the run stopped on SIGINT and left nothing behind.
interrupted_clean() {
	expect_status "$1" 130
	expect "$1: interruption reported" \
		grep -q "^revere-vfio-demo: interrupted by signal 2" "$tmp/err"
	expect "$1: no teardown error" no_teardown_error
	expect "$1: torn down" grep -q '^step 5: torn down$' "$tmp/out"
	expect "$1: no message exchanged" not_exchanged
	expect "$1: device left clean, nothing left open" clean
}
not_exchanged() { ! grep -q '^step 4: ' "$tmp/out"; }

# SIGINT as each set-up command reaches the device (signal_cmd=N), which
# then holds it 20 ms: the driver is waiting for that response when the
# signal lands. It must finish the command, record it, and undo it. The
# generous --timeout keeps a loaded machine from turning the hold into a
# timeout.
# setup_sweep COMMANDS BAR0_MMAP [ARGS...]
setup_sweep() {
	cmds=$1 mmap=$2
	shift 2
	i=1
	while [ "$i" -le "$cmds" ]; do
		run_demo "bar0_mmap=$mmap,signal_cmd=$i" --packets 1000000 \
			--timeout 5000 "$@"
		interrupted_clean "SIGINT at set-up command $i of $cmds, BAR0 mmap=$mmap${1:+ $*}"
		i=$((i + 1))
	done
	# One more is the first teardown command: set-up had $cmds commands.
	run_demo "bar0_mmap=$mmap,signal_cmd=$i" --timeout 5000 "$@"
	expect_status "set-up has $cmds commands, BAR0 mmap=$mmap${1:+ $*}" 0
}
for backend in $BACKENDS; do
	# Unquoted: each word of backend_args is an argument of its own.
	setup_sweep 13 1 $(backend_args "$backend")
	setup_sweep 13 0 $(backend_args "$backend")
	setup_sweep 8 1 --loopback $(backend_args "$backend")
done

# A device that answers every command 30 ms late, signalled mid-set-up.
for backend in $BACKENDS; do
	run_demo_on "$backend" "rsp_delay_us=30000,signal_cmd=4" \
		--packets 1000000 --timeout 5000
	interrupted_clean "$backend: SIGINT at set-up command 4 of a device 30 ms late"
done

# SIGINT, then a teardown that fails (the device never answers
# F-AMI-SW-DISABLE): exit 1, not 130, the message says so, and the device
# is reset back to clean. Then SIGINT, and the write that turns the AMU
# off fails (pwrite 57 of that run, through pread/pwrite): never a clean
# stop, the write named, the device reset (spec 8.10).
for backend in $BACKENDS; do
	run_demo_on "$backend" "signal_cmd=13,mute_opcode=15" --packets 1000000 --timeout 200
	expect_status "$backend: SIGINT, then a teardown command unanswered" 1
	expect "$backend: SIGINT, then a failed teardown: said so" \
		has_error "interrupted by signal 2 .*; teardown failed"
	expect "$backend: SIGINT, then a failed teardown: device reset to clean" clean

	run_demo_on "$backend" "bar0_mmap=0,signal_cmd=13,fail=pwrite:57:EIO" --packets 1000000
	expect_status "$backend: SIGINT, then AMU_CR's write fails" 1
	expect "$backend: SIGINT, then AMU_CR's write fails: the fault was reached" \
		test "$(report faults_fired)" = 1
	expect "$backend: SIGINT, then AMU_CR's write fails: named" \
		has_error "teardown: turning the AMU off: BAR0 write64 at 0x18 .*Input/output error"
	expect "$backend: SIGINT, then AMU_CR's write fails: said so" \
		has_error "interrupted by signal 2 .*; teardown failed"
	expect "$backend: SIGINT, then AMU_CR's write fails: device reset to clean" clean
done

finish
