"""Metrics: the offline `evaluate` metric modules shipped with the package and compute_metrics."""
