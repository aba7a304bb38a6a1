#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# A QEMU with the vfio-user client (-device vfio-user-pci) for the rig:
# Debian's qemu-system-x86 from trixie-backports (Debian 12's QEMU 7.2 has
# no vfio-user client), with every package it depends on, unpacked with
# dpkg -x into a private tree in a cache outside the build tree, and a
# launcher script that runs it there. Nothing is installed on the host and
# the machine's own apt configuration is not changed.
#
# Usage: qemu-tree.sh
# Prints the launcher's path on stdout, CACHE/VERSION-KEY/qemu-system-x86_64:
# it takes qemu-system-x86_64's arguments, all passed through. Says on
# stderr what it did and how long it took.
#
# Why a launcher: that QEMU needs trixie's libc, newer than Debian 12's, so
# it runs through the tree's own dynamic loader with the tree's library
# directories. QEMU then takes the loader's directory for its own (it reads
# /proc/self/exe); the tree has there a symlink "qemu-bundle" to its root,
# QEMU's own way (util/cutils.c, get_relocated_path()) to find its modules,
# firmware and data relative to itself: so it loads the tree's modules, not
# Debian 12's in /usr/lib/x86_64-linux-gnu/qemu (a module of another build
# aborts it), and the tree's BIOS and option ROMs.
#
# Environment:
#   RIG_QEMU_CACHE  the cache (default /var/cache/revere-vfio-demo/qemu as
#                   root, else ${XDG_CACHE_HOME:-~/.cache}/revere-vfio-demo/
#                   qemu); remove it to fetch everything again.
#   CI=true         a failure to fetch is fatal (exit 1), not a skip (77).

set -eu

PKG=qemu-system-x86
# The firmware QEMU loads on a PC (SeaBIOS, the VGA BIOS, iPXE's option
# ROMs) is in these: qemu-system-x86 only recommends some of them.
DATA_PKGS="qemu-system-data seabios ipxe-qemu"
SUITE=trixie-backports
BASE=trixie
LAUNCHER=qemu-system-x86_64

