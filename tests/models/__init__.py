"""Tiny random-init models built from configs, for tests and the offline demo hub."""
