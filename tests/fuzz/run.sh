#!/bin/sh
# The fuzz targets, built with clang straight from the project's sources
# (the main build may use gcc) in OUT, away from the autotools objects.
#
#   run.sh fuzz SRCDIR OUT      each target over its corpus for FUZZ_SECONDS
#                               (default 60); fails on a crash, an oracle,
#                               a timeout or a leak
#   run.sh coverage SRCDIR OUT  line coverage of the driver (revere_*.c,
#                               revere_hw.c) reached by the
#                               seed corpus (and by OUT's grown corpus),
#                               and of the vfio-user server and client by
#                               their targets
#
# Missing tools are installed when run as root (Debian's clang,
# libclang-rt-N-dev for libFuzzer, llvm-N for coverage); otherwise the
# script names the package and fails.
set -eu

mode=$1 srcdir=$2 out=$3
seconds=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
TARGETS="device parse vfu vfu_client"
# The driver, whose clock and blocking calls the device target replaces
# with virtual ones (fuzz_device.c).
DRIVER="revere_dev.c revere_mgt.c revere_wait.c revere_datapath.c revere_figures.c revere_layout.c revere_hw.c"
VIRTUAL_TIME="-Dclock_gettime=fuzz_clock_gettime -Dpoll=fuzz_poll -Dppoll=fuzz_ppoll"
# The VFIO layer: its poll(2) on the eventfds is virtual too, and its BAR0
# accessors are renamed fuzz_real_*: hostile_vfio.c's own take their place,
# to play the device behind an mmap'd BAR0 (hostile_vfio.h).
VFIO_HOOKS="-Dpoll=fuzz_poll
	-Dvfio_bar0_read32=fuzz_real_bar0_read32 -Dvfio_bar0_write32=fuzz_real_bar0_write32
	-Dvfio_bar0_read64=fuzz_real_bar0_read64 -Dvfio_bar0_write64=fuzz_real_bar0_write64"
# The vfio-user client: its connect() hands the input to the server's end
# of the socket, and its watcher thread is not started (fuzz_vfu_client.c).
CLIENT_HOOKS="-Dconnect=fuzz_connect -Dpthread_create=fuzz_thread_create
	-Dpthread_join=fuzz_thread_join"
# Per input: a run is milliseconds on virtual time; seconds means a hang.
INPUT_TIMEOUT=10

die() { echo "fuzz: $*" >&2; exit 1; }

# need PACKAGE COMMAND...: run COMMAND quietly; install PACKAGE if it fails.
need() {
	pkg=$1; shift
	"$@" >/dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] ||
		die "missing $pkg: apt-get install $pkg (as root)"
	echo "fuzz: installing $pkg"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null ||
		die "could not install $pkg"
	"$@" >/dev/null 2>&1 || die "$pkg installed, still not working: $*"
}

probe_fuzzer() {
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$out/probe.c"
	"$CLANG" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe"
}

tools() {
	mkdir -p "$out"
	need clang "$CLANG" --version
	ver=$("$CLANG" -dumpversion | cut -d. -f1)
	need "libclang-rt-$ver-dev" probe_fuzzer
}

# build NAME EXE FLAGS...: the target NAME from the sources it needs.
build() {
	name=$1 exe=$2; shift 2
	obj=$out/obj-$(basename "$exe")
	mkdir -p "$obj"
	cflags="-std=gnu11 -g -O1 -Wall -Wextra -Werror -I$srcdir -I$srcdir/sim -I$srcdir/tests/fuzz $*"
	srcs="errmsg.c sim/revere_model.c sim/rv_pci_cfg.c sim/rv_bar_mirror.c
	      sim/mock_vfio.c
	      sim/mock_type1.c sim/mock_pci.c sim/mock_bar.c sim/mock_control.c
	      sim/mock_iommufd.c
	      tests/fuzz/oracle.c tests/fuzz/fuzz_$name.c"
	# No fd_watch.c: fuzz_device.c has a watcher on the virtual clock.
	case $name in
	# vfio.c lists the vfio-user backend among its own.
	device) srcs="$srcs vfio_type1.c vfio_iommufd.c vfio_device_fd.c vfio_sys.c
		      vfio_user.c vfio_user_client.c vfio_user_msg.c
		      vfio_user_caps.c tests/fuzz/hostile_vfio.c" ;;
	parse) srcs="$srcs cmdline.c sysfs.c" ;;
	vfu) srcs="$srcs sim/vfu_server.c sim/vfu_device.c vfio_user_msg.c
		   vfio_user_caps.c" ;;
	vfu_client) srcs="$srcs vfio.c vfio_sys.c vfio_type1.c vfio_iommufd.c
		   vfio_device_fd.c vfio_user.c vfio_user_msg.c
		   vfio_user_caps.c" ;;
	esac
	objs=
	for s in $srcs; do
		o=$obj/$(basename "$s" .c).o
		"$CLANG" $cflags -c "$srcdir/$s" -o "$o"
		objs="$objs $o"
	done
	if [ "$name" = vfu_client ]; then
		o=$obj/vfio_user_client.o
		"$CLANG" $cflags $CLIENT_HOOKS -c "$srcdir/vfio_user_client.c" -o "$o"
		objs="$objs $o"
	fi
	if [ "$name" = device ]; then
		o=$obj/vfio.o
		"$CLANG" $cflags $VFIO_HOOKS -c "$srcdir/vfio.c" -o "$o"
		objs="$objs $o"
		for s in $DRIVER; do
			o=$obj/$(basename "$s" .c).o
			"$CLANG" $cflags $VIRTUAL_TIME -c "$srcdir/$s" -o "$o"
			objs="$objs $o"
		done
	fi
	"$CLANG" $cflags -o "$exe" $objs -lpthread
}