T0=$(date +%s)
say() { echo "qemu tree: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
skip() {
	[ "${CI:-}" = true ] && die "$*"
	say "SKIPPED: $*"
	exit 77
}

if is_root; then
	CACHE=${RIG_QEMU_CACHE:-/var/cache/revere-vfio-demo/qemu}
else
	CACHE=${RIG_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/revere-vfio-demo/qemu}
fi
APT=$CACHE/apt

# A private apt configuration for trixie and trixie-backports, on the mirror
# this machine already uses for bookworm. Its own sources, lists, package
# cache and pins, and an empty dpkg status: apt resolves the whole
# dependency closure, as for a machine with nothing installed, since the
# tree must not take anything from the host's bookworm. apt's binary cache
# of the lists is kept (some images' apt configuration turns it off):
# without it every look-up parses trixie's lists again (~2 s).
# private_apt apt-get|apt-cache ARGS...
private_apt() {
	cmd=$1; shift
	"$cmd" -q -o Dir::Etc::SourceList="$APT/sources.list" \
		-o Dir::Etc::SourceParts="$APT/empty" \
		-o Dir::Etc::Preferences="$APT/empty/none" \
		-o Dir::Etc::PreferencesParts="$APT/empty" \
		-o Dir::State="$APT/state" \
		-o Dir::State::Lists="$APT/lists" \
		-o Dir::State::Status="$APT/status" \
		-o Dir::Cache="$APT/cache" -o Dir::Cache::pkgcache=pkgcache.bin \
		-o Dir::Cache::Archives="$APT/archives" \
		-o APT::Architectures=amd64 \
		-o APT::Default-Release="$SUITE" "$@"
}

apt_update() {
	say "apt-get update ($BASE, $SUITE; private lists in $APT)"
	# --error-on=any: a list that failed to download is a failure, not
	# the warning it is by default.
	if private_apt apt-get update --error-on=any >"$APT/update.log" 2>&1; then
		date >"$APT/updated"
		return 0
	fi
	grep '^[EW]:' "$APT/update.log" | sed 's/^/  /' >&2
	return 1
}

setup_apt() {
	mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/cache" \
		"$APT/state" "$APT/empty"
	[ -f "$APT/status" ] || : >"$APT/status"
	# Once a day, as kbuild.sh does; old lists serve if the mirror fails.
	if [ -s "$APT/updated" ] && [ -s "$APT/sources.list" ] &&
		[ -z "$(find "$APT/updated" -mmin +1440)" ]; then
		return 0
	fi
	# shellcheck disable=SC2016 # apt's format, not the shell's
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 == "bookworm" { print $1; exit }')
	[ -n "$uri" ] || skip "no bookworm entry in this machine's apt sources to take the mirror from"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$APT/sources.list" <<-EOF
	deb [signed-by=$key] $uri $BASE main
	deb [signed-by=$key] $uri $SUITE main
	EOF
	apt_update || [ -s "$APT/updated" ] ||
		skip "apt-get update of $BASE and $SUITE failed"
}

# The version of $PKG in $SUITE, such as 1:11.1.3+ds-2~bpo13+1.
pkg_version() {
	private_apt apt-cache madison "$PKG" 2>/dev/null |
		awk -F' *[|] *' -v s="$SUITE" '$3 ~ " " s "/" { print $2; exit }'
}

# The packages to fetch, as NAME=VERSION, one a line: $PKG from $SUITE and
# the data packages, with everything they depend on (not what they only
# recommend), for a machine with nothing installed.
closure() {
	# shellcheck disable=SC2086
	private_apt apt-get install -s --no-install-recommends \
		"$PKG=$1" $DATA_PKGS 2>"$2" |
		sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p'
}

# The launcher: the tree's loader, the tree's libraries first and no
# ld.so.cache (which lists the host's), QEMU's arguments passed through.
# -L names the tree's firmware directories before the ones QEMU finds
# itself (the same, through qemu-bundle). It finds the tree beside itself,
# so renaming the cache directory keeps it working.
write_launcher() {
	cat >"$1" <<-'EOF'
	#!/bin/sh
	# Written by tests/kernel/qemu-tree.sh: Debian's QEMU from the private
	# tree beside this script, through the tree's dynamic loader.
	d=$(cd "$(dirname "$0")" && pwd -P)
	t=$d/tree
	lib=$t/usr/lib/x86_64-linux-gnu
	unset LD_PRELOAD
	exec "$lib/ld-linux-x86-64.so.2" --inhibit-cache \
		--library-path "$lib:$t/usr/lib" \
		"$t/usr/bin/qemu-system-x86_64" \
		-L "$t/usr/share/qemu" -L "$t/usr/share/seabios" "$@"
	EOF
	chmod 755 "$1"
}

# check DIR: the tree in DIR runs, has the vfio-user client, and takes
# neither a library nor a data directory from the host.
check() {
	run=$1/$LAUNCHER tree=$1/tree
	lib=$tree/usr/lib/x86_64-linux-gnu
	[ -x "$lib/ld-linux-x86-64.so.2" ] || die "no dynamic loader in $tree"
	[ -f "$tree/usr/share/seabios/bios-256k.bin" ] || die "no SeaBIOS in $tree"
	host=$("$lib/ld-linux-x86-64.so.2" --inhibit-cache \
		--library-path "$lib:$tree/usr/lib" --list \
		"$tree/usr/bin/qemu-system-x86_64" 2>&1 |
		awk -v t="$tree/" '/=>/ && index($3, t) != 1 && $1 !~ /^linux-vdso/')
	[ -z "$host" ] || die "libraries not found in the tree: $host"
	v=$("$run" --version 2>&1 | head -n 1)
	case $v in
	"QEMU emulator version "*) say "$v" ;;
	*) die "$run --version: $v" ;;
	esac
	"$run" -device help 2>&1 | grep -q '^name "vfio-user-pci"' ||
		die "$run -device help lists no vfio-user-pci"
	host=$("$run" -L help 2>&1 | awk -v t="$tree/" 'index($0, t) != 1')
	[ -z "$host" ] || die "data directories outside the tree: $host"
}

