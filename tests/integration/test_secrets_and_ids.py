"""Secrets stay in: job state is owner-only, typed tokens are stored redacted, a worker's
traceback is redacted; job ids are ids, never patterns."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from fakes.failing_job import LEAKED
from hf_ecosystem.jobs import kinds
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_tui.cli import main

TOKEN = "hf_TypedIntoAnInputBox0123456789"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_job_state_is_created_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    store = JobStore(home)
    record = store.create(JobSpec.create("demo-seed"))
    assert mode(home) == 0o700
    assert mode(home / "jobs") == 0o700
    assert mode(store.job_dir(record.id)) == 0o700
    assert mode(home / "jobs.sqlite") == 0o600
    shared = tmp_path / "was-shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    JobStore(shared)
    assert mode(shared) == 0o700  # an existing home of ours is tightened


def test_a_token_typed_as_input_is_stored_redacted(tmp_path: Path) -> None:
    spec = JobSpec.create(
        "inference", task="text-classification", model="acme/tiny", input=f"see {TOKEN} here"
    )
    assert TOKEN not in spec.to_json() and "see *** here" in spec.params["input"]
    store = JobStore(tmp_path / "home")
    store.create(spec)
    raw = sqlite3.connect(tmp_path / "home" / "jobs.sqlite").execute("SELECT spec FROM jobs")
    assert all(TOKEN not in row[0] for row in raw)
    path_spec = JobSpec.create(
        "inference", task="text-classification", model="acme/hf_tiny_model_v2", input="hi"
    )
    assert path_spec.params["model"] == "acme/hf_tiny_model_v2"  # only typed text is redacted


def test_an_unexpected_error_leaves_no_token_in_the_job_log(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from hf_ecosystem.jobs import worker

    boom = dataclasses.replace(
        kinds.KINDS["demo-seed"], name="boom", handler="fakes.failing_job:explode"
    )
    monkeypatch.setitem(kinds.KINDS, "boom", boom)
    store = JobStore(Path(os.environ["HFTUI_HOME"]))
    record = store.create(JobSpec.create("boom"))
    store.update(record.id, status="starting")
    old_umask = os.umask(0o022)
    try:
        assert worker.run(record.id) == 1
    finally:
        os.umask(old_umask)
    out, err = capfd.readouterr()
    assert "Traceback" in err and "RuntimeError" in err  # the log still helps
    assert LEAKED not in out + err
    failed = store.get(record.id)
    assert failed.status == "failed" and LEAKED not in str(failed.error)


def test_a_cancel_the_handler_turned_into_an_error_is_still_a_cancel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import signal

    from hf_ecosystem.jobs import worker

    kind = dataclasses.replace(
        kinds.KINDS["demo-seed"], name="swallow", handler="fakes.failing_job:swallow_cancel"
    )
    monkeypatch.setitem(kinds.KINDS, "swallow", kind)
    store = JobStore(Path(os.environ["HFTUI_HOME"]))
    record = store.create(JobSpec.create("swallow"))
    store.update(record.id, status="starting")
    old_handler = signal.getsignal(signal.SIGTERM)
    try:
        assert worker.run(record.id) == 143
    finally:
        signal.signal(signal.SIGTERM, old_handler)
    assert store.get(record.id).status == "cancelled"


def test_job_ids_are_ids_not_patterns(capsys: pytest.CaptureFixture[str]) -> None:
    store = JobStore(Path(os.environ["HFTUI_HOME"]))
    record = store.create(JobSpec.create("demo-seed"))
    store.finish(record.id, "cancelled")
    for pattern in ("_", "%", "2%", "_" * len(record.id)):
        assert main(["jobs", "rm", pattern]) == 1
        assert "No job" in capsys.readouterr().err
    assert main(["jobs", "show", ""]) == 1
    assert store.get(record.id).id == record.id  # still there
    assert main(["jobs", "rm", record.id[:8]]) == 0  # an unambiguous prefix still works
    assert main(["jobs", "show", record.id]) == 1
