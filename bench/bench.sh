#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The data path's figures on this machine (`make bench`; a benchmark, not a
# test: it prints numbers and judges nothing). Run it on a quiet machine.
#
#   1. The payload-only limit: fill, invert, verify 2 KiB by words in one
#      thread (bench-payload), the yardstick of every row; and the handoff
#      limit (bench-handoff): the same work split between two threads on
#      64-slot rings, the ceiling of the rows with BAR0 mmap'd, where the
#      simulated device has a thread of its own.
#   2. --sim, poll/irq/hybrid x BAR0 mmap'd/pread-pwrite x queue depth 1
#      and 64: messages/s, ns per message, the driver's CPU ns per message,
#      the driver thread's system calls per message (strace, runs of their
#      own: the difference between N/10 and N/5 messages),
#      p50/p99 round trip, and the row's ratio to the payload limit.
#   3. The same device over vfio-user: revere-vfio-user-server on a socket
#      (BAR0 mapped, and --no-mmap: BAR0 by messages; DMA by fd), poll and
#      irq x queue depth 1 and 64, the same columns, and each row's ratio
#      to the --sim row of the same mode in this run.
#   4. A slow device (REVERE_SIM service_ns of 2, 20 and 200 us a message):
#      throughput and the driver's CPU share of a core, per wait mode.
#
# Every row is the run with the median messages/s of BENCH_RUNS runs, and
# `spread` their range over that median: a wide one says the machine was
# not quiet, as does the load average printed before and after. A machine
# busy before the bench, or a payload limit whose runs disagree, is said
# in a line of its own before any row.
#
# Usage: bench.sh BUILDDIR   (BENCH_MESSAGES, default 200000 a row;
#                             BENCH_RUNS, default 3)
set -eu

B=${1:?usage: bench.sh BUILDDIR}
DEMO=$B/revere-vfio-demo
SERVER=$B/revere-vfio-user-server
PAYLOAD=$B/bench-payload
HANDOFF=$B/bench-handoff
N=${BENCH_MESSAGES:-200000}
NS=$((N / 10))		# strace runs: slower, fewer messages
R=${BENCH_RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/revere-bench.XXXXXX")
servers=
stop_servers() {
	for pid in $servers; do
		kill "$pid"
	done
}
trap 'stop_servers; rm -rf "$tmp"' EXIT

command -v python3 >/dev/null || { echo "bench: python3 is needed"; exit 1; }
have_strace=yes
command -v strace >/dev/null || have_strace=no

# json FILE KEY...: values from the demo's --json summary, space-separated.
json() {
	f=$1; shift
	python3 - "$f" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for k in sys.argv[2:]:
    v = d
    for p in k.split('.'):
        v = v[p]
    out.append(str(v))
print(' '.join(out))
PY
}

# run SIMSPEC ARGS...: one --json run into $tmp/j (SIMSPEC "user:SOCKET":
# over vfio-user to the server on SOCKET instead). Into a file, read once
# the run has ended: a reader started beside it (python3 takes 0.4 s of CPU
# to start on a small virtual machine) would take a core from the run.
run() {
	spec=$1; shift
	case $spec in
	user:*) "$DEMO" --vfio-user "${spec#user:}" --json "$@" >"$tmp/j" 2>/dev/null ;;
	*) REVERE_SIM=$spec "$DEMO" --sim --json "$@" >"$tmp/j" 2>/dev/null ;;
	esac
}

# row SIMSPEC ARGS...: R runs; $tmp/j is the one with the median
# messages/s, and $spread the range of the R over that median, in percent.
row() {
	: >"$tmp/runs"
	k=0
	while [ $k -lt "$R" ]; do
		run "$@"
		mv "$tmp/j" "$tmp/j$k"
		echo "$(json "$tmp/j$k" messages_per_s) $tmp/j$k" >>"$tmp/runs"
		k=$((k + 1))
	done
	sort -n "$tmp/runs" >"$tmp/sorted"
	med=$(sed -n "$(((R + 1) / 2))p" "$tmp/sorted")
	cp "${med#* }" "$tmp/j"
	spread=$(awk -v m="${med%% *}" 'NR == 1 { lo = $1 } { hi = $1 }
		END { printf "%.0f%%", (m > 0) ? 100 * (hi - lo) / m : 0 }' "$tmp/sorted")
}

# demo_on SIMSPEC: the demo's arguments that reach that device.
demo_on() {
	case $1 in
	user:*) echo "--vfio-user ${1#user:}" ;;
	*) echo --sim ;;
	esac
}