# resolve: VER, the version of $PKG in $SUITE now, and DIR, its tree's
# directory in the cache, keyed by the version (without its epoch) and by
# this script, which writes the launcher and the tree's layout.
resolve() {
	VER=$(pkg_version)
	[ -n "$VER" ] || skip "no $PKG in $SUITE on this mirror"
	DIR=$CACHE/${VER#*:}-$(sha256sum <"$0" | cut -c1-8)
}

# download TMP: the packages of $PKG $VER into TMP/debs, their list in
# TMP/packages. Returns 1 if apt-get download fails (then the caller
# updates the lists: that version may be gone from the mirror).
download() {
	rm -rf "$1"
	mkdir -p "$1/debs"
	closure "$VER" "$1/closure.err" >"$1/packages"
	if [ ! -s "$1/packages" ]; then
		cat "$1/closure.err" >&2
		die "apt resolved nothing for $PKG=$VER"
	fi
	say "apt-get download $PKG $VER and $(($(wc -l <"$1/packages") - 1)) packages it needs"
	# As root, apt's sandbox user may not write into TMP: it downloads
	# as root and warns, which is harmless.
	# shellcheck disable=SC2046 # one NAME=VERSION a line
	if ! (cd "$1/debs" && private_apt apt-get download $(cat ../packages)) \
		>"$1/download.log" 2>&1; then
		grep '^[EW]:' "$1/download.log" | grep -v unsandboxed |
			tail -n 5 | sed 's/^/  /' >&2
		return 1
	fi
}

# build TMP: the tree from TMP/debs, the launcher, the checks; then TMP
# becomes DIR.
build() {
	tmp=$1
	mb=$(du -sm "$tmp/debs" | cut -f1)
	mkdir -p "$tmp/tree"
	for deb in "$tmp"/debs/*.deb; do
		dpkg -x "$deb" "$tmp/tree" || die "dpkg -x $deb failed"
	done
	rm -rf "$tmp/debs"
	ln -s ../../.. "$tmp/tree/usr/lib/x86_64-linux-gnu/qemu-bundle"
	echo "$VER" >"$tmp/version"
	write_launcher "$tmp/$LAUNCHER"
	check "$tmp"
	say "$(wc -l <"$tmp/packages") packages, $mb MB fetched, $(du -sm "$tmp/tree" | cut -f1) MB unpacked"
	# Complete: only now does it get the name a later run looks for.
	rm -rf "$DIR"
	mv "$tmp" "$DIR"
}

main() {
	for tool in apt-get apt-cache dpkg sha256sum flock; do
		command -v "$tool" >/dev/null || skip "$tool not found"
	done
	[ "$(dpkg --print-architecture)" = amd64 ] ||
		skip "the tree is Debian's amd64 QEMU; this is $(dpkg --print-architecture)"
	mkdir -p "$CACHE" || skip "cannot create $CACHE"
	# One run at a time: the lock makes the leftovers of an interrupted
	# run (.tmp.PID) safe to remove.
	exec 9>"$CACHE/.lock"
	flock 9
	rm -rf "$CACHE"/.tmp.*
	setup_apt
	resolve
	tmp=$CACHE/.tmp.$$
	if [ ! -x "$DIR/$LAUNCHER" ] && ! download "$tmp"; then
		apt_update || { rm -rf "$tmp"
			skip "apt-get download of $PKG $VER failed, and apt-get update too"; }
		resolve
		if [ ! -x "$DIR/$LAUNCHER" ] && ! download "$tmp"; then
			rm -rf "$tmp"
			skip "apt-get download of $PKG $VER and its dependencies failed"
		fi
	fi
	if [ -x "$DIR/$LAUNCHER" ]; then
		rm -rf "$tmp"
		say "cached: $PKG $VER in $DIR ($(($(date +%s) - T0)) s)"
	else
		build "$tmp"
		say "fetched $PKG $VER in $(($(date +%s) - T0)) s, kept in $DIR"
	fi
	echo "$DIR/$LAUNCHER"
}

main
