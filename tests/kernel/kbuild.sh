#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The rig's second kernel, one with iommufd and the VFIO device files:
# Debian's linux-source-6.12 (bookworm-backports; no Debian kernel package
# enables CONFIG_IOMMUFD), configured from tinyconfig and the fragments
# tests/kernel/iommufd-*.fragment, built once and kept in a cache outside
# the build tree. The cache is keyed by the source package's version and
# the hash of the fragments and of this script, so a second run does not
# rebuild, and a change to either builds anew.
#
# Usage: kbuild.sh SRCDIR
# Prints the kernel's directory on stdout: bzImage, release (the uname -r),
# modules/ (modules_install's tree) and build/ (for out-of-tree modules).
# Says on stderr what it did and how long the build took.
#
# Environment:
#   RIG_KERNEL_CACHE  the cache (default /var/cache/revere-vfio-demo/kernel
#                     as root, else ${XDG_CACHE_HOME:-~/.cache}/revere-vfio-
#                     demo/kernel); remove it to rebuild everything.
#   CI=true           a missing package is a failure, not a skip (exit 77).

set -eu

SRCDIR=$(cd "${1:?usage: kbuild.sh SRCDIR}" && pwd)
PKG=linux-source-6.12
SUITE=bookworm-backports
FRAGMENTS="$SRCDIR/tests/kernel/iommufd-base.fragment $SRCDIR/tests/kernel/iommufd-vfio.fragment"
# What the build needs beyond build-essential.
BUILD_DEPS="bc bison flex libelf-dev libssl-dev cpio xz-utils kmod dwarves"

say() { echo "kernel build: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
skip() {
	[ "${CI:-}" = true ] && die "$*"
	say "SKIPPED: $*"
	exit 77
}

if is_root; then
	CACHE=${RIG_KERNEL_CACHE:-/var/cache/revere-vfio-demo/kernel}
else
	CACHE=${RIG_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/revere-vfio-demo/kernel}
fi
APT=$CACHE/apt

# A private apt configuration for the backports suite, on the mirror this
# machine already uses for bookworm: the machine's own /etc/apt is never
# changed, and no mirror is named here.
# private_apt apt-get|apt-cache ARGS...
private_apt() {
	cmd=$1; shift
	"$cmd" -q -o Dir::Etc::SourceList="$APT/sources.list" \
		-o Dir::Etc::SourceParts=- -o Dir::State::Lists="$APT/lists" \
		-o Dir::Cache::Archives="$APT/archives" \
		-o Dir::State::Status=/var/lib/dpkg/status "$@"
}

setup_apt() {
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 == "bookworm" { print $1; exit }')
	[ -n "$uri" ] || skip "no bookworm entry in this machine's apt sources to take the mirror from"
	mkdir -p "$APT/lists/partial" "$APT/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $SUITE main" \
		>"$APT/sources.list"
	if [ ! -s "$APT/updated" ] || [ -n "$(find "$APT/updated" -mmin +1440)" ]; then
		say "apt-get update ($SUITE, private lists in $APT)"
		private_apt apt-get update >/dev/null 2>&1 || skip "apt-get update of $SUITE failed"
		date >"$APT/updated"
	fi
}

install_deps() {
	todo=
	for p in $BUILD_DEPS; do
		dpkg -s "$p" >/dev/null 2>&1 || todo="$todo $p"
	done
	[ -z "$todo" ] && return 0
	is_root || skip "packages not installed:$todo (run as root, or apt-get install$todo)"
	say "apt-get install$todo"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $todo >/dev/null ||
		die "apt-get install$todo failed"
}

# The version of the source package the mirror serves now.
source_version() {
	private_apt apt-cache policy "$PKG" 2>/dev/null | awk '/Candidate:/ { print $2 }'
}

key() {
	# shellcheck disable=SC2086
	{ echo "$1"; cat $FRAGMENTS "$0"; } | sha256sum | cut -c1-16
}

build() {
	out=$1 ver=$2 tmp=$1.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp/deb"
	say "apt-get download $PKG $ver"
	(cd "$tmp/deb" && private_apt apt-get download "$PKG=$ver" >/dev/null 2>&1) ||
		skip "apt-get download $PKG=$ver failed"
	dpkg -x "$tmp"/deb/*.deb "$tmp/deb/x"
	tar -C "$tmp" -xf "$tmp"/deb/x/usr/src/"$PKG".tar.xz
	rm -rf "$tmp/deb"
	mv "$tmp/$PKG" "$tmp/build"
	cd "$tmp/build"
	make -s tinyconfig >/dev/null
	# shellcheck disable=SC2086
	scripts/kconfig/merge_config.sh -m .config $FRAGMENTS >/dev/null
	make -s olddefconfig >/dev/null
	# Every option the fragments set must have survived olddefconfig.
	for f in $FRAGMENTS; do
		grep '^CONFIG_' "$f" | while IFS= read -r line; do
			case $line in
			*=n) opt=${line%=n}; ! grep -q "^$opt=" .config ||
				die "$opt is set although $(basename "$f") says n" ;;
			*) grep -qx "$line" .config ||
				die "$line of $(basename "$f") did not survive olddefconfig" ;;
			esac
		done
	done
	say "make -j$(nproc) bzImage modules (a few minutes)"
	make -s -j"$(nproc)" bzImage modules >"$tmp/make.log" 2>&1 ||
		{ tail -n 30 "$tmp/make.log" >&2; die "the kernel build failed"; }
	make -s INSTALL_MOD_PATH="$tmp/modules" modules_install >/dev/null
	cp arch/x86/boot/bzImage "$tmp/bzImage"
	make -s kernelrelease >"$tmp/release"
	# What an out-of-tree module needs stays; the objects go.
	find . -name '*.o' -delete
	cd /
	echo "$ver" >"$tmp/source-version"
	mv "$tmp" "$out"
}

main() {
	for tool in apt-get dpkg sha256sum tar make; do
		command -v "$tool" >/dev/null || skip "$tool not found"
	done
	setup_apt
	ver=$(source_version)
	[ -n "$ver" ] || skip "$PKG is not in $SUITE on this mirror"
	dir=$CACHE/$(key "$ver")
	if [ -s "$dir/bzImage" ]; then
		say "cached: $PKG $ver in $dir"
		echo "$dir"
		return 0
	fi
	install_deps
	t0=$(date +%s)
	build "$dir" "$ver"
	say "built $PKG $ver in $(($(date +%s) - t0)) s, kept in $dir"
	echo "$dir"
}

main
