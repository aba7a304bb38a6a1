#!/bin/sh
# The demo as a vfio-user client, against revere-vfio-user-server over a
# socket: runs with BAR0 mapped and by messages, every wait mode, many
# messages, loopback, --trace as --sim prints it; a server that takes no
# fds (every DMA by message) and a slow one; SIGINT at random moments,
# each run leaving the device quiesced by the server's own report; the
# server killed mid-run; and the failures a user meets first (no server,
# a stale socket, a file that is no socket), each one line.
. "${srcdir:-.}/tests/demo_lib.sh"

: "${SERVER:?SERVER must name the revere-vfio-user-server binary}"

# run NAME ARGS...: the demo on server NAME; sets $status.
run() {
	name=$1
	shift
	"$DEMO" --vfio-user "$tmp/$name.sock" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}

# left_clean NAME: the server's report of the client that left last: the
# AMU off, bus mastering off, no AMI enabled or mapped, no session.
left_clean() {
	line=$(grep 'client left' "$tmp/$1.log" | tail -n 1)
	for kv in amu_enabled=0 bus_master=0 ami_sw_enabled=0 ami_hw_enabled=0 \
		asn_count=0 ami_sw_mapped=0 ami_hw_mapped=0; do
		case $line in
		*" $kv "* | *" $kv") ;;
		*) return 1 ;;
		esac
	done
}
clients() { grep -c 'client left' "$tmp/$1.log"; }
one_error() { [ "$(errors)" = 1 ]; }
verified() { grep -q "^step 4: $1 messages of 2048 bytes $2 and verified" "$tmp/out"; }

# ---- BAR0 mapped, DMA by fd ----
vfu_start map
run map
expect_status "default run" 0
expect "default run: 42 messages verified" verified 42 inverted
expect "default run: step 2 names the socket and vfio-user" \
	grep -q "^step 2: opened $tmp/map.sock via vfio-user (13b5:ff81, IOMMU vfio-user).*BAR0 mmap'd" "$tmp/out"
expect "default run: the server saw the device quiesced" left_clean map
run map --packets 100000 --json -q
expect_status "100000 messages" 0
expect "100000 messages: all verified, BAR0 mapped, vfio-user" \
	grep -q '"messages": 100000, .*"bar0": "mmap", "iommu": "vfio-user"' "$tmp/out"
run map --loopback
expect_status "--loopback" 0
expect "--loopback: looped back" verified 42 "looped back"
for wait in irq hybrid; do
	run map --wait "$wait" --packets 20000 --json -q
	expect_status "--wait $wait" 0
	expect "--wait $wait: all verified" grep -q "\"messages\": 20000, .*\"wait\": \"$wait\"" "$tmp/out"
	expect "--wait $wait: the server saw the device quiesced" left_clean map
done
run map --queue-depth 1 --packets 2000
expect_status "--queue-depth 1" 0
run map -v
expect "-v: DMA by fd, said" grep -q 'DMA by fd' "$tmp/out"
run map --trace -q
cp "$tmp/err" "$tmp/trace.user"
REVERE_SIM= "$DEMO" --sim --trace -q >/dev/null 2>"$tmp/trace.sim"
expect "--trace: what --sim prints, byte for byte" cmp -s "$tmp/trace.user" "$tmp/trace.sim"
run map --check
expect_status "--check" 0
expect "--check: ready, a Revere PF, BAR0 mapped" \
	grep -q "^vfio-user $tmp/map.sock: ready: 13b5:ff81, BAR0 1024 KiB mmap'd, 8 MSI-X vectors on eventfds (Revere-AMU PF)" "$tmp/out"

run map --list
expect_status "--list" 0
expect "--list: what the socket serves" \
	grep -q "^vfio-user $tmp/map.sock: 13b5:ff81, BAR0 1024 KiB mmap'd, 8 MSI-X vectors on eventfds (Revere-AMU PF)" "$tmp/out"

# The README's commands for the demo on the server ("Without hardware, over
# vfio-user"), on this test's socket.
tr -d '\r' <"$srcdir/README" |
	sed -n 's|^ *\$ revere-vfio-demo \(.*--vfio-user /tmp/revere.sock.*\)$|\1|p' >"$tmp/readme"
expect "README: two commands for the demo on the server" [ "$(wc -l <"$tmp/readme")" = 2 ]
while read -r args; do
	# Unquoted: the README's words are the arguments.
	# shellcheck disable=SC2086
	set -- $(echo "$args" | sed "s|/tmp/revere.sock|$tmp/map.sock|")
	"$DEMO" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	expect_status "README: revere-vfio-demo $args" 0
done <"$tmp/readme"

# The README's two commands for a guest on the server ("Without hardware,
# in a virtual machine"), read by the parser make check-kernel boots QEMU
# with (tests/kernel/vfio-user.sh), which finds them in that section only:
# the server on the README's socket, then QEMU with a vfio-user-pci device
# on it. In a subshell: that file's functions are the rig's, not ours.
readme_vm_commands() {
	(
		SRCDIR=${srcdir:-.}
		. "$SRCDIR/tests/kernel/vfio-user.sh"
		readme_vm
		readme_vm_section |
			grep -q "^ *\$ revere-vfio-user-server --socket $README_SOCKET *&\$" || exit 1
		case $README_QEMU in
		*'"driver":"vfio-user-pci"'*"\"path\":\"$README_SOCKET\""*) ;;
		*) exit 1 ;;
		esac
	)
}
expect "README: the server and QEMU on it, in its virtual machine section" \
	readme_vm_commands

