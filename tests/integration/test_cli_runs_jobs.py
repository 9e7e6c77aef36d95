"""`hf-tui runs …`, `run train` errors and `jobs …` as people read them (not --json).

The job store of the test's HFTUI_HOME is filled the way workers fill it (records, events, a
log file); no worker process is started: every command here only reads or ends stored jobs.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs.events import EventWriter
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore, Status
from hf_ecosystem.training.spec import TrainSpec
from hf_tui.cli import main

Capsys = pytest.CaptureFixture[str]


def _store() -> JobStore:
    return JobStore(load_settings().home)


def _job(
    spec: JobSpec,
    events: Sequence[tuple[str, dict[str, Any]]] = (),
    *,
    status: Status | None = None,
    **fields: Any,
) -> str:
    store = _store()
    record = store.create(spec)
    writer = EventWriter(store.events_path(record.id))
    for kind, data in events:
        writer.emit(kind, **data)  # type: ignore[arg-type]
    if status is not None:
        store.finish(record.id, status, **fields)
    return record.id


def _run(
    events: Sequence[tuple[str, dict[str, Any]]] = (),
    *,
    status: Status | None = "succeeded",
    **fields: Any,
) -> str:
    config = TrainSpec.parse(
        {
            "model": "acme/tiny-bert",
            "dataset": "acme/reviews",
            "max_steps": 40,
            **fields.pop("config", {}),
        }
    ).to_dict()
    return _job(JobSpec.create("train", config=config), events, status=status, **fields)


def _train_result(run_dir: Path, metrics: dict[str, float]) -> dict[str, Any]:
    return {
        "output_dir": str(run_dir),
        "metrics": metrics,
        "train_metrics": {"train_loss": 0.7},
        "global_step": 40,
        "labels": ["negative", "positive"],
        "precision": "fp32",
        "model_dir": str(run_dir / "model"),
    }


def _line_with(text: str, needle: str) -> str:
    lines = [line for line in text.splitlines() if needle in line]
    assert len(lines) == 1, (needle, text)
    return lines[0]


def _cells(line: str) -> list[str]:
    """A table line's cells (the table draws ┃ between header cells, │ between the others)."""
    return [cell.strip() for cell in re.split("[┃│]", line)]


def _row(text: str, needle: str) -> list[str]:
    return _cells(_line_with(text, needle))


# --- runs list / show / compare ---------------------------------------------------------------


def test_runs_list_table_shows_steps_and_headline_metric(tmp_path: Path, capsys: Capsys) -> None:
    finished = _run(
        [("progress", {"done": 40, "total": 40, "unit": "steps"})],
        result=_train_result(tmp_path, {"eval_loss": 0.61, "eval_accuracy": 0.75}),
    )
    perplexity = _run(
        [("metric", {"step": 10, "eval_loss": 2.3, "eval_perplexity": 9.97})],
        status="failed",
        config={"task": "causal-lm", "model": "acme/tiny-gpt"},
        error={"title": "Out of memory", "hint": "Lower the batch size."},
    )
    only_loss = _run([("metric", {"step": 5, "train_loss": 1.25})], status="cancelled")
    queued = _run([("progress", {"done": 3, "total": None, "unit": "steps"})], status=None)
    evaluation = _job(JobSpec.create("download", repo_id="acme/x", repo_type="model"))

    assert main(["runs", "list"]) == 0
    out = capsys.readouterr().out
    assert _cells(out.splitlines()[0]) == [
        "id", "status", "task", "model", "dataset", "steps", "result", "age",
    ]  # fmt: skip
    assert _row(out, finished)[1:-1] == [
        "succeeded", "text-classification", "acme/tiny-bert", "acme/reviews", "40/40",
        "accuracy 0.75",
    ]  # fmt: skip
    assert _row(out, perplexity)[1:-1] == [
        "failed", "causal-lm", "acme/tiny-gpt", "acme/reviews", "—", "perplexity 9.97",
    ]  # fmt: skip
    assert _row(out, only_loss)[-3:-1] == ["—", "train_loss 1.25"]
    assert _row(out, queued)[1:-1] == [
        "queued", "text-classification", "acme/tiny-bert", "acme/reviews", "3/?", "—",
    ]  # fmt: skip
    assert evaluation not in out  # not a training run


