"""Jobs on a real one-node Slurm cluster (tests/slurm/start.sh): a training gives the same
metrics as the same config run here, a batch inference writes its predictions, cancel is scancel,
a killed task is reported lost with Slurm's reason."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from models import fixtures
from slurm_helpers import sacct_state

from hf_ecosystem.config import load_settings
from hf_ecosystem.demo.datasets import build_bbc_news
from hf_ecosystem.jobs.events import read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.slurm import place
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord

pytestmark = [pytest.mark.slurm, pytest.mark.slow]
tiny_model = fixtures.tiny_model


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bbc")
    build_bbc_news(folder)
    return folder


def _config(model: Path, bbc: Path, out: Path, steps: int) -> dict[str, Any]:
    return {
        "model": str(model),
        "dataset": str(bbc),
        "text_column": "headline",
        "max_steps": steps,
        "batch_size": 8,
        "max_train_samples": 64,
        "max_eval_samples": 32,
        "logging_steps": 2,
        "seed": 7,
        "report_to": ["none"],
        "save_strategy": "no",
        "output_dir": str(out),
    }


def _until(manager: JobManager, job_id: str, check: Callable[[JobRecord], bool]) -> JobRecord:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        record = manager.get(job_id)
        if check(record):
            return record
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never got there: {manager.get(job_id)}")


@pytest.mark.timeout(900)  # two trainings at once; about a minute on a free 2-core machine
def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real binary, as a user runs it: its own process (a worker of the test session that
    submitted to Slurm in process lost its captured stdout for every later test)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("hf-tui")), *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_training_on_slurm_matches_the_same_run_here(
    slurm: str,
    tiny_model: Callable[[str], Path],
    bbc: Path,
    tmp_path: Path,
) -> None:
    model = tiny_model("text-classification")
    manager = JobManager(load_settings())
    here = manager.launch(JobSpec.create("train", config=_config(model, bbc, tmp_path / "a", 6)))
    config = tmp_path / "train.yaml"
    there = {**_config(model, bbc, tmp_path / "there", 6), "on": "slurm", "slurm": {"time": "20"}}
    config.write_text(json.dumps(there))  # JSON is YAML
    # The real binary, as a user runs it (its own process: what it does to stdout stays there).
    done = cli("run", "train", "--config", str(config), "--wait", "--json")
    assert done.returncode == 0, (done.stdout, done.stderr)
    data = json.loads(done.stdout)
    local = manager.wait(here.id, timeout=600)
    assert local.status == "succeeded", local.error
    assert data["on"] == "slurm" and data["slurm_job_id"], data
    assert data["slurm"] == {"nodes": 1, "time": "20"}
    assert local.result is not None
    for key in ("train_metrics", "metrics"):
        ours = {k: v for k, v in local.result[key].items() if "runtime" not in k}
        theirs = {k: v for k, v in data["result"][key].items() if "runtime" not in k}
        theirs = {k: v for k, v in theirs.items() if "per_second" not in k}
        ours = {k: v for k, v in ours.items() if "per_second" not in k}
        assert theirs == pytest.approx(ours, rel=1e-6), key
    slurm_id = data["slurm_job_id"]  # the worker recorded its end; the task exits after that
    _until(manager, data["id"], lambda r: sacct_state(slurm_id) == "COMPLETED")
    events = read_events(manager.events_path(data["id"]))[0]
    assert [e.data["step"] for e in events if e.type == "metric" and "loss" in e.data] == [2, 4, 6]


def test_batch_inference_on_slurm_and_its_log(
    slurm: str, tiny_bert_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("\n".join(f"line {i} is fine" for i in range(10)))
    out = tmp_path / "preds.jsonl"
    done = cli("run", "batch", "--task", "text-classification", "--model", str(tiny_bert_dir),
               "--input", str(source), "--output", str(out), "--on", "slurm", "--time", "5",
               "--wait", "--json")  # fmt: skip
    assert done.returncode == 0, (done.stdout, done.stderr)
    data = json.loads(done.stdout)
    assert data["status"] == "succeeded" and data["result"]["rows"] == 10
    assert data["slurm"] == {"nodes": 1, "time": "5"}
    assert len(out.read_text().splitlines()) == 10
    manager = JobManager()
    log = manager.log_path(data["id"])
    assert (log.is_file() and "hf_ecosystem" in log.read_text()) or log.stat().st_size > 0
    listed = cli("jobs", "list")
    assert listed.returncode == 0
    listing = listed.stdout
    assert "slurm" in listing and data["id"] in listing


def test_cancel_a_running_and_a_waiting_slurm_job(
    slurm: str, tiny_model: Callable[[str], Path], bbc: Path, tmp_path: Path
) -> None:
    model = tiny_model("text-classification")
    manager = JobManager(load_settings())
    whole_node = {"cpus": os.cpu_count() or 1}
    spec = JobSpec.create("train", config=_config(model, bbc, tmp_path / "long", 100_000))
    running = manager.launch(place(spec, "slurm", **whole_node))
    waiting = manager.launch(place(spec, "slurm", **whole_node))  # no CPU left for it
    _until(manager, running.id, lambda r: r.status == "running")
    assert manager.get(waiting.id).status == "queued"
    started = time.monotonic()
    assert manager.cancel(waiting.id).status == "cancelled"
    assert time.monotonic() - started < 5  # nothing ran: no grace to wait for
    assert manager.cancel(running.id).status == "cancelled"
    for record in (running, waiting):
        slurm_id = manager.get(record.id).slurm_id
        assert slurm_id is not None
        _until(manager, record.id, lambda r, s=slurm_id: sacct_state(s) == "CANCELLED")


def test_a_killed_task_is_reported_lost_with_slurms_reason(
    slurm: str, tiny_model: Callable[[str], Path], bbc: Path, tmp_path: Path
) -> None:
    model = tiny_model("text-classification")
    manager = JobManager(load_settings())
    spec = JobSpec.create("train", config=_config(model, bbc, tmp_path / "killed", 100_000))
    record = manager.launch(place(spec, "slurm"))
    record = _until(manager, record.id, lambda r: r.status == "running" and r.pid is not None)
    assert record.pid is not None
    os.kill(record.pid, signal.SIGKILL)  # the worker on the node dies without a word
    record = _until(manager, record.id, lambda r: not r.is_active)
    assert record.status == "lost", record
    assert record.error is not None
    assert record.error["title"] == "Job lost on Slurm: its process died"
    assert "killed by signal 9" in record.error["hint"], record.error
    assert record.slurm_id is not None and record.slurm_id in record.error["hint"]
    _until(manager, record.id, lambda r, s=record.slurm_id: sacct_state(s) == "FAILED")


def test_sbatch_refusing_a_job_is_a_clear_error(
    slurm: str, tiny_bert_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("one line")
    done = cli("run", "batch", "--task", "text-classification", "--model", str(tiny_bert_dir),
               "--input", str(source), "--output", str(tmp_path / "o.jsonl"), "--on", "slurm",
               "--nodes", "3")  # fmt: skip
    assert done.returncode == 1
    err = done.stderr
    assert "sbatch refused job" in err and "Batch job submission failed" in err, err
    assert "bug" not in err
    records = JobManager().list()
    assert [r.status for r in records] == ["failed"]
    assert records[0].error is not None and "submission failed" in records[0].error["hint"]


def test_cluster_shows_partitions_nodes_and_the_queue(
    slurm: str,
) -> None:
    shown = cli("cluster", "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["partitions"]["debug"]["nodes"] == 1
    assert data["nodes"][0]["cpus"] == os.cpu_count() and data["nodes"][0]["gpus"] == 0
    assert isinstance(data["queue"], list)
    shown = cli("cluster")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "debug" in text and ("queue is empty" in text or "hftui-" in text)
