# What `make install` puts beside the programs: their manual pages, the
# README and doc/ under docdir, and the bash completion. A new program is
# one more entry in dist_man_MANS and in BASH_COMPLETION_FOR.

dist_man_MANS = doc/revere-vfio-demo.1 doc/revere-vfio-bind.1 \
	doc/revere-vfio-user-server.1

# docdir/README, docdir/LICENSE, docdir/doc/*.md: the README's references
# to doc/ hold there too.
dist_doc_DATA = README LICENSE
nobase_dist_doc_DATA = doc/design.md doc/fuzzing.md doc/performance.md \
	doc/testing.md \
	doc/vfio-user.md \
	doc/revere-amu-v2.md

# contrib/bash-completion/revere-vfio completes every program; it is
# installed once under each program's name, where bash-completion looks for
# it ($(bashcompdir), configure.ac).
BASH_COMPLETION_FILE = contrib/bash-completion/revere-vfio
BASH_COMPLETION_FOR = revere-vfio-demo revere-vfio-bind \
	revere-vfio-user-server
EXTRA_DIST += $(BASH_COMPLETION_FILE)

install-data-local: install-bash-completion
uninstall-local: uninstall-bash-completion
.PHONY: install-bash-completion uninstall-bash-completion
install-bash-completion:
	$(MKDIR_P) '$(DESTDIR)$(bashcompdir)'
	for prog in $(BASH_COMPLETION_FOR); do \
		$(INSTALL_DATA) '$(srcdir)/$(BASH_COMPLETION_FILE)' \
			"$(DESTDIR)$(bashcompdir)/$$prog" || exit 1; \
	done
uninstall-bash-completion:
	for prog in $(BASH_COMPLETION_FOR); do \
		rm -f "$(DESTDIR)$(bashcompdir)/$$prog"; \
	done

# distcheck installs under a prefix of its own, not in the system's
# completionsdir.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-bashcompdir='$${datadir}/bash-completion/completions'