# syscalls SIMSPEC ARGS...: system calls of the driver's thread per message
# in the exchange: strace without -f traces that thread alone, and the
# difference between runs of NS and 2 NS messages leaves set-up and
# teardown out.
syscalls() {
	spec=$1; shift
	[ $have_strace = yes ] || { echo "-"; return; }
	for k in 1 2; do
		# Unquoted: demo_on's words are arguments of their own.
		# shellcheck disable=SC2046
		REVERE_SIM=$spec strace -c -o "$tmp/s$k" "$DEMO" $(demo_on "$spec") -q \
			--packets $((NS * k)) "$@" >/dev/null 2>&1 || { echo "?"; return; }
	done
	awk -v n=$NS '$NF == "total" { t[FILENAME] = $(NF-2) }
		END { d = t[ARGV[2]] - t[ARGV[1]]; printf "%.3f", (d < 0 ? 0 : d) / n }' \
		"$tmp/s1" "$tmp/s2"
}

echo "== machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
load0=$(cut -d' ' -f1 /proc/loadavg)
echo "== $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"

# Limits: the best of three runs each (a run that lost its core is none),
# and how far the slowest was from it: a limit measured beside other work
# is no limit.
best() {
	for k in 1 2 3; do
		"$@"
	done >"$tmp/best"
	sort -t' ' -k12 -n "$tmp/best" >"$tmp/bsorted"
	awk 'NR == 1 { lo = $12; l = $0 } { hi = $12 }
		END { printf "%s (best of 3, slowest +%.0f%%)\n", l, 100 * (hi - lo) / lo }' \
		"$tmp/bsorted"
}
limit=$(best "$PAYLOAD" "$N")
echo "$limit"
# A quiet machine: less than a core busy over the minute before the bench
# began, and three single-thread runs within 25% of each other (a quiet
# virtual machine's own noise reached about 20%).
slowest=$(echo "$limit" | sed -n 's/.*slowest +\([0-9]*\)%.*/\1/p')
if awk -v l="$load0" -v s="${slowest:-100}" 'BEGIN { exit !(l >= 1 || s > 25) }'; then
	echo "bench: the machine was not quiet (load $load0 at the start, payload runs $slowest% apart): no figure below is a ceiling; run again with nothing else running"
fi
lim_ns=$(echo "$limit" | sed -n 's/.* \([0-9.]*\) ns per message (.*/\1/p')
# Two threads that both spin need two cores: on one it measures the
# scheduler, and slowly.
ho_ns=
if [ "$(nproc)" -ge 2 ]; then
	handoff=$(best "$HANDOFF" "$N")
	echo "$handoff"
	ho_ns=$(echo "$handoff" | sed -n 's/.* \([0-9.]*\) ns per message (.*/\1/p')
	python3 -c "print('handoff/payload: %.3f (the ceiling of the mmap rows\\' ratio)' % ($lim_ns / $ho_ns))"
else
	echo "handoff: not measured, it needs two cores"
fi

echo
echo "== --sim, $N messages of 2048 bytes a row (ratio: payload limit / row's ns per message; of-handoff: the handoff's, mmap rows)"
printf '%-7s %-5s %3s %11s %6s %9s %11s %9s %9s %9s %6s %10s\n' \
	wait bar0 qd msgs/s spread ns/msg cpu-ns/msg sys/msg p50-ns p99-ns ratio of-handoff
