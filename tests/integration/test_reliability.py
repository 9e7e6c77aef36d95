"""The reliability suite: random SIGKILLs across the job lifecycle, a 100-job load on 2 slots,
and a token scan of every file a failing job leaves. Slow tier; HFTUI_KILL_TRIALS=200 for more.

The figures (trials, corrupt stores, lost-detection times, load wall time and peak workers) are
printed, so `pytest -s -k reliability` shows them."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec

pytestmark = pytest.mark.slow

TOKEN = "hf_ReliabilitySuiteToken0123456789abcd"


def _wait(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def _worker_pids(job_ids: set[str]) -> list[int]:
    """Live job workers (not their watchers) of these jobs (not another test's leftovers)."""
    pids: list[int] = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if (
            b"hf_ecosystem.jobs.worker" in cmd
            and b"--schedule-after" not in cmd
            and state != b"Z"
            and cmd[-2].decode(errors="replace") in job_ids  # the worker's last argument
        ):
            pids.append(int(name))
    return pids


def _store_is_sound(home: Path) -> None:
    conn = sqlite3.connect(home / "jobs.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for folder in (home / "jobs").iterdir():
        events = folder / "events.jsonl"
        if events.exists():
            for line in events.read_text().splitlines():
                json.loads(line)  # no torn line


def test_random_sigkills_across_the_job_lifecycle(fake_hub: FakeHub, isolated_env: Path) -> None:
    trials = int(os.environ.get("HFTUI_KILL_TRIALS", "50"))
    fake_hub.add(FakeRepo("acme/slow", files={"a.txt": b"a" * 1000, "b.txt": b"b" * 2000}))
    fake_hub.delay("/acme/slow/resolve", 0.8, times=10 * trials)
    manager = JobManager(max_running=2)
    rng = random.Random(1234)
    detection: list[float] = []
    outcomes: dict[str, int] = {}
    for _ in range(trials):
        record = manager.launch(JobSpec.create("download", repo_id="acme/slow"))
        time.sleep(rng.uniform(0.0, 1.5))  # before the worker runs, while it downloads, or after
        pid = manager.store.get(record.id).pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):  # it may have finished already
                os.killpg(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        _wait(lambda r=record: not manager.get(r.id).is_active, timeout=15)
        detection.append(time.monotonic() - killed_at)
        final = manager.get(record.id).status
        outcomes[final] = outcomes.get(final, 0) + 1
        assert final in ("lost", "succeeded", "cancelled"), final
    home = isolated_env / "hftui_home"
    _store_is_sound(home)
    print(
        f"\nkill trials: {trials}, outcomes {outcomes}, corrupt stores 0, lost detection "
        f"median {statistics.median(detection):.2f} s, max {max(detection):.2f} s"
    )
    assert outcomes.get("lost", 0) >= trials // 4  # the kills did land mid-job


def test_a_hundred_jobs_on_two_slots(
    fake_hub: FakeHub, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFTUI_MAX_JOBS", "2")  # the watchers schedule with the same limit
    fake_hub.add(FakeRepo("acme/tiny", files={"f.txt": b"x"}))
    manager = JobManager()
    assert manager.max_running == 2
    start = time.monotonic()
    ids = [manager.launch(JobSpec.create("download", repo_id="acme/tiny")).id for _ in range(100)]
    peak = 0
    while True:
        peak = max(peak, len(_worker_pids(set(ids))))
        assert peak <= 2, f"{peak} workers ran with 2 slots"
        records = manager.store.list()
        if not any(r.is_active for r in records):
            break
        assert time.monotonic() - start < 600, "the load did not finish"
        time.sleep(0.05)
    statuses = {manager.store.get(i).status for i in ids}
    print(f"\nload: 100 jobs on 2 slots in {time.monotonic() - start:.1f} s, peak workers {peak}")
    assert statuses == {"succeeded"}
    _store_is_sound(isolated_env / "hftui_home")


def test_no_token_in_any_file_after_a_run_that_fails_on_purpose(
    fake_hub: FakeHub, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    fake_hub.add(FakeRepo("acme/private", files={"f.txt": b"x"}))
    fake_hub.fail("/acme/private/resolve", 500, times=100)
    manager = JobManager(max_running=1)
    spec = JobSpec.create(
        "inference", task="text-classification", model="acme/nope", input=f"oops {TOKEN}"
    )
    records = [
        manager.launch(JobSpec.create("download", repo_id="acme/private")),
        manager.launch(JobSpec.create("download", repo_id="acme/missing")),
        manager.launch(spec),
    ]
    for record in records:
        assert manager.wait(record.id, timeout=120).status == "failed"
    leaks = [
        str(path)
        for path in (isolated_env / "hftui_home").rglob("*")
        if path.is_file() and TOKEN.encode() in path.read_bytes()
    ]
    assert leaks == []
