"""A training run's screens: start one, watch, compare, evaluate, publish."""
