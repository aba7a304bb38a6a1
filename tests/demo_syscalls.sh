#!/bin/sh
# The exchange makes no system call per message in poll mode with BAR0
# mmap'd, on --sim and over vfio-user: the driver's thread alone is traced (strace without
# -f), and the system calls between its writes of the step 3 and step 4
# lines (the exchange: the request watcher started and stopped, the CPU
# clock read) are counted in a short run and in one 200,000 messages
# longer. Every one but two must be made as often in both. The two:
# futex, the join of the watcher, which may find it gone or not; and
# sched_yield, given up only after a millisecond with no progress, which
# a loaded machine may cause.
. "${srcdir:-.}/tests/demo_lib.sh"

# Under make check-asan: LeakSanitizer cannot run under ptrace, and exits.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

if ! command -v strace >/dev/null || ! strace -o /dev/null true 2>/dev/null; then
	ok "# SKIP strace is not installed or cannot trace here"
	finish
	exit 0
fi

# counts N ARGS...: "name count" per system call of the driver's thread
# in the exchange of a run of N messages, sorted by name, into $tmp/c.N;
# on --sim (REVERE_SIM bar0_mmap=1, and $sim_extra) unless ARGS name
# another device.
sim_extra=
counts() {
	n_msgs=$1; shift
	case " $* " in
	*" --vfio-user "*) on= ;;
	*) on=--sim ;;
	esac
	REVERE_SIM=bar0_mmap=1${sim_extra:+,$sim_extra} strace -o "$tmp/s" "$DEMO" $on \
		--packets "$n_msgs" --timeout 10000 "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	awk '/^write\(1, "step 3: /{ p = 1; next } /^write\(1, "step 4: /{ p = 0 }
		p { sub(/\(.*/, ""); n[$0]++ }
		END { for (c in n) print c, n[c] }' "$tmp/s" | sort >"$tmp/c.$n_msgs"
}

# differ [A B]: the system calls whose counts differ between the runs of
# A and B messages (1000 and 201000), but futex and sched_yield.
differ() {
	join -a 1 -a 2 -e 0 -o 0,1.2,2.2 "$tmp/c.${1:-1000}" "$tmp/c.${2:-201000}" |
		awk '$2 != $3 && $1 != "futex" && $1 != "sched_yield"'
}

# The window is there: the exchange starts the request watcher (clone3).
window() { grep -q '^clone3 1$' "$tmp/c.$1"; }

counts 1000
expect_status "1000 messages under strace" 0
expect "1000 messages: the exchange found between step 3 and step 4" window 1000
counts 201000
expect_status "201000 messages under strace" 0
expect "201000 messages: the exchange found between step 3 and step 4" window 201000
d=$(differ | paste -sd ";" -)
expect "--wait poll, BAR0 mmap'd: 200,000 more messages, no more system calls${d:+ (differ: $d)}" \
	test -z "$d"

# Over vfio-user, with BAR0 and the buffers shared with the server: no
# message on the socket either. (The request watcher is not started: the
# server offers no device request; the client's own watcher started in
# step 2.)
vfu_start map
counts 1000 --vfio-user "$tmp/map.sock"
expect_status "vfio-user, 1000 messages under strace" 0
counts 201000 --vfio-user "$tmp/map.sock"
expect_status "vfio-user, 201000 messages under strace" 0
# The window is there: the exchange reads the thread's CPU clock.
expect "vfio-user: the exchange found between step 3 and step 4" \
	grep -q '^clock_gettime ' "$tmp/c.201000"
d=$(differ | paste -sd ";" -)
expect "vfio-user, --wait poll, BAR0 mmap'd: 200,000 more messages, no more system calls${d:+ (differ: $d)}" \
	test -z "$d"
vfu_stop map

# The check can fail: --wait irq sleeps, in ppoll(2) as it dozes with its
# interrupt masked or in poll(2) as it blocks for it (moderation.h). On a
# device that takes 200 us a message, so that it must: on the fast one it
# may spin through, as poll does, and a spin only lasts a wake-up's time.
sim_extra=service_ns=200000
counts 10 --wait irq
counts 210 --wait irq
expect_status "--wait irq, 210 messages under strace" 0
d=$(differ 10 210 | paste -sd ";" -)
expect "--wait irq: the same comparison finds it sleep (differ: $d)" \
	sh -c 'echo "$1" | tr ";" "\n" | grep -Eq "^p?poll "' - "$d"
finish