fuzz() {
	tools
	for t in $TARGETS; do
		build "$t" "$out/fuzz_$t" -fsanitize=fuzzer,address,undefined \
			-fno-sanitize-recover=undefined
	done
	for t in $TARGETS; do
		mkdir -p "$out/corpus/$t"
		echo "fuzz: $t for ${seconds}s"
		if ! "$out/fuzz_$t" -max_total_time="$seconds" \
			-timeout=$INPUT_TIMEOUT -rss_limit_mb=2048 \
			-artifact_prefix="$out/$t-" -print_final_stats=1 \
			"$out/corpus/$t" "$srcdir/tests/fuzz/corpus/$t" \
			>"$out/$t.log" 2>&1; then
			tail -n 60 "$out/$t.log" >&2
			die "$t: crashed; the input is $(ls -t "$out/$t"-crash-* "$out/$t"-leak-* "$out/$t"-timeout-* 2>/dev/null | head -n 1)"
		fi
		sed -n 's/^stat::number_of_executed_units: */  runs: /p' "$out/$t.log"
	done
	echo "fuzz: no crash, timeout or leak"
}

# report TARGET "FILES" DIR...: run TARGET's coverage build once over DIRs,
# print the line coverage of each of FILES.
report() {
	t=$1 files=$2
	shift 2
	rm -rf "$out/cov" && mkdir -p "$out/cov"
	LLVM_PROFILE_FILE="$out/cov/%p.profraw" \
		"$out/fuzz_$t-cov" -runs=0 "$@" >"$out/cov/run.log" 2>&1
	"$profdata" merge -sparse "$out"/cov/*.profraw -o "$out/cov/all.profdata"
	for s in $files; do
		"$llvmcov" report "$out/fuzz_$t-cov" \
			-instr-profile="$out/cov/all.profdata" "$srcdir/$s" |
			awk -v f="$s" '/^TOTAL/ { print "  " f ": " $8 - $9 " of " $8 " lines (" $10 "), " $5 - $6 " of " $5 " functions" }'
	done
}

# The vfio-user server's files, which the vfu target reaches.
VFU_FILES="sim/vfu_server.c sim/vfu_device.c vfio_user_msg.c vfio_user_caps.c"
# The vfio-user client's, which the vfu_client target reaches.
CLIENT_FILES="vfio_user.c vfio_user_client.c vfio_user_msg.c vfio_user_caps.c"

coverage() {
	tools
	need "llvm-$ver" "llvm-profdata-$ver" --help
	profdata=llvm-profdata-$ver llvmcov=llvm-cov-$ver
	build device "$out/fuzz_device-cov" -fsanitize=fuzzer \
		-fprofile-instr-generate -fcoverage-mapping
	echo "fuzz: coverage of the seed corpus (tests/fuzz/corpus/device)"
	report device "$DRIVER" "$srcdir/tests/fuzz/corpus/device"
	if [ -d "$out/corpus/device" ]; then
		echo "fuzz: coverage of the seeds and the corpus make fuzz grew"
		report device "$DRIVER" "$srcdir/tests/fuzz/corpus/device" \
			"$out/corpus/device"
	fi
	for s in $DRIVER; do
		"$llvmcov" show "$out/fuzz_device-cov" \
			-instr-profile="$out/cov/all.profdata" "$srcdir/$s" \
			>"$out/$s.cov"
		echo "fuzz: lines of $s with their counts: $out/$s.cov"
	done
	build vfu "$out/fuzz_vfu-cov" -fsanitize=fuzzer \
		-fprofile-instr-generate -fcoverage-mapping
	echo "fuzz: vfu: coverage of the seeds and the corpus make fuzz grew"
	mkdir -p "$out/corpus/vfu"
	report vfu "$VFU_FILES" "$srcdir/tests/fuzz/corpus/vfu" "$out/corpus/vfu"
	build vfu_client "$out/fuzz_vfu_client-cov" -fsanitize=fuzzer \
		-fprofile-instr-generate -fcoverage-mapping
	echo "fuzz: vfu_client: coverage of the seeds and the corpus make fuzz grew"
	mkdir -p "$out/corpus/vfu_client"
	report vfu_client "$CLIENT_FILES" "$srcdir/tests/fuzz/corpus/vfu_client" \
		"$out/corpus/vfu_client"
}

case $mode in
fuzz) fuzz ;;
coverage) coverage ;;
*) die "usage: run.sh fuzz|coverage SRCDIR OUTDIR" ;;
esac
