# tests: vfio (fragment owned by the vfio work)
