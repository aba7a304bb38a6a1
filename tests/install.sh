#!/bin/sh
# `make install DESTDIR=...`: the programs, their manual pages, the bash
# completion and the documentation land where configure said, and nothing
# else; `make uninstall` takes them all away again.
. "${srcdir:-.}/tests/demo_lib.sh"

: "${abs_top_builddir:?}" "${inst_bindir:?}" "${inst_man1dir:?}" \
	"${inst_docdir:?}" "${inst_bashcompdir:?}"
dest=$tmp/dest
# A make of its own, not a part of the one running the tests.
submake() {
	(cd "$abs_top_builddir" &&
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s "$@" \
			DESTDIR="$dest") >"$tmp/out" 2>"$tmp/err"
}

submake install; status=$?
expect_status "make install DESTDIR=..." 0

for prog in revere-vfio-demo revere-vfio-bind revere-vfio-user-server; do
	bin=$dest$inst_bindir/$prog
	expect "$prog in bindir" test -x "$bin"
	expect "the installed $prog runs" sh -c "'$bin' --version | grep -q '^$prog '"
	man=$dest$inst_man1dir/$prog.1
	expect "$prog.1 in man1dir" cmp -s "$man" "$srcdir/doc/$prog.1"
	expect "the installed $prog.1 renders" sh -c "LC_ALL=C MANWIDTH=80 man -l '$man' 2>/dev/null | grep -q '^NAME'"
	comp=$dest$inst_bashcompdir/$prog
	expect "the bash completion in bashcompdir, under the name $prog" \
		cmp -s "$comp" "$srcdir/contrib/bash-completion/revere-vfio"
	expect "the installed completion completes $prog" \
		bash -c ". '$comp' && complete -p $prog | grep -q -- '-F _revere_vfio '"
done
for f in README LICENSE doc/design.md doc/fuzzing.md doc/performance.md doc/revere-amu-v2.md doc/testing.md doc/vfio-user.md; do
	expect "$f in docdir" cmp -s "$dest$inst_docdir/$f" "$srcdir/$f"
done

# Nothing else: the list of every file installed.
{
	for prog in revere-vfio-demo revere-vfio-bind revere-vfio-user-server; do
		echo "$inst_bindir/$prog"
		echo "$inst_man1dir/$prog.1"
		echo "$inst_bashcompdir/$prog"
	done
	for f in README LICENSE doc/design.md doc/fuzzing.md doc/performance.md doc/revere-amu-v2.md doc/testing.md doc/vfio-user.md; do
		echo "$inst_docdir/$f"
	done
} | sort >"$tmp/want"
(cd "$dest" && find . ! -type d | sed 's/^\.//' | sort) >"$tmp/have"
expect "nothing else installed" cmp -s "$tmp/want" "$tmp/have"
diff "$tmp/want" "$tmp/have" | sed 's/^/# /'

submake uninstall; status=$?
expect_status "make uninstall DESTDIR=..." 0
expect "uninstall leaves no file" test -z "$(find "$dest" ! -type d)"

finish
