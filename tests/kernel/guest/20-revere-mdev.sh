#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Part 2 of the real-kernel rig: the unmodified revere-vfio-demo against the
# device model carried by a mediated device (sim/mdev), through the
# guest kernel's own vfio, vfio_iommu_type1 and mdev code. Runs in the guest
# as root, from /init (see tests/kernel/README). On both kernels; on the
# iommufd kernel twice: here through the group file (type1), and from
# 30-iommufd-mdev.sh through the device file (RIG_IOMMU=iommufd, every
# check named with RIG_PREFIX "iommufd-").
#
# RIG-KERNELS: debian iommufd
# RIG-EXPECT: mdev-load mdev-create mdev-list mdev-check mdev-demo
# RIG-EXPECT: mdev-demo-10000 mdev-irq mdev-hybrid-irq mdev-nonroot
# RIG-EXPECT: mdev-loopback mdev-sigint mdev-state-observable mdev-remove
# RIG-EXPECT: mdev-request-remove mdev-unload mdev-config-space mdev-halted
# RIG-EXPECT: mdev-iommu-auto

# shellcheck disable=SC3045 # the guest's sh is busybox ash: ulimit -l
# shellcheck source=tests/kernel/guest/lib.sh
. /tests/lib.sh

MODULE=/opt/revere_mdev.ko
MODNAME=revere_mdev
TYPE=revere-pf
OUT=/tmp/20-mdev.out
ERR=/tmp/20-mdev.err

# The demo's --timeout for every run here. Its default, 100 ms, is a
# figure for hardware; here the device is the module's kworker in a guest
# under TCG, whose vCPUs wait for the host's cores on a busy host: a run
# once found no message for 100 ms in the middle of its exchange. A slow
# host delays the device, a device that stops never answers: mdev-halted
# stops it mid-exchange and the demo must still fail, after this long.
DEMO_TIMEOUT_MS=10000

# The IOMMU backend every run of the demo names: RIG_IOMMU, else type1 on
# the iommufd kernel (where the demo's default, auto, picks the device
# file), else none: on Debian's kernel auto must find type1 by itself.
# USED is what the demo must say it used.
KERNEL=$(cat /etc/rig-kernel)
IOMMU=${RIG_IOMMU:-}
if [ -z "$IOMMU" ] && [ "$KERNEL" = iommufd ]; then
	IOMMU=type1
fi
IOMMU_OPT=${IOMMU:+--iommu $IOMMU}
USED=${IOMMU:-type1}

# demo ARGS...: the demo, as root or, if DEMO_USER is set, as that user
# (su keeps the caller's ulimits). The arguments hold no spaces.
demo() {
	if [ -n "${DEMO_USER:-}" ]; then
		su -s /bin/sh "$DEMO_USER" -c "revere-vfio-demo $*"
	else
		# shellcheck disable=SC2086 # IOMMU_OPT is two words or none
		revere-vfio-demo "$@"
	fi
}

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
	quiesced_line "$s"
}

# pass_if_quiesced CHECK: CHECK passes if the device is quiesced.
pass_if_quiesced() {
	why=$(not_quiesced)
	if [ -z "$why" ]; then
		pass "$1"
	else
		fail "$1" "$why"
	fi
}

# quiesced_line STATE: the same check on a revere_state line.
quiesced_line() {
	s=$1
	for f in amu_enabled bus_master ami_sw_enabled ami_hw_enabled \
		asn_count ami_sw_mapped ami_hw_mapped iommu_fault; do
		case " $s " in
		*" $f=0 "*) ;;
		*) echo "device not quiesced ($s)"; return ;;
		esac
	done
}

# demo_run CHECK PACKETS WORD [OPTIONS...]: runs the demo; why is empty
# if it exited 0, reported PACKETS messages "WORD and verified", left the
# device quiesced, and the device moved at least PACKETS messages (so it
# really ran here); otherwise why says what went wrong. --device alone:
# the demo finds the group in sysfs.
demo_run() {
	check=$1 packets=$2 word=$3
	shift 3
	# shellcheck disable=SC2086 # IOMMU_OPT is two words or none
	demo --device "$UUID" $IOMMU_OPT --timeout $DEMO_TIMEOUT_MS "$@" \
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
	elif ! grep -qF "step 2: opened $UUID via $OPEN_DEV (13b5:ff81, IOMMU $USED" "$OUT"; then
		why="no 'step 2: opened $UUID via $OPEN_DEV (13b5:ff81, IOMMU $USED...' line"
	else
		why=$(not_quiesced)
	fi
	if [ -z "$why" ]; then
		moved=$(state_field messages)
		[ "${moved:-0}" -ge "$packets" ] ||
			why="the device moved ${moved:-no} messages, fewer than $packets"
	fi
}

