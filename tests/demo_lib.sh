# Helpers for the demo's tests: run the built binary on --sim and report
# each check as a TAP line (automake's tap-driver.sh counts them).
# Sourced by tests/demo_*.sh; DEMO is the binary (set by tests/demo.mk).

: "${DEMO:?DEMO must name the revere-vfio-demo binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/revere-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
failures=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() {
	n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"
	# Show what the demo said, to debug from the test log alone.
	sed 's/^/#   out: /' "$tmp/out" 2>/dev/null | head -n 20
	sed 's/^/#   err: /' "$tmp/err" 2>/dev/null | head -n 20
}
finish() { echo "1..$n"; }
# check DESC COMMAND...: one check, passed if COMMAND succeeds.
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run_demo SIM_SPEC ARGS...: run the demo on --sim with REVERE_SIM=SIM_SPEC
# (report=1 always, so the mock prints its counters on exit); sets $status.
run_demo() {
	spec=$1; shift
	REVERE_SIM="report=1${spec:+,$spec}" "$DEMO" --sim "$@" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}

# The IOMMU backends (vfio_iommu_backends[] in vfio.c), the default first.
# Runs where the backend matters loop over them, as test_vfio.c's cases
# run once per variant: a backend is covered by adding its name here and
# its arguments to backend_args.
BACKENDS="type1 iommufd"

# backend_args NAME: the demo's arguments that choose IOMMU backend NAME.
# type1 is what --sim takes by default (--iommu auto), so it needs none;
# an unknown name fails the run rather than test the default under it.
backend_args() {
	case $1 in
	type1) ;;
	iommufd) echo "--iommu iommufd" ;;
	*) echo "demo_lib.sh: the demo cannot choose IOMMU backend $1" >&2
	   return 1 ;;
	esac
}

# backend_step2 NAME: what step 2 says of the file opened and the IOMMU on
# the mock, as a basic regular expression.
backend_step2() {
	case $1 in
	type1) echo 'via /dev/vfio/[0-9]* (13b5:ff81, IOMMU type1v2' ;;
	iommufd) echo 'via /dev/vfio/devices/vfio[0-9]* (13b5:ff81, IOMMU iommufd' ;;
	esac
}

# backend_map_op NAME: the ioctl that maps DMA on IOMMU backend NAME, as
# its messages name it.
backend_map_op() {
	case $1 in
	type1) echo VFIO_IOMMU_MAP_DMA ;;
	iommufd) echo IOMMU_IOAS_MAP ;;
	esac
}

# run_demo_on BACKEND SIM_SPEC ARGS...: run_demo on that IOMMU backend.
run_demo_on() {
	backend=$1; shift
	spec=$1; shift
	if ! args=$(backend_args "$backend"); then
		status=125
		return
	fi
	# Unquoted: each word of $args is an argument of its own.
	run_demo "$spec" $args "$@"
}

# report KEY: a value from the mock's last line "mock-vfio: key=value ...".
report() {
	sed -n 's/^mock-vfio: //p' "$tmp/err" | tr ' ' '\n' |
		sed -n "s/^$1=//p" | tail -n 1
}

# No fd, no DMA mapping (type1 or IOAS), no BAR mapping, no interrupt
# routed, no device bound to an iommufd left; then (quiesced) AMU off,
# bus mastering off.
released() {
	[ "$(report fds_open)" = 0 ] && [ "$(report dma_mappings)" = 0 ] &&
		[ "$(report bar_mmaps)" = 0 ] && [ "$(report irqs_routed)" = 0 ] &&
		[ "$(report ioas_mappings)" = 0 ] &&
		[ "$(report iommufd_bound)" = 0 ]
}
quiesced() {
	released && [ "$(report amu_enabled)" = 0 ] &&
		[ "$(report bus_master)" = 0 ] &&
		[ "$(report ami_sw_enabled)" = 0 ] &&
		[ "$(report ami_hw_enabled)" = 0 ]
}
# Everything undone, sessions and mappings too.
clean() {
	quiesced && [ "$(report asn_count)" = 0 ] &&
		[ "$(report ami_sw_mapped)" = 0 ] &&
		[ "$(report ami_hw_mapped)" = 0 ]
}

# step4_ms: the exchange's time from the step 4 line ("in 12.345 ms: ..."
# or "in 1.234 s: ..."), in whole milliseconds; nothing without the line.
step4_ms() {
	sed -n 's/^step 4: .* verified in \([0-9.]*\) \(m*s\): .*/\1 \2/p' "$tmp/out" |
		awk '{ printf "%d\n", $2 == "s" ? $1 * 1000 : $1 }'
}

# until_exchanging PID: wait until the demo running in the background as
# PID has printed step 3, just before its exchange; 1 if it exited first,
# or after a minute (a bound only a hang reaches). Empty $tmp/out before
# starting it: the last run's 'step 3:' must not pass for this one's.
until_exchanging() {
	until_end=$(($(date +%s) + 60))
	until grep -q '^step 3: ' "$tmp/out" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null && [ "$(date +%s)" -lt $until_end ] ||
			return 1
		sleep 0.01
	done
}

# Error lines: the demo's own, prefixed with its name.
errors() { grep -c '^revere-vfio-demo: ' "$tmp/err"; }
has_error() { grep -q "^revere-vfio-demo: .*$1" "$tmp/err"; }

# expect DESC STATUS: the run exited with STATUS.
expect_status() {
	if [ "$status" = "$2" ]; then ok "$1: exit $2"; else not_ok "$1: exit $status, expected $2"; fi
}
expect() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# vfu_start NAME ARGS...: revere-vfio-user-server ($SERVER) on
# $tmp/NAME.sock (log $tmp/NAME.log, pid in $pid_NAME), up once its socket
# exists (a bound only a broken server reaches); vfu_stop NAME ends it.
vfu_start() {
	name=$1
	shift
	rm -f "$tmp/$name.sock"
	"$SERVER" --socket "$tmp/$name.sock" "$@" 2>"$tmp/$name.log" </dev/null &
	eval "pid_$name=$!"
	end=$(($(date +%s) + 60))
	until [ -S "$tmp/$name.sock" ] || [ "$(date +%s)" -ge $end ]; do
		sleep 0.01
	done
}

vfu_stop() {
	eval "kill \$pid_$1; wait \$pid_$1"
}
