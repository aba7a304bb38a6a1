# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers for the guest scripts, which source it: . /tests/lib.sh
# (rig.sh copies it there; /init runs only the NN-*.sh files).
#
# The guest runs under TCG, on a host that may be busy with other work:
# a step that takes a second on an idle machine can take a minute on a
# loaded one. So a script never sleeps a fixed time for something to
# happen: it waits for the condition, up to a bound that only a real hang
# reaches. The bound is wall-clock time, not a count of polls (a poll
# itself slows down under load).

# RIG_PREFIX names the checks of a script run a second time with other
# settings (30-iommufd-mdev.sh runs 20-revere-mdev.sh with "iommufd-").
pass() { echo "RIG-RESULT: ${RIG_PREFIX:-}$1 PASS"; }
fail() { echo "RIG-RESULT: ${RIG_PREFIX:-}$1 FAIL $2"; }

# Seconds any single wait may last: minutes, not seconds. The scripts'
# own timeout (RIG_SCRIPT_TIMEOUT, default 600 s) allows several.
# shellcheck disable=SC2034 # used by the scripts that source this
WAIT_S=120

# wait_until SECONDS CMD...: run CMD (a command or a shell function) every
# 0.1 s until it succeeds (return 0) or SECONDS have gone by (return 1).
wait_until() {
	wait_limit=$1
	shift
	wait_end=$(($(date +%s) + wait_limit))
	until "$@"; do
		[ "$(date +%s)" -lt "$wait_end" ] || return 1
		sleep 0.1
	done
}

# exited PID: the process is gone (the shell reaps its children).
exited() { ! kill -0 "$1" 2>/dev/null; }

# seconds_since T0: whole seconds since T0 (from date +%s).
seconds_since() { echo $(($(date +%s) - $1)); }

# ask_back FILE VALUE PID: write VALUE to FILE (an unbind, an mdev remove)
# in the background while PID holds the device: the kernel asks PID for it
# through the device request, and the write returns once PID released it.
# Waits (bounded) for PID to exit, then for the write. Sets
#   ask_exit   PID's exit status, or "killed" if it still held the device
#              after WAIT_S seconds (it is killed so the write can finish)
#   ask_secs   seconds from the write to PID's exit
#   ask_write  0 if the write completed, 1 if it failed, empty if blocked
ask_back() {
	ask_st=/tmp/ask-back.st
	rm -f "$ask_st"
	ask_t0=$(date +%s)
	(if echo "$2" >"$1"; then echo 0; else echo 1; fi >"$ask_st") &
	ask_bg=$!
	ask_exit=
	if ! wait_until "$WAIT_S" exited "$3"; then
		kill -KILL "$3" 2>/dev/null
		ask_exit=killed
	fi
	wait "$3"
	ask_pid_st=$?
	ask_exit=${ask_exit:-$ask_pid_st}
	# shellcheck disable=SC2034 # for the caller's messages
	ask_secs=$(seconds_since "$ask_t0")
	wait_until "$WAIT_S" ask_written
	ask_write=$(cat "$ask_st" 2>/dev/null)
	if [ -n "$ask_write" ]; then
		wait "$ask_bg"
	fi
}

# shellcheck disable=SC2317 # called through wait_until
ask_written() { [ -s "$ask_st" ]; }

# list_check CHECK PREFIX REGEX: `revere-vfio-demo --list` exits 0 and
# prints a line that starts with PREFIX (a fixed string) and one that
# matches REGEX; its output is left in $OUT.
list_check() {
	revere-vfio-demo --list >"$OUT" 2>&1
	st=$?
	cat "$OUT"
	if [ "$st" -ne 0 ]; then
		fail "$1" "revere-vfio-demo --list exited $st, want 0"
	elif ! cut -c "1-${#2}" "$OUT" | grep -qxF "$2"; then
		fail "$1" "no line starting '$2'"
	elif ! grep -q "$3" "$OUT"; then
		fail "$1" "no line matching '$3'"
	else
		pass "$1"
	fi
}

# ---- edu (10-edu.sh, 25-edu-iommufd.sh) ----

EDU_ID=1234:11e8

# The first FAIL line of edu-test's output in $OUT, for the result line.
first_fail() { grep -m 1 'FAIL' "$OUT" | sed 's/^edu-test: FAIL //'; }

