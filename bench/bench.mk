# `make bench`: the data path's figures on this machine (bench/bench.sh);
# a benchmark that prints numbers, not a test. doc/performance.md holds a
# run of it.
# Built by `make bench` alone: `make` builds what a user runs.
EXTRA_PROGRAMS = bench-payload bench-handoff
CLEANFILES += bench-payload$(EXEEXT) bench-handoff$(EXEEXT)
bench_payload_SOURCES = bench/payload.c bench/bench.h
bench_handoff_SOURCES = bench/handoff.c bench/bench.h

EXTRA_DIST += bench/bench.sh

.PHONY: bench
bench: revere-vfio-demo$(EXEEXT) revere-vfio-user-server$(EXEEXT) \
		bench-payload$(EXEEXT) bench-handoff$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/bench.sh $(abs_top_builddir)
