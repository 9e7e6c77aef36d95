"""Test doubles for hardware and services core reads (import as `fakes.<name>`)."""
