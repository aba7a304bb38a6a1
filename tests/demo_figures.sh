#!/bin/sh
# The driver's figures on the simulated device: --queue-depth and its
# bounds, the step 4 line's rate, throughput and round trip, --json parsed
# back, the progress line on a terminal only, and the line a signal prints.
. "${srcdir:-.}/tests/demo_lib.sh"

not_grep() { ! grep -q "$@"; }

step4='^step 4: [0-9]+ messages of 2048 bytes (inverted|looped back) and verified in [0-9]+\.[0-9]{3} m?s: [0-9]+ messages/s, [0-9]+\.[0-9] MB/s, mean round trip [0-9]+\.[0-9] us$'

# figures_consistent FILE N: the step 4 line of FILE says N messages, and
# its messages/s times its elapsed time is N within 2 % (rounding of the
# printed figures), its MB/s the rate times 2048 bytes within 2 %.
figures_consistent() {
	sed -n 's/^step 4: \([0-9]*\) messages of 2048 bytes [a-z ]* verified in \([0-9.]*\) \(m*s\): \([0-9]*\) messages\/s, \([0-9.]*\) MB\/s, .*/\1 \2 \3 \4 \5/p' "$1" |
		awk -v n="$2" '
			{ secs = $3 == "ms" ? $2 / 1000 : $2; got = 1 }
			END {
				if (!got || $1 != n || secs <= 0) exit 1
				d = $4 * secs - n; if (d < 0) d = -d
				if (d > 0.02 * n + 1) exit 1
				mb = $4 * 2048 / 1e6; d = $5 - mb; if (d < 0) d = -d
				if (d > 0.02 * mb + 0.1) exit 1
			}'
}

for count in 42 3000; do
	run_demo "" --packets $count
	expect_status "--packets $count" 0
	expect "--packets $count: step 4 gives the rate, throughput and mean round trip" \
		grep -Eq "$step4" "$tmp/out"
	expect "--packets $count: messages/s times the elapsed time is $count, MB/s matches" \
		figures_consistent "$tmp/out" $count
	expect "--packets $count: never 'in 0 ms'" not_grep ' in 0 ms' "$tmp/out"
done

# --queue-depth: one message in flight at a time, on both BAR0 paths,
# inverted and looped back; and a depth between.
for bar in 1 0; do
	for lb in "" --loopback; do
		run_demo "bar0_mmap=$bar" --queue-depth 1 --packets 500 $lb
		expect_status "--queue-depth 1 $lb, bar0_mmap=$bar" 0
		expect "--queue-depth 1 $lb, bar0_mmap=$bar: all verified" \
			grep -Eq '^step 4: 500 messages of 2048 bytes (inverted|looped back) and verified' "$tmp/out"
		expect "--queue-depth 1 $lb, bar0_mmap=$bar: device left clean" clean
	done
done
run_demo "" --queue-depth 7 --packets 1000 -v
expect_status "--queue-depth 7" 0
expect "--queue-depth 7: -v says at most 7 in flight" \
	grep -q '^exchange: 1000 messages of 2048 bytes, at most 7 in flight$' "$tmp/out"
run_demo "" -v
expect "default queue depth: the ring size, 64" \
	grep -q '^exchange: 42 messages of 2048 bytes, at most 64 in flight$' "$tmp/out"
run_demo "" --queue-depth 64 --packets 1000
expect_status "--queue-depth 64 (the ring size)" 0

# Its bounds: usage errors, exit 2, nothing run.
for bad in 0 65 -1 x 1x ""; do
	run_demo "" --queue-depth "$bad"
	expect_status "--queue-depth '$bad'" 2
	expect "--queue-depth '$bad': one error naming the option" \
		eval 'test "$(errors)" = 1 && has_error "--queue-depth: "'
	expect "--queue-depth '$bad': nothing on stdout" test ! -s "$tmp/out"
done

# --json: stdout is one JSON object with every key, of the right type;
# the step lines go to stderr.
json_check() {
	python3 -c '
import json, sys
want = {"messages": int, "message_bytes": int, "elapsed_ns": int,
	"messages_per_s": (int, float), "bytes_per_s": (int, float),
	"driver_cpu_ns": int, "latency_ns": dict, "wait": str, "bar0": str,
	"queue_depth": int, "interrupts": int, "dozes": int}
d = json.load(sys.stdin)
n, depth, wait, bar0 = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
for k, t in want.items():
	assert k in d, k
	assert isinstance(d[k], t) and not isinstance(d[k], bool), k
for k in ("p50", "p99", "max"):
	v = d["latency_ns"][k]
	assert isinstance(v, int) and not isinstance(v, bool) and v >= 0, k
lat = d["latency_ns"]
assert lat["p50"] <= lat["p99"] <= lat["max"], lat
assert lat["max"] > 0, lat
assert d["messages"] == n and d["message_bytes"] == 2048
assert d["queue_depth"] == depth and d["wait"] == wait and d["bar0"] == bar0
assert d["elapsed_ns"] > 0 and 0 <= d["driver_cpu_ns"] <= d["elapsed_ns"]
assert abs(d["messages_per_s"] * d["elapsed_ns"] / 1e9 - n) <= 0.01 * n + 1
assert abs(d["bytes_per_s"] - 2048 * d["messages_per_s"]) <= 0.01 * d["bytes_per_s"] + 1
# irq and hybrid may find every message without blocking: >= 0 then.
assert d["interrupts"] >= 0
if wait == "poll":
	assert d["interrupts"] == 0 and d["dozes"] == 0
' "$@" <"$tmp/out"
}
for bar in 1 0; do
	b=$([ $bar = 1 ] && echo mmap || echo rw)
	for w in poll irq hybrid; do
		run_demo "bar0_mmap=$bar" --json --wait $w --packets 2000
		expect_status "--json --wait $w, bar0 $b" 0
		expect "--json --wait $w, bar0 $b: stdout parses, every key and type" \
			json_check 2000 64 $w $b
		expect "--json --wait $w, bar0 $b: stdout is one line" \
			test "$(wc -l <"$tmp/out")" = 1
		expect "--json --wait $w, bar0 $b: no step line on stdout" \
			not_grep '^step ' "$tmp/out"
		expect "--json --wait $w, bar0 $b: the five step lines on stderr" \
			test "$(grep -c '^step [1-5]: ' "$tmp/err")" = 5
		expect "--json --wait $w, bar0 $b: step 4 on stderr" \
			grep -Eq "$step4" "$tmp/err"
	done