# Prints edu's PCI address.
find_edu() {
	for d in /sys/bus/pci/devices/*; do
		v=$(cat "$d/vendor") || continue
		p=$(cat "$d/device") || continue
		if [ "${v#0x}:${p#0x}" = "$EDU_ID" ]; then
			echo "${d##*/}"
			return 0
		fi
	done
	return 1
}

# dmar_faults: the DMAR write faults from edu ($BDF) at IOVA 0x200000
# (IOVA_DST of edu_test.c, its dma-blocked check) in the kernel log so far.
dmar_faults() {
	dmesg | grep 'DMAR: \[DMA Write' | grep "\[${BDF#0000:}\]" |
		grep -c 'fault addr 0x200000'
}

# shellcheck disable=SC2317,SC2154 # called through wait_until; $faults
# is the caller's
# new_dmar_fault: more of them than $faults, counted before edu-test ran.
# The IOMMU reports the fault by an interrupt, which may come after
# edu-test has gone on or exited: wait_until it.
new_dmar_fault() { [ "$(dmar_faults)" -gt "$faults" ]; }

# driver_of BDF: the name of the driver bound to the device, or nothing.
driver_of() {
	d=$(readlink "/sys/bus/pci/devices/$1/driver") && echo "${d##*/}"
}

# run_as USER CMD...: as USER, with the shell's current limits (su keeps
# them), like a user's login shell would.
run_as() {
	user=$1
	shift
	su -s /bin/sh "$user" -c "$*"
}

# shellcheck disable=SC2317 # called through wait_until
# edu-test --hold has routed the device request and holds edu, or is gone.
holding() { grep -q '^edu-test: holding' "$OUT" || exited "$pid"; }

# Unbinding a device from vfio-pci while a user holds it makes the kernel
# ask for it back through the device request (vfio_pci_core_request())
# and wait until the user closes it. edu-test holds edu with the request
# routed: it must release edu when asked, and the unbind then complete.
#
# edu_request_unbind CHECK PATH [EDU-TEST-OPTIONS...]: edu at $BDF, opened
# through PATH; $OUT is edu-test's output.
edu_request_unbind() {
	check=$1 path=$2
	shift 2
	why=
	: >"$OUT"	# not the last run's lines, while the child starts
	edu-test "$@" --hold "$path" "$BDF" >"$OUT" 2>&1 </dev/null &
	pid=$!
	wait_until "$WAIT_S" holding
	if ! grep -q '^edu-test: holding' "$OUT"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		cat "$OUT"
		fail "$check" "edu-test never held $BDF: $(first_fail)"
		return
	fi
	ask_back "/sys/bus/pci/devices/$BDF/driver/unbind" "$BDF" "$pid"
	echo "edu: edu-test exited $ask_exit ${ask_secs}s after the unbind began"
	cat "$OUT"
	drv=$(driver_of "$BDF")
	if [ "$ask_exit" = killed ]; then
		why="edu-test still held $BDF ${WAIT_S}s after the unbind began"
	elif [ "$ask_exit" -ne 0 ]; then
		why="edu-test --hold exited $ask_exit: $(first_fail)"
	elif ! grep -q '^edu-test: PASS request' "$OUT" ||
		! grep -q '^edu-test: PASS close' "$OUT"; then
		why="no 'PASS request' and 'PASS close' from edu-test --hold"
	elif [ "$ask_write" != 0 ]; then
		why="the unbind did not complete within ${WAIT_S}s (status '$ask_write')"
	elif [ -n "$drv" ]; then
		why="$BDF still bound to $drv after the unbind"
	fi
	if [ -z "$why" ]; then
		pass "$check"
	else
		fail "$check" "$why"
	fi
	# Give edu back to vfio-pci (its driver_override still says so).
	echo "$BDF" >/sys/bus/pci/drivers_probe
	echo "edu: $BDF bound to $(driver_of "$BDF") again"
}

# wakeups VECTOR: the wake-ups the demo's -v output (in $OUT and $ERR)
# counts on MSI-X vector VECTOR.
wakeups() {
	sed -n "s/^.*MSI-X vector $1 ([^)]*): \([0-9]*\) wake-ups, [0-9]* with nothing new$/\1/p" \
		"$OUT" "$ERR" | tail -n 1
}
