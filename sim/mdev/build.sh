#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build revere_mdev.ko out of tree (see rv_mdev.h and tests/kernel/README).
#
# Usage: build.sh KDIR OUTDIR SRCDIR
#   KDIR    kernel build tree, e.g. /usr/src/linux-headers-6.1.0-26-amd64
#   OUTDIR  where the module is built (created if needed); ends up holding
#           revere_mdev.ko
#   SRCDIR  the project's source root
#
# The module source, sim/revere_model.[ch], sim/rv_pci_cfg.[ch] and
# revere.h are copied into
# OUTDIR, so the model is compiled from the project's own files (never a
# fork) and SRCDIR is never written to. A file is only copied when it
# changed, so a rebuild is incremental.

set -eu

die() { echo "mdev/build.sh: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: build.sh KDIR OUTDIR SRCDIR"
KDIR=$1
OUTDIR=$2
SRCDIR=$3

[ -f "$KDIR/Makefile" ] ||
	die "no kernel build tree in $KDIR; install linux-headers-<version>-amd64"
[ -f "$SRCDIR/sim/revere_model.c" ] ||
	die "$SRCDIR is not the project's source root (no sim/revere_model.c)"

mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
# Kbuild needs an absolute M=.
OUTDIR=$(cd "$OUTDIR" && pwd)

MDEV=$SRCDIR/sim/mdev
for f in "$MDEV"/Kbuild "$MDEV"/*.c "$MDEV"/*.h \
	"$SRCDIR"/sim/revere_model.c "$SRCDIR"/sim/revere_model.h \
	"$SRCDIR"/sim/rv_pci_cfg.c "$SRCDIR"/sim/rv_pci_cfg.h \
	"$SRCDIR"/revere.h; do
	[ -f "$f" ] || die "missing source file $f"
	dst=$OUTDIR/$(basename "$f")
	cmp -s "$f" "$dst" || cp "$f" "$dst" || die "cannot copy $f to $OUTDIR"
done

make -C "$KDIR" M="$OUTDIR" modules ||
	die "kernel module build failed (KDIR=$KDIR, M=$OUTDIR)"
[ -f "$OUTDIR/revere_mdev.ko" ] || die "no revere_mdev.ko in $OUTDIR"
