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

pass() { echo "RIG-RESULT: $1 PASS"; }
fail() { echo "RIG-RESULT: $1 FAIL $2"; }

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
