#!/bin/sh
# The manual page: it renders with man -l without a warning, and documents
# every option --help prints (so the two cannot drift), the version, the
# exit statuses and the bug-report address.
. "${srcdir:-.}/tests/demo_lib.sh"

page=$srcdir/doc/revere-vfio-demo.1
config_h=$(dirname "$DEMO")/config.h

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	not_ok "man and groff are needed: apt-get install man-db"
	finish
	exit 0
fi

# ASCII rendering at 80 columns, as a terminal shows it.
render() { LC_ALL=C MANWIDTH=80 man -l "$@" "$page"; }
render >"$tmp/man" 2>"$tmp/err"; status=$?
expect_status "man -l" 0
expect "man -l: nothing on stderr" test ! -s "$tmp/err"
render --warnings >/dev/null 2>"$tmp/err"
expect "man -l --warnings: no warning" test ! -s "$tmp/err"
LC_ALL=C groff -ww -z -man "$page" 2>"$tmp/err"
expect "groff -ww: no warning" test ! -s "$tmp/err"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' ENVIRONMENT FILES BUGS 'SEE ALSO'; do
	expect "section $section" grep -qx "$section" "$tmp/man"
done

# The OPTIONS section, and the options it documents: the tag lines of its
# paragraphs, such as "       -v, --verbose" or "       --device NAME".
sed -n '/^OPTIONS$/,/^[A-Z]/p' "$tmp/man" >"$tmp/options"
# missing_options HELP: the options HELP mentions that OPTIONS does not
# document, one a line.
missing_options() {
	grep -oE -- '(^|[^a-z-])--?[a-z][a-z-]*' "$1" | sed 's/^[^-]*//' |
		sort -u | while read -r opt; do
		grep -qE -- "^       (-[a-z], )?$opt(,| |\$)" "$tmp/options" ||
			echo "$opt"
	done
}
"$DEMO" --help >"$tmp/help"
missing_options "$tmp/help" >"$tmp/missing"
expect "every option of --help is in the man page (missing: $(echo $(cat "$tmp/missing")))" \
	test ! -s "$tmp/missing"
expect "--help names options" test "$(grep -c -- '--' "$tmp/help")" -gt 5
# The check itself: an option added to --help alone is caught.
{ cat "$tmp/help"; echo "  --frobnicate N     a new option"; echo "  -z        short"; } >"$tmp/help2"
expect "an option in --help only is caught" \
	test "$(echo $(missing_options "$tmp/help2"))" = "--frobnicate -z"

version=$("$DEMO" --version | sed -n '1s/^revere-vfio-demo //p')
expect "the page's version is the program's ($version)" \
	grep -q "^\\.TH REVERE-VFIO-DEMO 1 [0-9]* \"revere-vfio-demo $version\" " "$page"
expect "the footer shows the version" grep -q "^revere-vfio-demo $version  " "$tmp/man"

# EXIT STATUS: every status the program has.
sed -n '/^EXIT STATUS$/,/^[A-Z]/p' "$tmp/man" >"$tmp/exit"
for s in 0 1 2 '128\+N'; do
	expect "EXIT STATUS: $s" grep -qE "^       $s( |\$)" "$tmp/exit"
done

bugs=$(sed -n 's/^#define PACKAGE_BUGREPORT "\(.*\)"$/\1/p' "$config_h")
expect "AC_INIT has a bug-report address" test -n "$bugs"
expect "BUGS gives the bug-report address ($bugs)" \
	sh -c "sed -n '/^BUGS\$/,/^[A-Z]/p' '$tmp/man' | grep -qF '<$bugs>'"
for f in /dev/vfio/vfio /dev/vfio/N /sys/bus/pci/devices/\*/iommu_group; do
	expect "FILES: $f" grep -qxF "       $f" "$tmp/man"
done
expect "ENVIRONMENT: REVERE_SIM" grep -qx '       REVERE_SIM' "$tmp/man"

finish