def test_runs_list_empty_prints_only_the_header(capsys: Capsys) -> None:
    assert main(["runs", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # the header and its rule
    assert _cells(lines[0]) == [
        "id", "status", "task", "model", "dataset", "steps", "result", "age",
    ]  # fmt: skip


def test_runs_show_prints_config_metrics_and_folders(tmp_path: Path, capsys: Capsys) -> None:
    run_dir = tmp_path / "run"
    job_id = _run(
        [("artifact", {"kind": "run-dir", "path": str(run_dir)})],
        result=_train_result(run_dir, {"eval_accuracy": 0.123456789}),
        config={"learning_rate": 3e-5},
    )
    assert main(["runs", "show", job_id[:8]]) == 0  # a unique prefix works
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{job_id} · succeeded"
    assert "  model: acme/tiny-bert" in lines and "  max_steps: 40" in lines
    assert "  learning_rate: 3e-05" in lines
    assert "  eval_accuracy = 0.123457" in lines
    assert lines[-2:] == [f"  run dir: {run_dir}", f"  model: {run_dir / 'model'}"]
    assert not any(line.endswith(": None") for line in lines)  # unset fields are left out


def test_runs_show_of_a_queued_run_has_no_metrics_or_folders(capsys: Capsys) -> None:
    job_id = _run(status=None)
    assert main(["runs", "show", job_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{job_id} · queued"
    assert all(line.startswith("  ") and " = " not in line for line in lines[1:])
    assert not any("run dir:" in line for line in lines)


def test_runs_show_errors(capsys: Capsys) -> None:
    other = _job(JobSpec.create("download", repo_id="acme/x", repo_type="model"))
    assert main(["runs", "show", other]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: Job {other} is a download job, not a training run")
    assert len(captured.err.splitlines()) == 1
    assert main(["runs", "show", "nosuchjob"]) == 1
    assert "No job 'nosuchjob'" in capsys.readouterr().err


def test_runs_compare_table(tmp_path: Path, capsys: Capsys) -> None:
    first = _run(result=_train_result(tmp_path, {"eval_accuracy": 0.75}))
    second = _run(
        [("metric", {"step": 20, "eval_accuracy": 0.8125, "eval_loss": 0.5})],
        status="failed",
        config={"learning_rate": 1e-4},
    )
    assert main(["runs", "compare", first, second]) == 0
    out = capsys.readouterr().out
    assert _cells(out.splitlines()[0]) == ["", first, second]
    assert _row(out, "status") == ["status", "succeeded", "failed"]
    assert _row(out, "eval_accuracy") == ["eval_accuracy", "0.75", "0.8125"]
    assert _row(out, "eval_loss") == ["eval_loss", "—", "0.5"]
    assert _row(out, "learning_rate") == ["learning_rate", "5e-05", "0.0001"]


def test_runs_compare_one_run_and_errors(tmp_path: Path, capsys: Capsys) -> None:
    only = _run(result=_train_result(tmp_path, {"eval_accuracy": 0.75}))
    assert main(["runs", "compare", only]) == 0
    out = capsys.readouterr().out
    assert _cells(out.splitlines()[0]) == ["", only]
    assert _row(out, "eval_accuracy") == ["eval_accuracy", "0.75"]
    other = _job(JobSpec.create("download", repo_id="acme/x", repo_type="model"))
    assert main(["runs", "compare", only, other]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "not a training run" in captured.err
    assert main(["runs", "compare", only, "nosuchjob", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["error"] == "JobNotFoundError"
    assert "No job 'nosuchjob'" in data["title"]
    with pytest.raises(SystemExit) as exc:
        main(["runs", "compare"])  # at least one id
    assert exc.value.code == 2


# --- run train: errors found before anything is launched --------------------------------------


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "train.yaml"
    path.write_text("model: acme/tiny-bert\ndataset: acme/reviews\nmax_steps: 40\n")
    return path


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("max_steps", "Invalid --set 'max_steps'"),
        ("=5", "Invalid --set '=5'"),
        ("no_such_field=1", "unknown field 'no_such_field'"),
        (
            "max_steps=[1",
            "'max_steps': Input should be a valid integer",
        ),  # not YAML: kept as the text "[1", then refused
    ],
)
def test_run_train_bad_set_values(tmp_path: Path, capsys: Capsys, pair: str, message: str) -> None:
    assert main(["run", "train", "--config", str(_config(tmp_path)), "--set", pair]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and message in captured.err
    assert len(captured.err.splitlines()) == 1
    assert _store().list() == []  # nothing was launched


def test_run_train_missing_config_file(tmp_path: Path, capsys: Capsys) -> None:
    assert main(["run", "train", "--config", str(tmp_path / "absent.yaml")]) == 1
    assert "absent.yaml" in capsys.readouterr().err
    assert _store().list() == []


def test_run_train_resume_errors(capsys: Capsys) -> None:
    active = _run(status=None)
    assert main(["run", "train", "--resume", active, "--set", "max_steps=80"]) == 1
    assert f"error: Run {active} is still queued" in capsys.readouterr().err
    ended = _run(status="cancelled")
    assert main(["run", "train", "--resume", ended]) == 1
    assert f"Run {ended} has no checkpoint to resume from" in capsys.readouterr().err
    finished = _run(status="succeeded")  # resuming it would train step 41 of 40 into model/
    assert main(["run", "train", "--resume", finished, "--set", "max_steps=80"]) == 1
    err = capsys.readouterr().err
    assert f"Run {finished} finished: there is nothing to resume" in err
    assert "start a new run from its model" in err
    other = _job(JobSpec.create("download", repo_id="acme/x", repo_type="model"), status="failed")
    assert main(["run", "train", "--resume", other]) == 1
    assert "not a training run" in capsys.readouterr().err
    assert main(["run", "train", "--resume", "nosuchjob"]) == 1
    assert "No job 'nosuchjob'" in capsys.readouterr().err
    assert len(_store().list()) == 4  # nothing new was launched


# --- jobs list / show / logs / cancel / rm / prune --------------------------------------------


def test_jobs_list_human(capsys: Capsys) -> None:
    assert main(["jobs", "list"]) == 0
    assert capsys.readouterr().out == "No jobs.\n"
    done = _job(
        JobSpec.create("download", repo_id="acme/model-a", repo_type="model"), status="succeeded"
    )
    waiting = _run(status=None)
    assert main(["jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert _cells(out.splitlines()[0]) == ["id", "status", "what", "age"]
    done_row = _row(out, done)
    assert done_row[1] == "succeeded" and "acme/model-a" in done_row[2]
    assert _row(out, waiting)[1] == "queued"


def test_jobs_show_human(capsys: Capsys) -> None:
    job_id = _job(
        JobSpec.create("download", repo_id="acme/model-a", repo_type="model"),
        [
            ("heartbeat", {}),
            ("progress", {"done": 1024, "total": 2048, "unit": "B"}),
            ("log", {"level": "warning", "message": "slow mirror"}),
        ],
        status="failed",
        error={"title": "Download failed", "hint": "Check the network."},
    )
    assert main(["jobs", "show", job_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{job_id}  failed  ") and "acme/model-a" in lines[0]
    assert lines[1] == "error: Download failed — Check the network."
    assert len(lines) == 4  # the heartbeat is left out
    assert lines[2].endswith(" progress 1.0 KiB / 2.0 KiB")
    assert lines[3].endswith("warning: slow mirror")


def test_jobs_show_result_and_unknown_id(capsys: Capsys) -> None:
    job_id = _job(
        JobSpec.create("download", repo_id="acme/model-a", repo_type="model"),
        status="succeeded",
        result={"path": "/cache/acme/model-a"},
    )
    assert main(["jobs", "show", job_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:3] == ["result:", "  path: /cache/acme/model-a"]  # never a Python dict
    assert main(["jobs", "show", "nosuchjob"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: No job 'nosuchjob'")


def test_jobs_logs_human_and_json(capsys: Capsys) -> None:
    job_id = _job(
        JobSpec.create("download", repo_id="acme/model-a", repo_type="model"),
        [("heartbeat", {}), ("log", {"level": "info", "message": "fetching"})],
        status="succeeded",
    )
    assert main(["jobs", "logs", job_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].endswith("info: fetching")  # no log file: no pointer
    log = _store().log_path(job_id)
    log.write_text("Traceback: boom\n")
    assert main(["jobs", "logs", job_id, "--follow"]) == 0  # ended: follow stops at once
    assert capsys.readouterr().out.splitlines()[-1] == f"(process output: {log})"
    assert main(["jobs", "logs", job_id, "--json"]) == 0
    out = capsys.readouterr().out
    assert "process output" not in out
    event = json.loads(out)
    assert event["type"] == "log" and event["message"] == "fetching" and "time" in event
    assert main(["jobs", "logs", "nosuchjob"]) == 1
    assert "No job 'nosuchjob'" in capsys.readouterr().err


def test_jobs_logs_follow_prints_until_the_job_ends(capsys: Capsys) -> None:
    job_id = _job(
        JobSpec.create("download", repo_id="acme/model-a", repo_type="model"),
        [("log", {"level": "info", "message": "started"})],
    )
    store = _store()

    def worker_finishes() -> None:  # what a worker writes while someone follows its job
        EventWriter(store.events_path(job_id)).emit("log", level="info", message="halfway")
        store.finish(job_id, "succeeded")

    timer = threading.Timer(0.5, worker_finishes)
    timer.start()
    try:
        assert main(["jobs", "logs", job_id, "-f"]) == 0
    finally:
        timer.join()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["info: started", "info: halfway"]


def test_jobs_cancel_rm_prune_human(capsys: Capsys) -> None:
    queued = _run(status=None)
    assert main(["jobs", "cancel", queued]) == 0
    assert capsys.readouterr().out == f"{queued} cancelled\n"
    assert main(["jobs", "cancel", queued]) == 1
    assert f"error: Job {queued} already cancelled" in capsys.readouterr().err
    assert main(["jobs", "rm", queued]) == 0
    assert capsys.readouterr().out == f"Removed {queued}.\n"
    assert main(["jobs", "show", queued]) == 1
    capsys.readouterr()
    finished = [_run(status="succeeded"), _run(status="failed")]
    still = _run(status=None)
    assert main(["jobs", "prune"]) == 0
    assert capsys.readouterr().out == "Removed 2 finished jobs.\n"
    assert [r.id for r in _store().list()] == [still]
    assert all(job_id not in {r.id for r in _store().list()} for job_id in finished)


def test_jobs_cancel_rm_prune_json(capsys: Capsys) -> None:
    queued = _run(status=None)
    assert main(["jobs", "cancel", queued, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["id"] == queued and data["status"] == "cancelled"
    assert main(["jobs", "rm", queued, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "removed": queued}
    finished = _run(status="failed")
    assert main(["jobs", "prune", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "removed": [finished]}
    assert main(["jobs", "rm", "nosuchjob", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["error"] == "JobNotFoundError"
