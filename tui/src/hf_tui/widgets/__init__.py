"""Reusable widgets, one class per file."""
