# Memory and thread checks (doc/testing.md), each on a build tree of its
# own, configured as .ci/sanitizers.sh does:
#   make check-asan      make check under ASan, LSan and UBSan
#   make check-valgrind  the demo's --sim runs under valgrind memcheck
#   make check-tsan      the demo's mmap'd --sim runs and the tests that map
#                        BAR0, under ThreadSanitizer
EXTRA_DIST += tests/asan.sh tests/valgrind.sh tests/tsan.sh tests/tsan_shared.txt \
	tests/tsan_races.awk

.PHONY: check-asan check-valgrind check-tsan
check-asan: all
	bash $(top_srcdir)/tests/asan.sh $(abs_top_builddir) '$(MAKE)'

check-valgrind: revere-vfio-demo$(EXEEXT)
	bash $(top_srcdir)/tests/valgrind.sh \
		$(abs_top_builddir)/revere-vfio-demo$(EXEEXT)

check-tsan: all $(check_PROGRAMS)
	bash $(top_srcdir)/tests/tsan.sh $(abs_top_builddir) \
		$(abs_top_srcdir)/tests/tsan_shared.txt

clean-local: clean-sanitizer-logs
.PHONY: clean-sanitizer-logs
clean-sanitizer-logs:
	-rm -rf sanitizer-logs
