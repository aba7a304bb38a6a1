# Tests run by `make check`. Each part of the tree has its own fragment.
include tests/vfio.mk
include tests/model.mk
include tests/demo.mk
include tests/sanitizers.mk