for wait in poll irq hybrid; do
	for bar in 1 0; do
		path=$([ $bar = 1 ] && echo mmap || echo rw)
		for qd in 1 64; do
			row "bar0_mmap=$bar" --wait $wait --queue-depth $qd --packets $N
			set -- $(json "$tmp/j" messages elapsed_ns messages_per_s driver_cpu_ns latency_ns.p50 latency_ns.p99)
			ns=$(python3 -c "print('%.1f' % ($2 / $1))")
			cpu=$(python3 -c "print('%.1f' % ($4 / $1))")
			ratio=$(python3 -c "print('%.3f' % ($lim_ns / ($2 / $1)))")
			of_ho=-
			[ $bar = 0 ] || [ -z "$ho_ns" ] || of_ho=$(python3 -c "print('%.3f' % ($ho_ns / ($2 / $1)))")
			sys=$(syscalls "bar0_mmap=$bar" --wait $wait --queue-depth $qd)
			printf '%-7s %-5s %3s %11.0f %6s %9s %11s %9s %9s %9s %6s %10s\n' \
				$wait $path $qd "$3" "$spread" "$ns" "$cpu" "$sys" "$5" "$6" "$ratio" "$of_ho"
			echo "$wait $path $qd $3" >>"$tmp/sim-rows"
		done
	done
done

# start_server NAME ARGS...: revere-vfio-user-server on $tmp/NAME.sock.
start_server() {
	name=$1; shift
	"$SERVER" --socket "$tmp/$name.sock" "$@" 2>/dev/null &
	servers="$servers $!"
	k=0
	until [ -S "$tmp/$name.sock" ] || [ $k -ge 500 ]; do
		sleep 0.01; k=$((k + 1))
	done
}

echo
echo "== vfio-user: revere-vfio-user-server on a socket, DMA by fd, $N messages a row (of-sim: the row's msgs/s / the --sim row's)"
start_server map
start_server msg --no-mmap
printf '%-7s %-5s %3s %11s %6s %9s %11s %9s %9s %9s %7s\n' \
	wait bar0 qd msgs/s spread ns/msg cpu-ns/msg sys/msg p50-ns p99-ns of-sim
for wait in poll irq; do
	for path in mmap rw; do
		sock=$tmp/$([ $path = mmap ] && echo map || echo msg).sock
		# Messages cost a round trip each with BAR0 by messages.
		m=$([ $path = mmap ] && echo $N || echo $((N / 10)))
		for qd in 1 64; do
			row "user:$sock" --wait $wait --queue-depth $qd --packets $m
			set -- $(json "$tmp/j" messages elapsed_ns messages_per_s driver_cpu_ns latency_ns.p50 latency_ns.p99)
			ns=$(python3 -c "print('%.1f' % ($2 / $1))")
			cpu=$(python3 -c "print('%.1f' % ($4 / $1))")
			sim=$(awk -v k="$wait $path $qd" '$1 " " $2 " " $3 == k { print $4 }' "$tmp/sim-rows")
			of_sim=$(python3 -c "print('%.3f' % ($3 / $sim))")
			sys=$(syscalls "user:$sock" --wait $wait --queue-depth $qd)
			printf '%-7s %-5s %3s %11.0f %6s %9s %11s %9s %9s %9s %7s\n' \
				$wait $path $qd "$3" "$spread" "$ns" "$cpu" "$sys" "$5" "$6" "$of_sim"
		done
	done
done

echo
echo "== a slow device: REVERE_SIM service_ns, BAR0 mmap'd, queue depth 64"
printf '%-9s %-7s %11s %6s %12s\n' service wait msgs/s spread cpu-share
for svc in 2000 20000 200000; do
	m=$((svc >= 200000 ? 2000 : svc >= 20000 ? 20000 : N))
	for wait in poll irq hybrid; do
		row "service_ns=$svc" --wait $wait --packets $m --timeout 10000
		set -- $(json "$tmp/j" elapsed_ns messages_per_s driver_cpu_ns)
		share=$(python3 -c "print('%.3f' % ($3 / $1))")
		printf '%-9s %-7s %11.0f %6s %12s\n' "$((svc / 1000)) us" $wait "$2" "$spread" "$share"
	done
done

echo
echo "== load $(cut -d' ' -f1-3 /proc/loadavg) at the end (the bench itself keeps up to two cores busy)"