# demo_ok CHECK PACKETS WORD [OPTIONS...]: CHECK passes if demo_run finds
# nothing wrong.
demo_ok() {
	demo_run "$@"
	if [ -z "$why" ]; then
		pass "$1"
	else
		fail "$1" "$why"
	fi
}

# demo_irq CHECK MODE: `--wait MODE -v` for 10,000 messages, with MSI-X
# through the module's eventfds: demo_ok's checks, then the demo must have
# been woken by interrupts on both vectors, and the module must have
# signalled at least as many: its msix_signalled counts eventfd_signal()
# calls since the device was opened (and irqs the MSI-X messages the model
# sent, delivered or not). The device starts its work 10 ms after each
# access (the module's latency_us), longer than hybrid's spin (50 us), so
# the demo's look right after a doorbell finds nothing and it must sleep
# until the interrupt, in both modes: without it, a response could be there
# at the first look, and whether any wait happened on vector 0 (21
# management commands) would be a race with the module's kworker.
LATENCY=/sys/module/$MODNAME/parameters/latency_us
demo_irq() {
	check=$1 mode=$2
	if ! echo 10000 >"$LATENCY"; then
		fail "$check" "cannot write $LATENCY"
		return
	fi
	demo_run "$check" 10000 inverted --packets 10000 --wait "$mode" -v
	echo 0 >"$LATENCY"
	if [ -z "$why" ]; then
		w0=$(wakeups 0) w1=$(wakeups 1)
		sent=$(state_field msix_signalled)
		irqs=$(state_field irqs)
		echo "mdev: $check: demo wake-ups vector 0 ${w0:-?}, vector 1 ${w1:-?}; module msix_signalled ${sent:-?}, model irqs ${irqs:-?}"
		if [ -z "$w0" ] || [ -z "$w1" ]; then
			why="no 'MSI-X vector 0/1 (...): N wake-ups' lines from -v"
		elif [ "$w0" -eq 0 ] || [ "$w1" -eq 0 ]; then
			why="--wait $mode woke $w0 times on vector 0 and $w1 on vector 1: want both > 0"
		elif [ "${sent:-0}" -lt $((w0 + w1)) ]; then
			why="the module signalled ${sent:-no} MSI-X eventfds, fewer than the demo's $((w0 + w1)) wake-ups"
		elif [ "${irqs:-0}" -lt "$sent" ]; then
			why="the model sent ${irqs:-no} MSI-X messages, fewer than the module's $sent signals"
		fi
	fi
	if [ -z "$why" ]; then
		pass "$check"
	else
		fail "$check" "$why"
	fi
}

# The long run has reached its exchange (step 3 is printed just before
# it), or is gone.
# shellcheck disable=SC2317 # called through wait_until
exchanging() { grep -q '^step 3: ' "$OUT" 2>/dev/null || exited "$pid"; }

# Start a run long enough to be interrupted, in the background ($pid), and
# wait (bounded) until it exchanges. The files are emptied here, before
# the fork: the background child truncates them only when it gets to run,
# and until then the last run's 'step 3:' would pass for this one's (and
# a signal sent that early finds SIGINT still ignored, as POSIX has it for
# background commands, so the run would never stop).
start_long_run() {
	: >"$OUT"
	: >"$ERR"
	# The group file names the group for type1; the device file is found
	# from the device.
	group_opt=
	[ "$IOMMU" = iommufd ] || group_opt="--vfio-group $GROUP_DEV"
	# shellcheck disable=SC2086 # options of two words or none
	revere-vfio-demo $group_opt --device "$UUID" $IOMMU_OPT \
		--timeout $DEMO_TIMEOUT_MS --packets 1000000000 \
		>"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	wait_until "$WAIT_S" exchanging
}

# The long run overstayed: kill it, so that the device is free.
stop_long_run() {
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	cat "$OUT" "$ERR"
}