# SIGINT at random moments: from connecting to the exchange. The runs
# that got as far as the server always leave the device quiesced; a run
# the signal reaches before the handler is killed, with nothing done.
i=0
while [ $i -lt "${VFU_SIGNAL_RUNS:-20}" ]; do
	before=$(clients map)
	delay=$(awk -v s="$i" 'BEGIN { srand(s); printf "%.3f", rand() * 0.4 }')
	timeout --preserve-status -s INT "$delay" \
		"$DEMO" --vfio-user "$tmp/map.sock" --packets 1000000000 \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	expect "SIGINT after ${delay} s: exit 130" [ "$status" = 130 ]
	expect "SIGINT after ${delay} s: no teardown error" sh -c "! grep -q teardown '$tmp/err'"
	# A run that opened the device: the server says how it was left.
	if grep -q '^step 2: ' "$tmp/out"; then
		end=$(($(date +%s) + 60))
		until [ "$(clients map)" -gt "$before" ] || [ "$(date +%s)" -ge $end ]; do
			sleep 0.01
		done
		expect "SIGINT after ${delay} s: the server saw the device quiesced" left_clean map
	fi
	i=$((i + 1))
done
vfu_stop map

# ---- BAR0 by messages ----
vfu_start msg --no-mmap
run msg --json -q --packets 2000
expect_status "BAR0 by message" 0
expect "BAR0 by message: 2000 verified, bar0 rw" \
	grep -q '"messages": 2000, .*"bar0": "rw", "iommu": "vfio-user"' "$tmp/out"
run msg --wait irq --packets 2000
expect_status "BAR0 by message, --wait irq" 0
run msg --loopback
expect_status "BAR0 by message, --loopback" 0
expect "BAR0 by message: the server saw the device quiesced" left_clean msg
vfu_stop msg

# ---- a server that takes no fds: every DMA by message ----
vfu_start nofd --no-fds
run nofd -v
expect_status "no fds" 0
expect "no fds: 42 verified" verified 42 inverted
expect "no fds: DMA by message, said" grep -q 'DMA by message' "$tmp/out"
expect "no fds: BAR0 by message" grep -q 'BAR0 through pread/pwrite' "$tmp/out"
run nofd --packets 2000 --loopback
expect_status "no fds, 2000 looped back" 0
run nofd --wait irq
expect_status "no fds, --wait irq" 1
expect "no fds, --wait irq: one line, no eventfd to signal" \
	sh -c "[ \"\$(grep -c '^revere-vfio-demo: ' '$tmp/err')\" = 1 ] && grep -q 'MSI-X vectors that can signal an eventfd' '$tmp/err'"
run nofd --wait hybrid -v
expect_status "no fds, --wait hybrid polls" 0
expect "no fds, --wait hybrid: says it polls" grep -q 'polling instead' "$tmp/out"
vfu_stop nofd

# ---- a slow server ----
vfu_start slow --reply-delay-us 20000
run slow
expect_status "replies 20 ms late" 0
run slow --timeout 5
expect_status "replies later than --timeout" 1
expect "replies later than --timeout: one line, the socket, the wait" \
	sh -c "[ \"\$(grep -c '^revere-vfio-demo: ' '$tmp/err')\" = 1 ] && grep -q '$tmp/slow.sock.*did not answer within 5 ms' '$tmp/err'"
vfu_stop slow

# ---- the server killed mid-run ----
for mode in "" --no-mmap; do
	vfu_start kill $mode
	: >"$tmp/out"
	"$DEMO" --vfio-user "$tmp/kill.sock" --packets 1000000000 \
		>"$tmp/out" 2>"$tmp/err" </dev/null &
	demo=$!
	until_exchanging $demo
	kill -9 "$pid_kill"
	wait "$pid_kill"
	wait "$demo"
	status=$?
	on="server killed${mode:+ ($mode)}"
	expect_status "$on" 1
	expect "$on: the run's error names the socket and the closed connection" \
		sh -c "grep -v teardown '$tmp/err' | grep -q '^revere-vfio-demo: .*$tmp/kill.sock.*closed the connection'"
	expect "$on: teardown says once it could not quiesce the device" \
		sh -c "[ \"\$(grep -c '^revere-vfio-demo: teardown' '$tmp/err')\" = 1 ] && grep -q 'it was not quiesced' '$tmp/err'"
	expect "$on: two lines in all" [ "$(errors)" = 2 ]
	expect "$on: torn down" grep -q '^step 5: torn down (with errors, see above)$' "$tmp/out"
done

# ---- what a user meets first ----
# The killed server left its socket file: nothing listens there.
run kill
expect_status "a stale socket" 1
expect "a stale socket: one line, connection refused, start the server" \
	sh -c "[ \"\$(grep -c '^revere-vfio-demo: ' '$tmp/err')\" = 1 ] && grep -q 'connect to the vfio-user socket $tmp/kill.sock: Connection refused; nothing is listening on it' '$tmp/err'"
run none
expect_status "no such socket" 1
expect "no such socket: one line, and how to start a server" \
	sh -c "[ \"\$(grep -c '^revere-vfio-demo: ' '$tmp/err')\" = 1 ] && grep -q 'No such file or directory; no such socket: start the device' '$tmp/err'"
: >"$tmp/file.sock"
run file
expect_status "a regular file" 1
expect "a regular file: not a socket, said" grep -q 'Socket operation on non-socket; the path is not a UNIX stream socket' "$tmp/err"
run none --check
expect_status "--check, no such socket" 1
expect "--check, no such socket: one line" one_error
"$DEMO" --list --vfio-user "$tmp/none.sock" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
expect_status "--list with an unusable socket" 0
expect "--list: says why the socket cannot be used" \
	grep -q "^vfio-user $tmp/none.sock: cannot be used: connect to the vfio-user socket" "$tmp/out"
run map --device 0000:01:00.0
expect_status "--vfio-user with --device" 2
run map --sim
expect_status "--vfio-user with --sim" 2

finish
