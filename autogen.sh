#!/bin/sh
# Generate ./configure and Makefile.in from configure.ac and Makefile.am.
set -e
cd "$(dirname "$0")"
# AC_CONFIG_MACRO_DIR: libtoolize fills it, but aclocal reads it first.
mkdir -p m4
autoreconf --force --install --verbose
