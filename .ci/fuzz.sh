#!/usr/bin/env bash
# CI's fuzzing step: install what a fresh Debian 12 machine lacks, configure
# the tree if it is not, run each fuzz target for FUZZ_SECONDS (default 60)
# and report the line coverage of the driver. Fails on any crash, oracle,
# timeout or leak; the input that did it is named on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
# libFuzzer and the coverage tools come with clang's own version.
as_root apt-get install -y -qq build-essential autoconf automake libtool \
	pkg-config clang >/dev/null
ver=$(clang -dumpversion | cut -d. -f1)
as_root apt-get install -y -qq "libclang-rt-$ver-dev" "llvm-$ver" >/dev/null

[ -f Makefile ] || { ./autogen.sh >/dev/null && ./configure >/dev/null; }

echo "== make fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-60}"
make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
echo "== make fuzz-coverage"
make fuzz-coverage
