"""Training, evaluation and publishing (imported in job processes; heavy imports stay inside)."""
