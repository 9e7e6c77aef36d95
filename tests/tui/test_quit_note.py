"""Quitting with jobs running says they keep going and how to come back to them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_tui.app import farewell


def test_quitting_with_jobs_running_says_they_keep_going() -> None:
    settings = load_settings()
    assert farewell(settings) is None  # nothing running: nothing to say
    store = JobStore(Path(os.environ["HFTUI_HOME"]))
    waiting = store.create(JobSpec.create("download", repo_id="acme/one"))
    running = store.create(JobSpec.create("demo-seed"))
    # A live process whose command line names the job, as a worker's does: it is not lost.
    worker = subprocess.Popen(["sh", "-c", "sleep 30", running.id])
    store.update(running.id, status="running", pid=worker.pid)
    try:
        note = farewell(settings)
    finally:
        worker.kill()
        worker.wait()
    assert note is not None
    assert note.startswith("1 running and 1 queued job(s) keep going in the background")
    assert waiting.id in note and running.id in note and "download acme/one" in note
    assert "hf-tui jobs list" in note and "press 4" in note
    store.finish(running.id, "succeeded")
    store.finish(waiting.id, "cancelled")
    assert farewell(settings) is None