done
run_demo "" --json --queue-depth 3 --packets 100
expect_status "--json --queue-depth 3" 0
expect "--json --queue-depth 3: queue_depth 3" json_check 100 3 poll mmap
run_demo "" --json -q
expect_status "--json -q" 0
expect "--json -q: the summary still printed" json_check 42 64 poll mmap
expect "--json -q: nothing else" not_grep '^step ' "$tmp/err"
# A failed run prints no summary.
run_demo "service_ns=500000000" --json --timeout 20
expect_status "--json, a run that times out" 1
expect "--json, a run that times out: nothing on stdout" test ! -s "$tmp/out"

# The progress line: never when stdout is not a terminal.
run_demo "service_ns=1000000" --packets 1200
expect_status "slow device, stdout a file" 0
expect "slow device, stdout a file: no progress line" not_grep "$(printf '\r')" "$tmp/out"
expect "slow device, stdout a file: five step lines, nothing else" \
	test "$(wc -l <"$tmp/out")" = 5

# On a terminal (script(1) from util-linux gives one), a run longer than a
# second (1200 messages, at least 1 ms each) redraws it in place.
if command -v script >/dev/null 2>&1 &&
   script -qc true /dev/null </dev/null >/dev/null 2>&1; then
	for q in "" -q --json; do
		REVERE_SIM=service_ns=1000000 script -qc \
			"'$DEMO' --sim --packets 1200 $q" /dev/null \
			>"$tmp/out" 2>"$tmp/err" </dev/null
		status=$?
		expect_status "on a terminal ${q:-(normal)}" 0
		if [ -z "$q" ]; then
			expect "on a terminal: the progress line, redrawn in place" \
				grep -Eq "$(printf '\r')step 4: [0-9]+ of 1200 messages, [0-9]+\.[0-9] s, [0-9]+ messages/s" "$tmp/out"
			expect "on a terminal: erased before the step 4 line" \
				grep -q "$(printf '\r\033')\[Kstep 4: 1200 messages of 2048 bytes inverted and verified in " "$tmp/out"
		else
			expect "on a terminal $q: no progress line" \
				not_grep ' of 1200 messages, ' "$tmp/out"
		fi
	done
else
	ok "# SKIP script(1) cannot give a terminal here"
fi

# The driver's CPU time is taken over the elapsed interval: never more
# than one core, run after run, on both BAR0 paths.
for bar in 1 0; do
	over=0
	failed=0
	i=0
	while [ $i -lt 25 ]; do
		run_demo "bar0_mmap=$bar" --json
		cpu=$(sed -n 's/.*"driver_cpu_ns": \([0-9]*\).*/\1/p' "$tmp/out")
		el=$(sed -n 's/.*"elapsed_ns": \([0-9]*\).*/\1/p' "$tmp/out")
		if [ "$status" != 0 ] || [ -z "$cpu" ] || [ -z "$el" ]; then
			failed=$((failed + 1))
		elif [ "$cpu" -gt "$el" ]; then
			over=$((over + 1))
		fi
		i=$((i + 1))
	done
	expect "bar0_mmap=$bar: 25 --json runs, $failed failed" test $failed = 0
	expect "bar0_mmap=$bar: driver_cpu_ns <= elapsed_ns in every run ($over over)" \
		test $over = 0
done

# A signal in the exchange: the line gives the elapsed time and the rate.
REVERE_SIM=report=1,service_ns=1000000 "$DEMO" --sim --packets 100000 \
	>"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
status=$?
expect_status "SIGINT in a long exchange" 130
expect "SIGINT in a long exchange: the line gives the elapsed time and rate" \
	grep -Eq '^revere-vfio-demo: interrupted by signal 2 \(Interrupt\) after [0-9]+ of 100000 messages in [0-9]+\.[0-9]{3} s \([0-9]+ messages/s\)$' "$tmp/err"
expect "SIGINT in a long exchange: device left clean" clean

finish
