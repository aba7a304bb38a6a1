# Fuzzing (doc/fuzzing.md): libFuzzer targets built with clang by
# tests/fuzz/run.sh, apart from the main build (which may use gcc), in
# tests/fuzz/out/ of the build tree.
#
#   make fuzz [FUZZ_SECONDS=60]  each target over its corpus for that long;
#                                fails on a crash, an oracle, a timeout or
#                                a leak
#   make fuzz-coverage           line coverage of the driver reached by
#                                the seed corpus (and what make fuzz grew)
FUZZ_SECONDS = 60
FUZZ_OUT = $(abs_top_builddir)/tests/fuzz/out

.PHONY: fuzz fuzz-coverage clean-fuzz
fuzz:
	FUZZ_SECONDS='$(FUZZ_SECONDS)' $(SHELL) $(top_srcdir)/tests/fuzz/run.sh \
		fuzz $(abs_top_srcdir) $(FUZZ_OUT)

fuzz-coverage:
	$(SHELL) $(top_srcdir)/tests/fuzz/run.sh coverage $(abs_top_srcdir) \
		$(FUZZ_OUT)

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf $(FUZZ_OUT)

EXTRA_DIST += \
	tests/fuzz/run.sh \
	tests/fuzz/oracle.c tests/fuzz/oracle.h \
	tests/fuzz/hostile_vfio.c tests/fuzz/hostile_vfio.h \
	tests/fuzz/fuzz_device.c tests/fuzz/fuzz_parse.c \
	tests/fuzz/fuzz_vfu.c tests/fuzz/fuzz_vfu_client.c \
	tests/fuzz/corpus
