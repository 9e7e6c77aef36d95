"""The queue always moves: a dead worker, a dead launcher or a look at the jobs starts what waits,
a job holds its slot until its last process is gone, and a lost job's leftovers are killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.jobs.manager import JOB_ENV, JobManager, group_alive
from hf_ecosystem.jobs.spec import JobSpec


def _wait(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture
def leftovers() -> Iterator[list[int]]:
    """Process groups a test started; killed at the end whatever happened."""
    groups: list[int] = []
    yield groups
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def group_with_orphan(leftovers: list[int], job_id: str, seconds: float = 60.0) -> int:
    """A process group of job `job_id` (tagged as a worker's is) whose leader exits at once while
    a child (like a training rank) lives on."""
    leader = subprocess.Popen(
        ["sh", "-c", f"sleep {seconds} & exit 0"],
        start_new_session=True,
        env={**os.environ, JOB_ENV: job_id},
    )
    leftovers.append(leader.pid)
    leader.wait()
    assert group_alive(leader.pid, job_id)
    return leader.pid


def test_a_lost_job_has_what_is_left_of_its_process_group_killed(leftovers: list[int]) -> None:
    manager = JobManager(max_running=1)
    record = manager.store.create(JobSpec.create("demo-seed"))
    pgid = group_with_orphan(leftovers, record.id)
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)  # not the job's
    leftovers.append(stranger.pid)
    manager.store.update(record.id, status="running", pid=pgid, started_at=time.time())
    assert manager.get(record.id).status == "lost"
    _wait(lambda: not group_alive(pgid, record.id), timeout=5)
    assert stranger.poll() is None  # only processes carrying the job's id are killed


def test_a_reused_pid_is_never_killed_as_a_lost_jobs(leftovers: list[int]) -> None:
    """pid_max is 32768 here: a dead worker's pid can name a new, unrelated process group."""
    manager = JobManager(max_running=1)
    record = manager.store.create(JobSpec.create("demo-seed"))
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    leftovers.append(stranger.pid)
    manager.store.update(record.id, status="running", pid=stranger.pid, started_at=time.time())
    assert manager.get(record.id).status == "lost"  # its worker is gone: the pid is someone else
    time.sleep(0.2)
    assert stranger.poll() is None


@pytest.mark.slow
def test_a_look_at_the_jobs_starts_a_job_whose_launcher_died(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/q1", files={"f.txt": b"1"}))
    manager = JobManager(max_running=1)
    # The launcher wrote the record and died before it could start the worker.
    orphan = manager.store.create(JobSpec.create("download", repo_id="acme/q1"))
    assert manager.store.get(orphan.id).status == "queued"
    manager.list()  # what `jobs list` and the Jobs screen's poll do
    assert manager.store.get(orphan.id).status in ("starting", "running", "succeeded")
    assert manager.wait(orphan.id, timeout=60).status == "succeeded"


@pytest.mark.slow
def test_the_queue_moves_after_a_worker_is_killed_with_nobody_looking(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/slow", files={"a.txt": b"a" * 1000}))
    fake_hub.delay("/acme/slow/resolve", 20.0, times=100)
    fake_hub.add(FakeRepo("acme/next", files={"b.txt": b"b"}))
    manager = JobManager(max_running=1)
    first = manager.launch(JobSpec.create("download", repo_id="acme/slow"))
    second = manager.launch(JobSpec.create("download", repo_id="acme/next"))
    _wait(lambda: manager.store.get(first.id).status == "running")
    assert manager.store.get(second.id).status == "queued"
    pid = manager.store.get(first.id).pid
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    # Only the store is read from here on: no look runs the scheduler, the dead job's watcher does.
    _wait(lambda: manager.store.get(second.id).status == "succeeded", timeout=60)
    assert manager.store.get(first.id).status == "lost"


@pytest.mark.slow
def test_a_finished_job_holds_its_slot_until_its_processes_are_gone(
    fake_hub: FakeHub, leftovers: list[int]
) -> None:
    fake_hub.add(FakeRepo("acme/q2", files={"f.txt": b"2"}))
    manager = JobManager(max_running=1)
    done = manager.store.create(JobSpec.create("demo-seed"))
    pgid = group_with_orphan(leftovers, done.id)
    manager.store.update(done.id, status="running", pid=pgid, started_at=time.time())
    manager.store.finish(done.id, "succeeded", exit_code=0)  # recorded its end, still exiting
    waiting = manager.launch(JobSpec.create("download", repo_id="acme/q2"))
    manager.list()
    assert manager.store.get(waiting.id).status == "queued"  # the slot is still held
    os.killpg(pgid, signal.SIGKILL)
    _wait(lambda: not group_alive(pgid, done.id), timeout=5)
    manager.list()
    assert manager.wait(waiting.id, timeout=60).status == "succeeded"


def test_a_lost_training_run_says_resume_it() -> None:
    manager = JobManager(max_running=1)
    config = {"model": "acme/tiny-bert", "dataset": "acme/reviews"}
    record = manager.store.create(JobSpec.create("train", config=config))
    gone = subprocess.Popen(["true"], start_new_session=True)
    gone.wait()  # its worker died
    manager.store.update(record.id, status="running", pid=gone.pid, started_at=time.time())
    lost = manager.get(record.id)
    assert lost.status == "lost"
    assert f"hf-tui run train --resume {lost.id}" in (lost.error or {})["hint"]
