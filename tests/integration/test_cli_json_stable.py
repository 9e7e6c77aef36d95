"""CLI `--json` output is pinned: finished jobs of every kind, runs and an offline search.

The store is filled the way workers fill it (fixed ids, times and event stamps), each command's
output is normalised only for the temp folder, and compared with `cli_json_golden.json` byte
for byte. Regenerate the golden file (HFTUI_UPDATE_GOLDEN=1) only for an intended change.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem import preflight
from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs import store as store_module
from hf_ecosystem.jobs.events import JobEvent
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_tui.cli import main

GOLDEN = Path(__file__).with_name("cli_json_golden.json")
T0 = 1_760_000_000.0
CONFIG = {"model": "acme/tiny-bert", "dataset": "acme/reviews", "max_steps": 40}


def _train_result(run_dir: Path) -> dict[str, Any]:
    return {
        "output_dir": str(run_dir),
        "metrics": {"eval_loss": 0.61, "eval_accuracy": 0.75, "epoch": 1.0},
        "train_metrics": {"train_loss": 0.7, "train_runtime": 3.2},
        "global_step": 40,
        "best_checkpoint": None,
        "labels": ["negative", "positive"],
        "precision": "fp32",
        "model_dir": str(run_dir / "model"),
    }


def _evaluate_result(out: Path, run_id: str) -> dict[str, Any]:
    return {
        "task": "text-classification",
        "model": str(out.parent / "model"),
        "dataset": "acme/reviews",
        "split": "test",
        "samples": 4,
        "run": run_id,
        "metrics": {"accuracy": 0.75, "f1_macro": 0.7},
        "output_dir": str(out),
        "files": {"evaluation": str(out / "evaluation.json"), "errors": str(out / "errors.csv")},
        "confusion": {"labels": ["negative", "positive"], "counts": [[1, 1], [0, 2]]},
        "errors": [
            {
                "index": 2,
                "text": "meh",
                "true": "negative",
                "predicted": "positive",
                "confidence": 0.9,
            },
        ],
        "errors_total": 1,
    }


def _finish(store: JobStore, job_id: str, n: int, **fields: Any) -> None:
    store.finish(job_id, fields.pop("status", "succeeded"), **fields)
    store.update(job_id, created_at=T0 + n, started_at=T0 + n + 0.5, finished_at=T0 + n + 9)


def _events(store: JobStore, job_id: str, events: list[tuple[str, dict[str, Any]]]) -> None:
    with store.events_path(job_id).open("a", encoding="utf-8") as handle:
        for i, (kind, data) in enumerate(events):
            handle.write(JobEvent(kind, data, T0 + i).to_json() + "\n")  # type: ignore[arg-type]


def _more_jobs(add: Callable[..., str], root: Path, model: Path, inputs: Path, train: str) -> None:
    """A publish, download, inference, batch, seed job and a failed run."""
    publish = {
        "repo_id": "acme/tiny-clf", "local": True, "files": ["README.md", "config.json"],
        "total_bytes": 1234, "commit": "v1", "path": str(root / "hub/models/acme/tiny-clf"),
        "revisions": ["v1"], "skipped": ["optimizer.pt"], "warnings": [], "card": "generated",
        "license": "apache-2.0",
    }  # fmt: skip
    add("publish", JobSpec.create("publish", source=str(model), repo_id="acme/tiny-clf",
                                  local=True, run=train), result=publish)  # fmt: skip
    snapshot = root / "hf_home/hub/models--acme--bert/snapshots/abc"
    add("download", JobSpec.create("download", repo_id="acme/bert"),
        result={"path": str(snapshot), "repo_id": "acme/bert"})  # fmt: skip
    add("inference", JobSpec.create("inference", task="text-classification", model=str(model),
                                    input="great"),
        result={"task": "text-classification", "model": str(model),
                "output": [{"label": "positive", "score": 0.9}], "device": "cpu",
                "dtype": "float32"})  # fmt: skip
    output = str(root / "out.jsonl")
    add(
        "batch",
        JobSpec.create(
            "batch-inference",
            task="text-classification",
            model=str(model),
            input=str(inputs),
            output=output,
        ),
        result={"output": output, "rows": 1, "computed": 1, "resumed": 0, "batches": 1},
    )
    add("seed", JobSpec.create("demo-seed"),
        result={"root": str(root / "hftui_home/hub"), "created": ["acme/a"],
                "skipped": []})  # fmt: skip
    add("failed", JobSpec.create("train", config=CONFIG), status="failed", exit_code=1,
        error={"title": "Out of memory", "hint": "Lower batch_size."})  # fmt: skip


@pytest.fixture
def jobs(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """One finished job of each kind (and a failed one), ids job-01 … in creation order."""
    numbers = count(1)
    monkeypatch.setattr(store_module, "new_job_id", lambda: f"job-{next(numbers):02d}")
    store = JobStore(load_settings().home)
    model = isolated_env / "model"
    model.mkdir()
    inputs = isolated_env / "inputs.csv"
    inputs.write_text("text\nhi\n", encoding="utf-8")
    ids: dict[str, str] = {}

    def add(name: str, spec: JobSpec, **fields: Any) -> str:
        record = store.create(spec)
        _finish(store, record.id, len(ids), **fields)
        ids[name] = record.id
        return record.id

    run_dir = isolated_env / "runs" / "job-01"
    train = add("train", JobSpec.create("train", config=CONFIG), result=_train_result(run_dir))
    _events(store, train, [
        ("artifact", {"path": str(run_dir), "kind": "run-dir"}),
        ("progress", {"done": 40, "total": 40, "unit": "steps", "rate": 2.0, "eta": 0.0}),
        ("metric", {"step": 40, "epoch": 1.0, "loss": 0.5, "eval_accuracy": 0.75}),
        ("artifact", {"path": str(run_dir / "checkpoint-40"), "kind": "checkpoint"}),
        ("artifact", {"path": str(run_dir / "model"), "kind": "model"}),
    ])  # fmt: skip
    out = run_dir / "evaluation" / "job-02"
    spec = JobSpec.create(
        "evaluate", model=str(model), dataset="acme/reviews", task="text-classification", run=train
    )
    evaluation = add("evaluate", spec, result=_evaluate_result(out, train))
    _events(store, evaluation, [("metric", {"samples": 4, "accuracy": 0.75})])
    _more_jobs(add, isolated_env, model, inputs, train)
    yield ids
    store.close()


def _local_repo(root: Path, repo_id: str, card: str) -> None:
    folder = root / "models" / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(card, encoding="utf-8")
    (folder / "config.json").write_text("{}", encoding="utf-8")
    os.utime(folder / "README.md", (T0, T0))
    os.utime(folder / "config.json", (T0, T0))


def _output(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> str:
    assert main([*argv, "--json"]) == 0
    return capsys.readouterr().out.replace(str(root), "<ROOT>")


def _waited(
    jobs: dict[str, str], root: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:  # fmt: skip
    """`--wait --json` of launch commands, the launch answered by an already finished job."""
    config = root / "train.yaml"
    config.write_text("model: acme/tiny-bert\ndataset: acme/reviews\nmax_steps: 40\n", "utf-8")
    commands = {
        "train": ["run", "train", "--config", str(config)],
        "evaluate": ["run", "evaluate", "--model", str(root / "model"), "--dataset", "acme/r",
                     "--task", "text-classification"],
        "download": ["download", "acme/bert"],
        "inference": ["run", "inference", "--task", "text-classification", "--model",
                      str(root / "model"), "--input", "great"],
    }  # fmt: skip
    outputs: dict[str, str] = {}
    # The references are made up: what is pinned here is the output, not the checks before launch.
    monkeypatch.setattr(preflight, "check_spec", lambda spec, settings=None: None)
    for name, argv in commands.items():
        finished = JobManager().get(jobs[name])
        monkeypatch.setattr(JobManager, "launch", lambda self, spec, r=finished: r)
        outputs[f"{argv[0]} {argv[1]} --wait"] = _output(capsys, root, *argv, "--wait")
    return outputs


def test_cli_json_output_is_unchanged(
    jobs: dict[str, str], isolated_env: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _local_repo(isolated_env / "hftui_home" / "hub", "team/reviews-bert",
                "---\nlicense: mit\npipeline_tag: text-classification\n---\n# r\n")  # fmt: skip
    outputs = {"jobs list": _output(capsys, isolated_env, "jobs", "list")}
    for name, job_id in jobs.items():
        outputs[f"jobs show {name}"] = _output(capsys, isolated_env, "jobs", "show", job_id)
    outputs["jobs logs train"] = _output(capsys, isolated_env, "jobs", "logs", jobs["train"])
    outputs["runs list"] = _output(capsys, isolated_env, "runs", "list")
    outputs["runs show"] = _output(capsys, isolated_env, "runs", "show", jobs["train"])
    outputs["runs compare"] = _output(
        capsys, isolated_env, "runs", "compare", jobs["train"], jobs["failed"]
    )
    outputs["models search"] = _output(capsys, isolated_env, "models", "search", "--offline")
    outputs.update(_waited(jobs, isolated_env, capsys, monkeypatch))
    if os.environ.get("HFTUI_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(outputs, indent=1, ensure_ascii=False) + "\n", "utf-8")
    expected: dict[str, str] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(outputs) == list(expected)
    for name, text in outputs.items():
        assert text == expected[name], name
