# The conventions of a GNU-style program (issue 10): --version, write
# errors on stdout, the man page, the bash completion, `make install`.
CONVENTION_TESTS = \
	tests/demo_output.sh
TESTS += $(CONVENTION_TESTS)
EXTRA_DIST += $(CONVENTION_TESTS)
