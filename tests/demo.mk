# tests: demo (fragment owned by the demo work)
