"""The job engine with real detached processes: survive the launcher, cancel, lost, queue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.events import read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec, JobSpecError
from hf_ecosystem.jobs.store import pid_alive
from hf_tui.cli import main


def _slow_repo(hub: FakeHub, repo_id: str = "acme/slow", seconds: float = 3.0) -> FakeRepo:
    repo = hub.add(FakeRepo(repo_id, files={"a.txt": b"a" * 1000, "b.txt": b"b" * 2000}))
    hub.delay(f"/{repo_id}/resolve", seconds, times=100)
    return repo


def _wait(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("fly", {}, "unknown kind"),
        ("train", {}, "'config' is required"),
        ("download", {}, "'repo_id' is required"),
        ("download", {"repo_id": "bad id!"}, "'repo_id' is not a repo id"),
        ("download", {"repo_id": "a/b", "colour": 1}, "unknown field 'colour'"),
        ("batch-inference", {"task": "t", "model": "a/b", "input": "/nope", "output": "o"},
         "'input' does not exist"),
        ("batch-inference", {"task": "t", "model": "a/b", "input": "/", "output": "o",
                             "batch_size": 0}, "'batch_size' must be an integer"),
    ],
)  # fmt: skip
def test_bad_specs_are_refused_naming_the_field(kind: str, params: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(JobSpecError, match=message):
        JobSpec.create(kind, **params)


@pytest.mark.slow
def test_download_job_succeeds_with_events(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/small", files={"x.txt": b"12345", "README.md": b"# s"}))
    manager = JobManager(max_running=1)
    record = manager.launch(JobSpec.create("download", repo_id="acme/small"))
    done = manager.wait(record.id, timeout=60)
    assert done.status == "succeeded", manager.log_path(record.id).read_text()
    assert done.exit_code == 0 and Path(done.result["path"], "x.txt").read_bytes() == b"12345"  # type: ignore[index]
    events, _ = read_events(manager.events_path(record.id))
    types = [e.type for e in events]
    assert types[0] == "status" and "progress" in types and types[-1] == "result"
    last = [e for e in events if e.type == "progress"][-1].data
    assert last["done"] == last["total"] == 8


@pytest.mark.slow
def test_job_survives_its_launcher_and_is_reattached(fake_hub: FakeHub, isolated_env: Path) -> None:
    _slow_repo(fake_hub, seconds=1.0)
    script = (
        "from hf_ecosystem.jobs.manager import JobManager\n"
        "from hf_ecosystem.jobs.spec import JobSpec\n"
        "r = JobManager(max_running=1).launch(JobSpec.create('download', repo_id='acme/slow'))\n"
        "print(r.id, flush=True)\n"
        "import time; time.sleep(600)\n"
    )
    launcher = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert launcher.stdout is not None
    job_id = launcher.stdout.readline().strip()
    manager = JobManager(max_running=1)
    _wait(lambda: manager.get(job_id).status == "running")
    launcher.send_signal(signal.SIGKILL)
    launcher.wait()
    assert manager.get(job_id).status == "running"  # a new process sees it running: re-attached
    done = manager.wait(job_id, timeout=60)
    assert done.status == "succeeded"
    events, _ = read_events(manager.events_path(job_id))
    assert [e for e in events if e.type == "result"]


@pytest.mark.slow
def test_cancel_running_job(fake_hub: FakeHub) -> None:
    _slow_repo(fake_hub, seconds=5.0)
    manager = JobManager(max_running=1)
    record = manager.launch(JobSpec.create("download", repo_id="acme/slow"))
    _wait(lambda: manager.get(record.id).status == "running")
    pid = manager.get(record.id).pid
    cancelled = manager.cancel(record.id, grace=5)
    assert cancelled.status == "cancelled"
    _wait(lambda: not pid_alive(pid, record.id))
    with pytest.raises(HfEcoError, match="already cancelled"):
        manager.cancel(record.id)


@pytest.mark.slow
def test_killed_worker_is_lost(fake_hub: FakeHub) -> None:
    _slow_repo(fake_hub, seconds=5.0)
    manager = JobManager(max_running=1)
    record = manager.launch(JobSpec.create("download", repo_id="acme/slow"))
    _wait(lambda: manager.get(record.id).status == "running")
    pid = manager.get(record.id).pid
    assert pid is not None
    os.killpg(os.getpgid(pid), signal.SIGKILL)
    _wait(lambda: manager.get(record.id).status == "lost", timeout=5)
    assert "process is gone" in (manager.get(record.id).error or {})["title"]


@pytest.mark.slow
def test_queue_order_and_concurrency_limit(fake_hub: FakeHub) -> None:
    for name in ("acme/q1", "acme/q2", "acme/q3"):
        fake_hub.add(FakeRepo(name, files={"f.txt": name.encode()}))
        fake_hub.delay(f"/{name}/resolve", 0.7, times=100)
    manager = JobManager(max_running=1)
    ids = [
        manager.launch(JobSpec.create("download", repo_id=n)).id
        for n in ("acme/q1", "acme/q2", "acme/q3")
    ]
    statuses = [manager.get(i).status for i in ids]
    assert statuses[0] in ("starting", "running") and statuses[1:] == ["queued", "queued"]
    running_at_once = 0
    while any(manager.get(i).is_active for i in ids):
        running_at_once = max(
            running_at_once, sum(manager.get(i).status in ("starting", "running") for i in ids)
        )
        time.sleep(0.05)
    assert running_at_once == 1
    records = [manager.get(i) for i in ids]
    assert all(r.status == "succeeded" for r in records)
    starts = [r.started_at for r in records if r.started_at is not None]
    assert len(starts) == len(records)
    assert starts == sorted(starts)  # started in the order they were queued


@pytest.mark.slow
def test_jobs_cli(
    fake_hub: FakeHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFTUI_MAX_JOBS", "1")
    fake_hub.add(FakeRepo("acme/cli", files={"f.txt": b"abc"}))
    assert main(["download", "acme/cli", "--wait", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "succeeded" and data["result"]["repo_id"] == "acme/cli"
    job_id = data["id"]
    assert main(["jobs", "list", "--json"]) == 0
    assert [j["id"] for j in json.loads(capsys.readouterr().out)["jobs"]] == [job_id]
    assert main(["jobs", "show", job_id[:-2], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "succeeded" and any(e["type"] == "result" for e in shown["events"])
    assert main(["jobs", "logs", job_id, "-f"]) == 0
    assert "progress" in capsys.readouterr().out
    assert main(["jobs", "cancel", job_id]) == 1
    assert "already succeeded" in capsys.readouterr().err
    assert main(["download", "acme/cli"]) == 0
    second = capsys.readouterr().out.strip()
    JobManager().wait(second, timeout=60)
    assert main(["jobs", "rm", job_id]) == 0
    capsys.readouterr()
    assert main(["jobs", "prune", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == [second]
    assert main(["jobs", "show", job_id]) == 1
    assert main(["download", "not a repo"]) == 1
    assert "repo_id" in capsys.readouterr().err


@pytest.mark.slow
def test_failed_download_is_failed_with_message(fake_hub: FakeHub) -> None:
    manager = JobManager(max_running=1)
    record = manager.launch(JobSpec.create("download", repo_id="acme/absent"))
    done = manager.wait(record.id, timeout=60)
    assert done.status == "failed" and done.exit_code == 1
    assert "not found" in (done.error or {})["title"].lower()
    events, _ = read_events(manager.events_path(record.id))
    errors = [e for e in events if e.type == "error"]
    assert errors and errors[-1].data["error"] == "RepoNotFoundError" and errors[-1].data["hint"]


@pytest.mark.slow
def test_a_job_that_dies_while_being_cancelled_counts_as_cancelled(tmp_path: Path) -> None:
    from hf_ecosystem.config import load_settings

    manager = JobManager(load_settings(), max_running=0)
    record = manager.launch(JobSpec.create("demo-seed"))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    manager.store.update(record.id, status="running", pid=gone.pid, cancel_requested=1)
    assert manager.refresh() == []  # not reported as lost
    assert manager.get(record.id).status == "cancelled"


def test_concurrent_jobs_share_the_cores() -> None:
    from hf_ecosystem.jobs.manager import thread_limits

    cores = len(os.sched_getaffinity(0))
    assert thread_limits(1, {}) == {}  # one job at a time: torch picks its own
    assert thread_limits(2, {}) == {"OMP_NUM_THREADS": str(max(1, cores // 2))}
    assert thread_limits(cores * 4, {}) == {"OMP_NUM_THREADS": "1"}
    assert thread_limits(2, {"OMP_NUM_THREADS": "3"}) == {}  # the user's setting wins
