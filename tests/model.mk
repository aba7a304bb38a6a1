# tests: model (fragment owned by the model work)
