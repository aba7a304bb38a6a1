#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Part 2 of the real-kernel rig: the unmodified revere-vfio-demo against the
# device model carried by a mediated device (tests/kernel/mdev), through the
# guest kernel's own vfio, vfio_iommu_type1 and mdev code. Runs in the guest
# as root, from /init (see tests/kernel/README).
#
# RIG-EXPECT: mdev-load mdev-create mdev-demo mdev-demo-10000
# RIG-EXPECT: mdev-loopback mdev-sigint mdev-state-observable mdev-remove
# RIG-EXPECT: mdev-unload

MODULE=/opt/revere_mdev.ko
MODNAME=revere_mdev
TYPE=revere-pf
OUT=/tmp/20-mdev.out
ERR=/tmp/20-mdev.err
# Bounds on waiting, in tenths of a second: for the SIGINT run to reach its
# exchange, and for it to exit once interrupted (TCG is slow).
START_TENTHS=300
EXIT_TENTHS=300

pass() { echo "RIG-RESULT: $1 PASS"; }
fail() { echo "RIG-RESULT: $1 FAIL $2"; }

# Only kernel messages from this script count for the final check.
DMESG_START=$(dmesg | wc -l)

# The parent device offering our type, e.g. /sys/class/mdev_bus/revere_mdev.
find_type_dir() {
	for p in /sys/class/mdev_bus/*; do
		if [ -d "$p/mdev_supported_types/$TYPE" ]; then
			echo "$p/mdev_supported_types/$TYPE"
			return 0
		fi
	done
	return 1
}

state() { cat "/sys/bus/mdev/devices/$UUID/revere_state"; }

# state_field NAME: one value of the revere_state line.
state_field() {
	state | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Prints why the device is not quiesced, or nothing when it is: everything
# the demo set up is undone, bus mastering is off, and no IOMMU fault.
not_quiesced() {
	s=$(state) || { echo "cannot read revere_state"; return; }
	for f in amu_enabled bus_master ami_sw_enabled ami_hw_enabled \
		asn_count ami_sw_mapped ami_hw_mapped iommu_fault; do
		case " $s " in
		*" $f=0 "*) ;;
		*) echo "device not quiesced ($s)"; return ;;
		esac
	done
}

# demo_ok CHECK PACKETS WORD [OPTIONS...]: the demo must exit 0, report
# PACKETS messages "WORD and verified", leave the device quiesced, and the
# device must have moved at least PACKETS messages (so it really ran here).
demo_ok() {
	check=$1 packets=$2 word=$3
	shift 3
	revere-vfio-demo --vfio-group "$GROUP_DEV" --device "$UUID" "$@" \
		>"$OUT" 2>"$ERR" </dev/null
	st=$?
	cat "$OUT" "$ERR"
	echo "mdev: revere_state after $check: $(state)"
	why=
	if [ "$st" -ne 0 ]; then
		why="revere-vfio-demo $* exited $st: $(head -n 1 "$ERR")"
	elif ! grep -q "^step 4: $packets messages of [0-9]* bytes $word and verified" "$OUT"; then
		why="no 'step 4: $packets messages ... $word and verified' line"
	elif ! grep -q '^step 5: torn down$' "$OUT"; then
		why="no clean 'step 5: torn down' line"
	else
		why=$(not_quiesced)
	fi
	if [ -z "$why" ]; then
		moved=$(state_field messages)
		[ "${moved:-0}" -ge "$packets" ] ||
			why="the device moved ${moved:-no} messages, fewer than $packets"
	fi
	if [ -z "$why" ]; then
		pass "$check"
	else
		fail "$check" "$why"
	fi
}

# Start a run long enough to be interrupted, in the background ($pid), and
# wait (bounded) for step 3: it is printed just before the exchange starts.
start_long_run() {
	revere-vfio-demo --vfio-group "$GROUP_DEV" --device "$UUID" \
		--packets 1000000000 >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	n=0
	until grep -q '^step 3: ' "$OUT" 2>/dev/null || [ $n -ge $START_TENTHS ] ||
		! kill -0 "$pid" 2>/dev/null; do
		n=$((n + 1))
		sleep 0.1
	done
}

# A run interrupted by SIGINT during its exchange must exit 130, tear down
# and leave the device quiesced.
demo_sigint() {
	start_long_run
	started=no
	grep -q '^step 3: ' "$OUT" && started=yes
	kill -INT "$pid" 2>/dev/null
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt $EXIT_TENTHS ]; do
		n=$((n + 1))
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid"
		cat "$OUT" "$ERR"
		fail mdev-sigint "still running $((EXIT_TENTHS / 10))s after SIGINT"
		return
	fi
	wait "$pid"
	st=$?
	cat "$OUT" "$ERR"
	echo "mdev: revere_state after SIGINT: $(state)"
	if [ "$started" != yes ]; then
		fail mdev-sigint "the exchange never started (no 'step 3:' line; exit status $st)"
	elif [ "$st" -ne 130 ]; then
		fail mdev-sigint "exited $st after SIGINT, want 130: $(head -n 1 "$ERR")"
	elif ! grep -q '^revere-vfio-demo: interrupted by signal' "$ERR"; then
		fail mdev-sigint "no 'interrupted by signal' message"
	elif ! grep -q '^step 5: torn down$' "$OUT"; then
		fail mdev-sigint "no clean 'step 5: torn down' line"
	else
		why=$(not_quiesced)
		if [ -z "$why" ]; then
			pass mdev-sigint
		else
			fail mdev-sigint "$why"
		fi
	fi
}

# The quiesced checks above mean something only if revere_state shows what
# the driver left behind (the module does not reset the device on close).
# A demo killed with SIGKILL mid-exchange cannot tear down: the state must
# show it. The kernel closes its fds and unmaps its DMA; the device must
# still be removable afterwards (checked by mdev-remove).
demo_sigkill() {
	start_long_run
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	st=$?
	cat "$OUT" "$ERR"
	echo "mdev: revere_state after SIGKILL: $(state)"
	if ! grep -q '^step 3: ' "$OUT"; then
		fail mdev-state-observable "the exchange never started (no 'step 3:' line; exit status $st)"
	elif [ "$st" -ne 137 ]; then
		fail mdev-state-observable "exited $st, want 137 (SIGKILL)"
	elif [ "$(state_field amu_enabled)" != 1 ] ||
		[ "$(state_field asn_count)" = 0 ]; then
		fail mdev-state-observable "revere_state does not show the set-up the killed demo left: $(state)"
	else
		pass mdev-state-observable
	fi
}

# ---- Load the module ----
if ! insmod "$MODULE"; then
	fail mdev-load "insmod $MODULE failed: $(dmesg | tail -n 3 | tr '\n' ' ')"
	exit 0
fi
if ! TYPE_DIR=$(find_type_dir); then
	fail mdev-load "no mdev type $TYPE under /sys/class/mdev_bus/*/mdev_supported_types"
	exit 0
fi
pass mdev-load
echo "mdev: type $TYPE at $TYPE_DIR ($(cat "$TYPE_DIR/name"), device_api $(cat "$TYPE_DIR/device_api"), $(cat "$TYPE_DIR/available_instances") available)"

# ---- Create an instance and find its IOMMU group ----
UUID=$(cat /proc/sys/kernel/random/uuid)
if ! echo "$UUID" >"$TYPE_DIR/create"; then
	fail mdev-create "cannot create $UUID through $TYPE_DIR/create"
	exit 0
fi
GROUP=$(basename "$(readlink "/sys/bus/mdev/devices/$UUID/iommu_group")")
GROUP_DEV=/dev/vfio/$GROUP
if [ -z "$GROUP" ] || [ ! -c "$GROUP_DEV" ]; then
	fail mdev-create "mdev $UUID has no IOMMU group file (group '$GROUP')"
	exit 0
fi
why=$(not_quiesced)
if [ -n "$why" ]; then
	fail mdev-create "a new instance is not at power-on: $why"
	exit 0
fi
pass mdev-create
echo "mdev: $UUID in IOMMU group $GROUP_DEV, $(state)"

# ---- The demo ----
demo_ok mdev-demo 42 inverted
demo_ok mdev-demo-10000 10000 inverted --packets 10000
demo_ok mdev-loopback 42 "looped back" --loopback
demo_sigint
demo_sigkill

# ---- Remove the instance, unload the module ----
if ! echo 1 >"/sys/bus/mdev/devices/$UUID/remove"; then
	fail mdev-remove "cannot write /sys/bus/mdev/devices/$UUID/remove"
elif [ -e "/sys/bus/mdev/devices/$UUID" ] || [ -e "$GROUP_DEV" ]; then
	fail mdev-remove "$UUID or $GROUP_DEV still exists after remove"
else
	pass mdev-remove
fi

if ! rmmod "$MODNAME"; then
	fail mdev-unload "rmmod $MODNAME failed"
elif [ -e "/sys/module/$MODNAME" ]; then
	fail mdev-unload "/sys/module/$MODNAME still exists after rmmod"
else
	bad=$(dmesg | tail -n +$((DMESG_START + 1)) |
		grep -E 'WARNING:|BUG:|Oops' | head -n 1)
	if [ -n "$bad" ]; then
		fail mdev-unload "kernel log: $bad"
	else
		pass mdev-unload
	fi
fi
dmesg | tail -n +$((DMESG_START + 1))
exit 0
