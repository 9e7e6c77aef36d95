"""Background jobs: specs, the SQLite store, the detached worker, events, cancel and the queue."""
