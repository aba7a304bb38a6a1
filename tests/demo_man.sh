#!/bin/sh
# The manual pages of the programs: each renders with man -l without a
# warning, and documents every option its program's --help prints (so the
# two cannot drift), the version, the exit statuses and the bug-report
# address.
. "${srcdir:-.}/tests/demo_lib.sh"

: "${BIND:?BIND must name the revere-vfio-bind binary}"
config_h=$(dirname "$DEMO")/config.h

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	not_ok "man and groff are needed: apt-get install man-db"
	finish
	exit 0
fi

# ASCII rendering at 80 columns, as a terminal shows it.
render() { LC_ALL=C MANWIDTH=80 man -l "$@" "$page"; }

# missing_options HELP: the options HELP mentions that the page's OPTIONS
# section does not document (the tag lines of its paragraphs, such as
# "       -v, --verbose" or "       --device NAME"), one a line.
missing_options() {
	grep -oE -- '(^|[^a-z-])--?[a-z][a-z-]*' "$1" | sed 's/^[^-]*//' |
		sort -u | while read -r opt; do
		grep -qE -- "^       (-[a-z], )?$opt(,| |\$)" "$tmp/options" ||
			echo "$opt"
	done
}

bugs=$(sed -n 's/^#define PACKAGE_BUGREPORT "\(.*\)"$/\1/p' "$config_h")
expect "AC_INIT has a bug-report address" test -n "$bugs"

# check_page PROG BINARY STATUS...: what every page must do; leaves the
# rendering in $tmp/man for the checks of the page's own.
check_page() {
	prog=$1 bin=$2
	shift 2
	page=$srcdir/doc/$prog.1
	title=$(echo "$prog" | tr 'a-z' 'A-Z')
	render >"$tmp/man" 2>"$tmp/err"; status=$?
	expect_status "$prog: man -l" 0
	expect "$prog: man -l: nothing on stderr" test ! -s "$tmp/err"
	render --warnings >/dev/null 2>"$tmp/err"
	expect "$prog: man -l --warnings: no warning" test ! -s "$tmp/err"
	LC_ALL=C groff -ww -z -man "$page" 2>"$tmp/err"
	expect "$prog: groff -ww: no warning" test ! -s "$tmp/err"
	for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' ENVIRONMENT FILES BUGS 'SEE ALSO'; do
		expect "$prog: section $section" grep -qx "$section" "$tmp/man"
	done

	sed -n '/^OPTIONS$/,/^[A-Z]/p' "$tmp/man" >"$tmp/options"
	"$bin" --help >"$tmp/help"
	missing_options "$tmp/help" >"$tmp/missing"
	expect "$prog: every option of --help is in the man page (missing: $(echo $(cat "$tmp/missing")))" \
		test ! -s "$tmp/missing"
	expect "$prog: --help names options" test "$(grep -c -- '--' "$tmp/help")" -gt 3
	# The check itself: an option added to --help alone is caught.
	{ cat "$tmp/help"; echo "  --frobnicate N     a new option"; echo "  -z        short"; } >"$tmp/help2"
	expect "$prog: an option in --help only is caught" \
		test "$(echo $(missing_options "$tmp/help2"))" = "--frobnicate -z"

	version=$("$bin" --version | sed -n "1s/^$prog //p")
	expect "$prog: the page's version is the program's ($version)" \
		grep -q "^\\.TH $title 1 [0-9]* \"revere-vfio-demo $version\" " "$page"
	expect "$prog: the footer shows the version" \
		grep -q "^revere-vfio-demo $version  " "$tmp/man"

	# EXIT STATUS: every status the program has.
	sed -n '/^EXIT STATUS$/,/^[A-Z]/p' "$tmp/man" >"$tmp/exit"
	for s in "$@"; do
		expect "$prog: EXIT STATUS: $s" grep -qE "^       $s( |\$)" "$tmp/exit"
	done
	expect "$prog: BUGS gives the bug-report address ($bugs)" \
		sh -c "sed -n '/^BUGS\$/,/^[A-Z]/p' '$tmp/man' | grep -qF '<$bugs>'"
}

check_page revere-vfio-demo "$DEMO" 0 1 2 '128\+N'
for f in /dev/vfio/vfio /dev/vfio/N /sys/bus/pci/devices/\*/iommu_group; do
	expect "revere-vfio-demo: FILES: $f" grep -qxF "       $f" "$tmp/man"
done
expect "revere-vfio-demo: ENVIRONMENT: REVERE_SIM" grep -qx '       REVERE_SIM' "$tmp/man"

check_page revere-vfio-bind "$BIND" 0 1 2
for f in /sys/bus/pci/devices/\*/driver_override /sys/bus/pci/drivers_probe; do
	expect "revere-vfio-bind: FILES: $f" grep -qxF "       $f" "$tmp/man"
done
expect "revere-vfio-bind: ENVIRONMENT: REVERE_MODPROBE" grep -qx '       REVERE_MODPROBE' "$tmp/man"

: "${SERVER:?SERVER must name the revere-vfio-user-server binary}"
check_page revere-vfio-user-server "$SERVER" 0 1 2

finish
