# The conventions of a GNU-style program: --version, write errors on
# stdout, the man page, the bash completion, `make install`; the device
# reference every "spec N" in the tree cites; the fuzz input's format as
# doc/fuzzing.md gives it; and the layers of doc/design.md, which the
# compiler alone does not keep.
CONVENTION_TESTS = \
	tests/demo_output.sh \
	tests/demo_man.sh \
	tests/completion.sh \
	tests/spec_citations.sh \
	tests/layers.sh \
	tests/tsan_names.sh \
	tests/check_output.sh \
	tests/doc_files.sh \
	tests/fuzz_doc.sh
TESTS += $(CONVENTION_TESTS)
EXTRA_DIST += $(CONVENTION_TESTS)

# tests/install.sh runs `make install` into a DESTDIR of its own, and checks
# each file is where these directories say.
TESTS += tests/install.sh
EXTRA_DIST += tests/install.sh
AM_TESTS_ENVIRONMENT += \
	MAKE='$(MAKE)'; abs_top_builddir='$(abs_top_builddir)'; \
	inst_bindir='$(bindir)'; inst_man1dir='$(man1dir)'; \
	inst_docdir='$(docdir)'; inst_bashcompdir='$(bashcompdir)'; \
	export MAKE abs_top_builddir inst_bindir inst_man1dir inst_docdir \
		inst_bashcompdir;
