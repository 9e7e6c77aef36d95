"""Training: spec, trainer factory, data preparation, losses, callbacks, runs and resume."""
