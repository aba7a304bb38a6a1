#!/bin/sh
# `make install DESTDIR=...`: the program, its manual page, the bash
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

bin=$dest$inst_bindir/revere-vfio-demo
expect "the program in bindir" test -x "$bin"
expect "the installed program runs" sh -c "'$bin' --version | grep -q '^revere-vfio-demo '"
man=$dest$inst_man1dir/revere-vfio-demo.1
expect "the man page in man1dir" cmp -s "$man" "$srcdir/doc/revere-vfio-demo.1"
expect "the installed man page renders" sh -c "LC_ALL=C MANWIDTH=80 man -l '$man' 2>/dev/null | grep -q '^NAME'"
for f in README LICENSE doc/design.md doc/fuzzing.md; do
	expect "$f in docdir" cmp -s "$dest$inst_docdir/$f" "$srcdir/$f"
done
comp=$dest$inst_bashcompdir/revere-vfio-demo
expect "the bash completion in bashcompdir, under the program's name" \
	cmp -s "$comp" "$srcdir/contrib/bash-completion/revere-vfio"
expect "the installed completion completes the program" \
	bash -c ". '$comp' && complete -p revere-vfio-demo | grep -q -- '-F _revere_vfio '"

# Nothing else: the list of every file installed.
{
	echo "$inst_bindir/revere-vfio-demo"
	echo "$inst_man1dir/revere-vfio-demo.1"
	for f in README LICENSE doc/design.md doc/fuzzing.md; do
		echo "$inst_docdir/$f"
	done
	echo "$inst_bashcompdir/revere-vfio-demo"
} | sort >"$tmp/want"
(cd "$dest" && find . ! -type d | sed 's/^\.//' | sort) >"$tmp/have"
expect "nothing else installed" cmp -s "$tmp/want" "$tmp/have"
diff "$tmp/want" "$tmp/have" | sed 's/^/# /'

submake uninstall; status=$?
expect_status "make uninstall DESTDIR=..." 0
expect "uninstall leaves no file" test -z "$(find "$dest" ! -type d)"

finish
