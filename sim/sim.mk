# The simulated Revere-AMU (device model) and the mock VFIO kernel that
# carries it. Both are part of librevere so that --sim is always available.
librevere_la_SOURCES += \
	sim/revere_model.c sim/revere_model.h \
	sim/rv_pci_cfg.c sim/rv_pci_cfg.h \
	sim/mock_vfio.c sim/mock_vfio.h

# The model carried by a Linux mdev module: the rig builds it against
# Debian's kernel headers (tests/kernel/README).
EXTRA_DIST += sim/mdev