# A run interrupted by SIGINT during its exchange must exit 130, tear down
# and leave the device quiesced.
demo_sigint() {
	start_long_run
	started=no
	grep -q '^step 3: ' "$OUT" && started=yes
	kill -INT "$pid" 2>/dev/null
	if ! wait_until "$WAIT_S" exited "$pid"; then
		stop_long_run
		fail mdev-sigint "still running ${WAIT_S}s after SIGINT"
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
		pass_if_quiesced mdev-sigint
	fi
}

# The wide --timeout must not hide a device that stops: halted set in the
# middle of the exchange, the device starts no more work, and the demo must
# exit 1 with the exchange's timeout, not hang and not succeed. Teardown
# then finds the management interface silent too and resets the device,
# which leaves it at power-on.
HALTED=/sys/module/$MODNAME/parameters/halted
demo_halted() {
	start_long_run
	if ! grep -q '^step 3: ' "$OUT"; then
		stop_long_run
		fail mdev-halted "the exchange never started (no 'step 3:' line)"
		return
	fi
	if ! echo 1 >"$HALTED"; then
		stop_long_run
		fail mdev-halted "cannot write $HALTED"
		return
	fi
	t0=$(date +%s)
	# The exchange's wait, then teardown's first command's: two timeouts.
	if ! wait_until "$WAIT_S" exited "$pid"; then
		echo 0 >"$HALTED"
		stop_long_run
		fail mdev-halted "still running ${WAIT_S}s after the device stopped"
		return
	fi
	echo 0 >"$HALTED"
	wait "$pid"
	st=$?
	cat "$OUT" "$ERR"
	echo "mdev: the demo exited $st $(seconds_since "$t0")s after the device stopped; revere_state: $(state)"
	if [ "$st" -ne 1 ]; then
		fail mdev-halted "exited $st on a device that stopped, want 1: $(head -n 1 "$ERR")"
	elif ! grep -q "^revere-vfio-demo: exchange: no message for $DEMO_TIMEOUT_MS ms after [0-9]* of 1000000000 " "$ERR"; then
		fail mdev-halted "no 'exchange: no message for $DEMO_TIMEOUT_MS ms' error: $(head -n 1 "$ERR")"
	else
		pass_if_quiesced mdev-halted
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

# What a user must be given to drive the instance: its group file for
# type1 (/dev/vfio/vfio is open to all), its device file and /dev/iommu
# for iommufd.
user_files() {
	if [ "$IOMMU" = iommufd ]; then
		echo "$CDEV_DEV" /dev/iommu
	else
		echo "$GROUP_DEV"
	fi
}

# The demo as the unprivileged user "rig", given the instance's files by
# chown, with a memlock limit that holds the demo's DMA memory (64 MiB,
# as edu-nonroot).
demo_nonroot() {
	files=$(user_files)
	# shellcheck disable=SC2086 # a list of paths without spaces
	if ! chown rig:rig $files; then
		fail mdev-nonroot "cannot chown $files to rig"
		return
	fi
	(ulimit -l 65536 &&
		DEMO_USER=rig demo_ok mdev-nonroot 10000 inverted --packets 10000)
	# shellcheck disable=SC2086
	chown root:root $files
}

# The demo's default, --iommu auto, takes the device file where the kernel
# has the device files and iommufd (the iommufd kernel), the group file
# where it has not (Debian's); --json says which it took. On the iommufd
# kernel's second pass (RIG_IOMMU set) there is nothing new to see.
demo_auto() {
	[ -z "${RIG_IOMMU:-}" ] || return 0
	want=type1
	[ "$KERNEL" = iommufd ] && want=iommufd
	revere-vfio-demo --device "$UUID" --timeout $DEMO_TIMEOUT_MS --json \
		>"$OUT" 2>"$ERR" </dev/null
	st=$?
	cat "$OUT" "$ERR"
	if [ "$st" -ne 0 ]; then
		fail mdev-iommu-auto "revere-vfio-demo --json exited $st: $(head -n 1 "$ERR")"
	elif ! grep -q "\"iommu\": \"$want" "$OUT"; then
		fail mdev-iommu-auto "its --json does not say \"iommu\": \"$want\" on the $KERNEL kernel"
	else
		pass mdev-iommu-auto
	fi
}

# Create an instance of our type; prints its UUID, or why it failed.
create_instance() {
	u=$(cat /proc/sys/kernel/random/uuid)
	if ! echo "$u" >"$TYPE_DIR/create"; then
		echo "cannot create $u through $TYPE_DIR/create"
		return 1
	fi
	g=$(basename "$(readlink "/sys/bus/mdev/devices/$u/iommu_group")")
	if [ -z "$g" ] || [ ! -c "/dev/vfio/$g" ]; then
		echo "mdev $u has no IOMMU group file (group '$g')"
		return 1
	fi
	echo "$u"
}

# set_instance UUID: the instance the demo runs on; its group file, its
# device file if the kernel made one, and the one of them that IOMMU
# opens. Since 6.1 every VFIO device has vfio-dev/vfioN in sysfs; only
# with the device files (6.6, CONFIG_VFIO_DEVICE_CDEV) does it have a dev
# number there.
set_instance() {
	UUID=$1
	GROUP=$(basename "$(readlink "/sys/bus/mdev/devices/$UUID/iommu_group")")
	GROUP_DEV=/dev/vfio/$GROUP
	CDEV=
	for c in "/sys/bus/mdev/devices/$UUID"/vfio-dev/vfio*; do
		[ -e "$c/dev" ] && CDEV=${c##*/}
	done
	CDEV_DEV=${CDEV:+/dev/vfio/devices/$CDEV}
	OPEN_DEV=$GROUP_DEV
	[ "$IOMMU" = iommufd ] && OPEN_DEV=$CDEV_DEV
}

# The line the module logs when an instance is removed, with the state
# its last user left it in (revere_state is gone with the device).
removed_state() {
	dmesg | sed -n "s/.* $UUID: removed; revere_state: //p" | tail -n 1
}

# An instance removed while the demo runs on it (echo 1 > remove, as an
# administrator would): the kernel asks for the device back through the
# device request, and the remove waits until it is released. The demo
# must stop, tear down, release it and exit 1 naming the request; the
# remove must then complete, and the state left must be quiesced.
demo_request_remove() {
	if ! why=$(create_instance); then
		fail mdev-request-remove "$why"
		return
	fi
	set_instance "$why"
	start_long_run
	if ! grep -q '^step 3: ' "$OUT"; then
		stop_long_run
		fail mdev-request-remove "the exchange never started (no 'step 3:' line)"
		return
	fi
	ask_back "/sys/bus/mdev/devices/$UUID/remove" 1 "$pid"
	echo "mdev: the demo exited $ask_exit ${ask_secs}s after the remove began"
	cat "$OUT" "$ERR"
	left=$(removed_state)
	echo "mdev: state left at remove: $left"
	msg="^revere-vfio-demo: the kernel asked for $UUID back (VFIO device request): stopped after [0-9]* of 1000000000 messages and released it$"
	if [ "$ask_exit" = killed ]; then
		fail mdev-request-remove "the demo still held $UUID ${WAIT_S}s after the remove began"
	elif [ "$ask_exit" -ne 1 ]; then
		fail mdev-request-remove "the demo exited $ask_exit, want 1: $(head -n 1 "$ERR")"
	elif ! grep -q "$msg" "$ERR"; then
		fail mdev-request-remove "no 'the kernel asked for $UUID back (VFIO device request)' message"
	elif ! grep -q '^step 5: torn down$' "$OUT"; then
		fail mdev-request-remove "no clean 'step 5: torn down' line"
	elif [ "$ask_write" != 0 ]; then
		fail mdev-request-remove "the remove did not complete within ${WAIT_S}s (status '$ask_write')"
	elif [ -e "/sys/bus/mdev/devices/$UUID" ] || [ -e "$GROUP_DEV" ]; then
		fail mdev-request-remove "$UUID or $GROUP_DEV still exists after remove"
	elif [ -z "$left" ]; then
		fail mdev-request-remove "no 'removed; revere_state:' line for $UUID in the kernel log"
	else
		why=$(quiesced_line "$left")
		if [ -z "$why" ]; then
			pass mdev-request-remove
		else
			fail mdev-request-remove "at remove: $why"
		fi
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
if ! why=$(create_instance); then
	fail mdev-create "$why"
	exit 0
fi
set_instance "$why"
why=$(not_quiesced)
if [ -n "$why" ]; then
	fail mdev-create "a new instance is not at power-on: $why"
	exit 0
fi
pass mdev-create
echo "mdev: $UUID in IOMMU group $GROUP_DEV, $(state)"

# ---- One config space for every host ----
# Read through the device fd (from the group file, or the device file
# with iommufd), the mdev's config space must be the mock's byte for
# byte: both carry sim/rv_pci_cfg.c.
# shellcheck disable=SC2086 # IOMMU_OPT is two words or none
if ! cfg-dump $IOMMU_OPT "$OPEN_DEV" "$UUID" >/tmp/cfg-mdev 2>/tmp/cfg-err; then
	fail mdev-config-space "cfg-dump of the mdev failed: $(head -n 1 /tmp/cfg-err)"
elif ! cfg-dump --sim >/tmp/cfg-mock 2>/tmp/cfg-err; then
	fail mdev-config-space "cfg-dump --sim failed: $(head -n 1 /tmp/cfg-err)"
elif ! cmp -s /tmp/cfg-mdev /tmp/cfg-mock; then
	fail mdev-config-space "the mdev's config space differs from the mock's: $(diff /tmp/cfg-mdev /tmp/cfg-mock | grep '^[<>]' | head -n 2 | tr '\n' ' ')"
else
	pass mdev-config-space
	echo "mdev: config space, $(wc -l </tmp/cfg-mdev) rows of 16 bytes, the same as the mock's"
fi

# ---- --list and --check find the instance through sysfs ----
# Both name its device file too, which only a kernel with the VFIO device
# files makes (vfio-dev/vfioN; Debian 12's has none).
if [ -n "$CDEV" ]; then
	CDEV_WANT="device file $CDEV_DEV ("
else
	CDEV_WANT="no device file: "
fi
revere-vfio-demo --list >"$OUT" 2>"$ERR"
st=$?
cat "$OUT" "$ERR"
want="$UUID  mdev type $(basename "$(readlink "/sys/bus/mdev/devices/$UUID/mdev_type")"), driver "
if [ "$st" -ne 0 ]; then
	fail mdev-list "revere-vfio-demo --list exited $st, want 0"
elif ! grep "^$UUID " "$OUT" | grep -qF "$want"; then
	fail mdev-list "no line starting '$want'"
elif ! grep "^$UUID " "$OUT" | grep -qF ", group $GROUP, $GROUP_DEV ("; then
	fail mdev-list "the line of $UUID does not name group $GROUP and $GROUP_DEV"
elif ! grep "^$UUID " "$OUT" | grep -qF ", $CDEV_WANT"; then
	fail mdev-list "the line of $UUID does not say '$CDEV_WANT'"
else
	pass mdev-list
fi
if [ "$USED" = iommufd ]; then
	via="IOMMU group $GROUP, iommufd ($CDEV_DEV and /dev/iommu, this user can open them)"
else
	via="IOMMU group $GROUP ($GROUP_DEV, this user can open it)"
fi
# shellcheck disable=SC2086 # IOMMU_OPT is two words or none
revere-vfio-demo --check --device "$UUID" $IOMMU_OPT >"$OUT" 2>"$ERR"
st=$?
cat "$OUT" "$ERR"
if [ "$st" -ne 0 ]; then
	fail mdev-check "revere-vfio-demo --check exited $st: $(head -n 1 "$ERR")"
elif ! grep -qF "$UUID: ready: mdev " "$OUT" || ! grep -qF "$via" "$OUT"; then
	fail mdev-check "no '$UUID: ready: ... $via' line"
elif ! grep -qF "$UUID: $CDEV_WANT" "$OUT"; then
	fail mdev-check "no '$UUID: $CDEV_WANT' line"
else
	pass mdev-check
fi

# ---- The demo ----
demo_ok mdev-demo 42 inverted
demo_ok mdev-demo-10000 10000 inverted --packets 10000
demo_ok mdev-loopback 42 "looped back" --loopback
demo_irq mdev-irq irq
demo_irq mdev-hybrid-irq hybrid
demo_nonroot
demo_auto
demo_sigint
demo_halted
demo_sigkill

# ---- Remove the instance nobody holds, then one the demo holds ----
if ! echo 1 >"/sys/bus/mdev/devices/$UUID/remove"; then
	fail mdev-remove "cannot write /sys/bus/mdev/devices/$UUID/remove"
elif [ -e "/sys/bus/mdev/devices/$UUID" ] || [ -e "$GROUP_DEV" ]; then
	fail mdev-remove "$UUID or $GROUP_DEV still exists after remove"
else
	pass mdev-remove
fi
demo_request_remove

# ---- Unload the module ----
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
