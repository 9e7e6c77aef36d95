"""GPU reservation: each job gets the GPUs it asks for (disjoint), sees only those through
CUDA_VISIBLE_DEVICES, waits in order when they are taken, and is refused at launch when it could
never get them. The queue's GPUs come from HFTUI_GPUS here (this machine has none).

The workers are stand-ins (a real, tagged `sh` process group that records the environment it was
given and sleeps), so the queue's own code - SQLite claims, held GPUs, lingering groups - runs for
real without loading a model per job."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes.standin_queue import StandInManager, seen_gpus, wait_until
from hf_ecosystem.jobs.gpus import parse_gpu_list, pick, visible_env
from hf_ecosystem.jobs.manager import JobManager, group_alive
from hf_ecosystem.jobs.params import JobSpecError
from hf_ecosystem.jobs.spec import JobSpec

_wait = wait_until
_seen = seen_gpus


@pytest.fixture
def queue(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInManager]:
    monkeypatch.setenv("HFTUI_GPUS", "0,1,2")
    manager = StandInManager(max_running=10)
    manager.started = []
    yield manager
    for pid in manager.started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _infer(**extra: Any) -> JobSpec:
    return JobSpec.create("inference", task="text-classification", model="acme/m", input="hi",
                          **extra)  # fmt: skip


def test_jobs_get_disjoint_gpus_and_see_only_theirs(queue: StandInManager) -> None:
    big = queue.launch(_infer(gpus=2))
    small = queue.launch(_infer())  # a GPU-capable kind gets one by default
    waiting = queue.launch(_infer(gpus=1))
    download = queue.launch(JobSpec.create("download", repo_id="acme/m"))
    assert queue.get(big.id).gpu_ids == (0, 1) and _seen(queue, big.id) == "0,1"
    assert queue.get(small.id).gpu_ids == (2,) and _seen(queue, small.id) == "2"
    # Every GPU is taken: the next GPU job waits, and so does the download behind it (order).
    assert queue.get(waiting.id).status == "queued"
    assert queue.get(download.id).status == "queued"
    os.killpg(queue.get(big.id).pid or 0, signal.SIGKILL)
    _wait(lambda: not group_alive(big.pid or queue.get(big.id).pid or 0, big.id))
    queue.refresh()  # the dead job is lost; its GPUs go to the next in line
    assert queue.get(big.id).status == "lost"
    assert queue.get(waiting.id).gpu_ids == (0,) and _seen(queue, waiting.id) == "0"
    # A job without GPUs on a GPU machine sees none, rather than all of them.
    assert queue.get(download.id).gpu_ids == () and _seen(queue, download.id) == ""
    assert queue.get(small.id).to_dict()["gpus"] == [2]


def test_a_job_that_can_never_fit_is_refused_before_launch(queue: StandInManager) -> None:
    with pytest.raises(JobSpecError, match=r"needs 4 GPUs; this machine's queue has 3 \(0, 1, 2\)"):
        queue.launch(_infer(gpus=4))
    assert queue.list() == []  # nothing was stored
    with pytest.raises(JobSpecError, match="download jobs use no GPU"):
        JobSpec.create("download", repo_id="acme/m", gpus=1)
    with pytest.raises(JobSpecError, match="whole number from 0 to 64"):
        _infer(gpus=-1)
    with pytest.raises(JobSpecError, match="whole number"):
        _infer(gpus=True)


def test_cpu_only_machine_runs_gpu_kinds_on_the_cpu(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFTUI_GPUS", "none")
    manager = JobManager(max_running=0)  # paused: the check happens at launch all the same
    assert manager.gpus_needed(_infer()) == 0
    assert manager.worker_env("x").get("CUDA_VISIBLE_DEVICES") is None  # nothing to hide
    with pytest.raises(JobSpecError, match="needs 1 GPU; this machine's queue has none"):
        manager.launch(_infer(gpus=1))


def test_a_finished_job_whose_processes_linger_keeps_its_gpus(queue: StandInManager) -> None:
    first = queue.launch(_infer(gpus=3))
    second = queue.launch(_infer())
    assert queue.get(second.id).status == "queued"
    # The worker recorded its end but its process group still runs (ranks shutting down).
    queue.store.finish(first.id, "succeeded", exit_code=0)
    queue.refresh()
    assert queue.get(second.id).status == "queued"
    os.killpg(queue.get(first.id).pid or 0, signal.SIGKILL)
    _wait(lambda: not group_alive(queue.get(first.id).pid or 0, first.id))
    queue.refresh()
    assert queue.get(second.id).gpu_ids == (0,)


def test_the_spec_keeps_the_request_and_old_stores_gain_the_column(isolated_env: Path) -> None:
    spec = _infer(gpus=2)
    assert JobSpec.from_json(spec.to_json()) == spec
    assert "gpus" not in _infer().to_json()  # unchanged for jobs that ask nothing
    home = isolated_env / "old"
    home.mkdir()
    conn = sqlite3.connect(home / "jobs.sqlite")
    conn.execute(
        "CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, spec TEXT NOT NULL,"
        " status TEXT NOT NULL, pid INTEGER, created_at REAL NOT NULL, started_at REAL,"
        " finished_at REAL, exit_code INTEGER, result TEXT, error TEXT,"
        " cancel_requested INTEGER NOT NULL DEFAULT 0)"
    )
    conn.execute(
        "INSERT INTO jobs (id, kind, spec, status, created_at) VALUES ('j1', 'download', ?,"
        " 'succeeded', 1.0)",
        (JobSpec.create("download", repo_id="acme/m").to_json(),),
    )
    conn.commit()
    conn.close()
    from hf_ecosystem.jobs.store import JobStore

    assert JobStore(home).get("j1").gpu_ids == ()


def test_gpu_helpers() -> None:
    assert parse_gpu_list(" 2,0,2 ") == (0, 2)
    assert parse_gpu_list("none") == ()
    with pytest.raises(JobSpecError, match="Invalid HFTUI_GPUS"):
        parse_gpu_list("zero")
    with pytest.raises(JobSpecError, match="start at 0"):
        parse_gpu_list("-1")
    assert pick((0, 1, 2, 3), {1}, 2) == (0, 2)
    assert pick((0, 1), {0}, 2) is None
    assert visible_env((), machine_has_gpus=False) == {}
    assert visible_env((1, 3), machine_has_gpus=True)["CUDA_VISIBLE_DEVICES"] == "1,3"


def test_a_waiting_job_says_which_jobs_hold_the_gpus(
    queue: StandInManager, capsys: pytest.CaptureFixture[str]
) -> None:
    from hf_tui.cli import main

    first = queue.launch(_infer(gpus=2))
    waiting = queue.launch(_infer(gpus=2))
    reason = queue.waiting_for(queue.get(waiting.id))
    assert reason == f"needs 2 GPUs, 1 free (GPU 0 by job {first.id}, GPU 1 by job {first.id})"
    assert queue.waiting_for(queue.get(first.id)) is None
    assert main(["jobs", "show", waiting.id]) == 0
    assert f"waiting: {reason}" in capsys.readouterr().out
    assert main(["jobs", "show", first.id]) == 0
    assert "GPUs: 0, 1 (CUDA_VISIBLE_DEVICES)" in capsys.readouterr().out
    assert main(["jobs", "list"]) == 0
    listed = capsys.readouterr().out
    assert " · GPU 0,1" in listed and " · waiting: needs 2 GPUs, 1 free" in listed
