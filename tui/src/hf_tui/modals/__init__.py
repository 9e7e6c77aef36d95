"""Modal screens, one class per file."""
