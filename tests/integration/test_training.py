"""Fine-tuning as jobs: a real MiniLM fine-tune on BBC headlines, kill + resume, every task type.

The MiniLM runs go through the real job engine (detached worker processes); the per-task runs use
tiny random models in-process through the same job handler.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.config import load_settings
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.demo.datasets import build_bbc_news, build_wnut16
from hf_ecosystem.jobs.context import JobContext
from hf_ecosystem.jobs.events import EventWriter, read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.training.job import run_train_job
from hf_ecosystem.training.runs import RunError, get_run, resume_spec
from hf_tui.cli import main

tiny_model = fixtures.tiny_model


@pytest.fixture(scope="session")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bbc")
    build_bbc_news(folder)
    return folder


def _majority_share(bbc: Path) -> float:
    import csv

    with (bbc / "data" / "train.csv").open(encoding="utf-8") as handle:
        labels = [row["label"] for row in csv.DictReader(handle)]
    return max(Counter(labels).values()) / len(labels)


@pytest.mark.slow
def test_fine_tune_minilm_from_a_yaml_config(
    bbc: Path, minilm_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bbc.yaml"
    config.write_text(
        f"model: {minilm_path}\ndataset: {bbc}\ntask: text-classification\n"
        "text_column: headline\nlabel_column: label\nvalidation_split: 0.2\nepochs: 1\n"
        "batch_size: 32\nmax_length: 32\nlearning_rate: 1.0e-4\nseed: 42\n"
        "save_strategy: 'no'\nlogging_steps: 5\n",
        encoding="utf-8",
    )
    assert main(["run", "train", "--config", str(config), "--wait", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "succeeded", out
    metrics = out["metrics"]
    baseline = _majority_share(bbc)
    assert metrics["eval_accuracy"] > baseline + 0.3, (metrics, baseline)
    assert {"eval_loss", "eval_f1_macro", "eval_f1_weighted"} <= set(metrics)

    run = get_run(JobManager(), out["id"])
    # Live curves come from the events: train loss at every logging step, eval at the end.
    assert len(run.history.steps["loss"]) >= 5
    assert run.history.steps["eval_accuracy"][-1][1] == pytest.approx(metrics["eval_accuracy"])
    assert run.history.steps["samples_per_second"][-1][1] > 0
    assert run.history.progress == (45.0, 45)  # 1,424 rows / 32 per step, one epoch
    # The model folder loads with plain transformers and knows the topics.
    from transformers import AutoConfig

    model_dir = Path(out["model_dir"])
    labels = AutoConfig.from_pretrained(model_dir).id2label
    assert labels is not None
    assert sorted(labels.values()) == ["business", "entertainment", "politics", "sports", "tech"]
    # TensorBoard: scalars from report_to plus our hyperparameters.
    board = Path(run.history.run_dir or "") / "tensorboard"
    assert list(board.rglob("events.out.tfevents.*"))
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tags = set()
    for events_file in board.rglob("events.out.tfevents.*"):
        acc = EventAccumulator(str(events_file.parent))
        acc.Reload()
        scalars = acc.Tags().get("scalars", [])
        assert isinstance(scalars, list)
        tags |= set(scalars)
    assert "train/loss" in tags and "hparam/eval_accuracy" in tags


def _resume_config(bbc: Path, minilm_path: Path, out: Path) -> dict[str, Any]:
    return {
        "model": str(minilm_path),
        "dataset": str(bbc),
        "text_column": "headline",
        "max_train_samples": 320,
        "max_eval_samples": 64,
        "max_steps": 20,
        "batch_size": 16,
        "max_length": 24,
        "learning_rate": 1e-4,
        "eval_strategy": "steps",
        "eval_steps": 20,
        "save_strategy": "steps",
        "save_steps": 10,
        "logging_steps": 5,
        "report_to": ["none"],
        "output_dir": str(out),
    }


def _wait_for_checkpoint(manager: JobManager, job_id: str, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    offset = 0
    while time.monotonic() < deadline:
        events, offset = read_events(manager.events_path(job_id), offset)
        for event in events:
            if event.type == "artifact" and str(event.data["path"]).endswith(name):
                return
        assert manager.get(job_id).is_active, manager.get(job_id)
        time.sleep(0.05)
    raise AssertionError(f"no {name} within {timeout} s")


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_metrics(
    bbc: Path,
    minilm_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HFTUI_MAX_JOBS", "2")
    manager = JobManager(load_settings())
    whole = manager.launch(
        JobSpec.create("train", config=_resume_config(bbc, minilm_path, tmp_path / "a"))
    )
    killed = manager.launch(
        JobSpec.create("train", config=_resume_config(bbc, minilm_path, tmp_path / "b"))
    )

    _wait_for_checkpoint(manager, killed.id, "checkpoint-10", timeout=240)
    pid = manager.get(killed.id).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while manager.get(killed.id).status != "lost" and time.monotonic() < deadline:
        manager.refresh()
        time.sleep(0.1)
    assert manager.get(killed.id).status == "lost"

    spec = resume_spec(manager, killed.id)
    assert spec.params["resume_from"] == killed.id
    resumed = manager.launch(spec)
    first = manager.wait(whole.id, timeout=300)
    second = manager.wait(resumed.id, timeout=300)
    assert first.status == second.status == "succeeded", (first.error, second.error)
    assert first.result and second.result
    a, b = first.result["metrics"], second.result["metrics"]
    assert b["eval_accuracy"] == pytest.approx(a["eval_accuracy"], abs=1e-6)
    assert b["eval_loss"] == pytest.approx(a["eval_loss"], rel=1e-4)
    assert second.result["global_step"] == 20
    logs = [e.data.get("message", "") for e in read_events(manager.events_path(resumed.id))[0]]
    assert any(m.startswith("resuming from checkpoint-") for m in logs)

    # Compare view data on the CLI: both runs side by side with their final metrics.
    assert main(["runs", "compare", whole.id, resumed.id, "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    row = next(r for r in table["rows"] if r[0] == "eval_accuracy")
    assert row[1] == row[2]


def _context(spec: JobSpec, tmp_path: Path) -> JobContext:
    events = EventWriter(tmp_path / "events.jsonl")
    return JobContext("inprocess", spec, events, tmp_path / "work", load_settings())


def _train(tmp_path: Path, **config: Any) -> dict[str, Any]:
    base = {
        "max_steps": 3,
        "batch_size": 4,
        "logging_steps": 1,
        "report_to": ["none"],
        "save_strategy": "no",
        "output_dir": str(tmp_path / "run"),
    }
    spec = JobSpec.create("train", config={**base, **config})
    return run_train_job(_context(spec, tmp_path)).to_dict()  # what the job record stores


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["weighted-cross-entropy", "focal"])
def test_custom_losses_train(
    loss: str, tiny_model: Callable[[str], Path], bbc: Path, tmp_path: Path
) -> None:
    result = _train(
        tmp_path,
        model=str(tiny_model("text-classification")),
        dataset=str(bbc),
        text_column="headline",
        loss=loss,
        max_train_samples=40,
        max_eval_samples=20,
    )
    assert result["global_step"] == 3
    assert 0 <= result["metrics"]["eval_accuracy"] <= 1
    assert len(result["labels"]) == 5


@pytest.mark.slow
def test_lora_adapters_are_merged_into_a_plain_model(
    tiny_model: Callable[[str], Path], bbc: Path, tmp_path: Path
) -> None:
    result = _train(
        tmp_path,
        model=str(tiny_model("text-classification")),
        dataset=str(bbc),
        text_column="headline",
        max_train_samples=40,
        max_eval_samples=20,
        lora={"r": 4, "alpha": 8, "target_modules": ["query", "value"]},
    )
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(result["model_dir"])
    assert not any("lora" in name for name, _ in model.named_parameters())
    assert model.config.num_labels == 5


@pytest.mark.slow
def test_token_classification_on_wnut(tiny_model: Callable[[str], Path], tmp_path: Path) -> None:
    data = tmp_path / "wnut"
    build_wnut16(data)
    result = _train(
        tmp_path,
        model=str(tiny_model("token-classification")),
        dataset=str(data),
        task="token-classification",
        text_column="tokens",
        label_column="ner_tags",
        max_train_samples=40,
        max_eval_samples=16,
        eval_strategy="steps",
        eval_steps=3,
    )
    assert "O" in result["labels"] and "eval_accuracy" in result["metrics"]


@pytest.mark.slow
def test_multi_label_classification(tiny_model: Callable[[str], Path], tmp_path: Path) -> None:
    rows = [
        {"text": f"row {i} about " + " ".join(t), "tags": t}
        for i, t in enumerate([["a"], ["b"], ["a", "b"], ["c"]] * 6)
    ]
    data = _write_jsonl(tmp_path / "tags.jsonl", rows)
    result = _train(
        tmp_path,
        model=str(tiny_model("text-classification")),
        dataset=str(data),
        task="multi-label-classification",
        label_column="tags",
        validation_split=0.25,
    )
    assert result["labels"] == ["a", "b", "c"]
    assert {"eval_subset_accuracy", "eval_f1_micro"} <= set(result["metrics"])


@pytest.mark.slow
def test_causal_lm_reports_perplexity(tiny_model: Callable[[str], Path], tmp_path: Path) -> None:
    data = _write_jsonl(
        tmp_path / "lm.jsonl", [{"text": f"the cat sat on mat {i}"} for i in range(24)]
    )
    result = _train(
        tmp_path, model=str(tiny_model("text-generation")), dataset=str(data), task="causal-lm"
    )
    import math

    assert result["metrics"]["eval_perplexity"] == pytest.approx(
        math.exp(result["metrics"]["eval_loss"])
    )


@pytest.mark.slow
def test_seq2seq(tiny_model: Callable[[str], Path], tmp_path: Path) -> None:
    rows = [{"article": f"long text number {i} " * 3, "summary": f"text {i}"} for i in range(20)]
    data = _write_jsonl(tmp_path / "sum.jsonl", rows)
    result = _train(
        tmp_path,
        model=str(tiny_model("summarization")),
        dataset=str(data),
        task="seq2seq",
        text_column="article",
        target_column="summary",
    )
    assert "eval_loss" in result["metrics"] and Path(result["model_dir"], "config.json").is_file()


def test_bad_data_and_run_folders_are_refused(
    tiny_model: Callable[[str], Path], bbc: Path, tmp_path: Path
) -> None:
    model = str(tiny_model("text-classification"))
    with pytest.raises(DataError, match="'topic'"):
        _train(
            tmp_path, model=model, dataset=str(bbc), text_column="headline", label_column="topic"
        )
    with pytest.raises(DataError, match="no split 'dev'"):
        _train(tmp_path, model=model, dataset=str(bbc), text_column="headline", eval_split="dev")
    (tmp_path / "run" / "checkpoint-3").mkdir(parents=True)
    with pytest.raises(RunError, match="already holds checkpoints"):
        _train(tmp_path, model=model, dataset=str(bbc), text_column="headline")
    spec = JobSpec.create(
        "train",
        config={"model": model, "dataset": str(bbc), "output_dir": str(tmp_path / "empty")},
        resume_from="abc123",
    )
    with pytest.raises(RunError, match="Nothing to resume"):
        run_train_job(_context(spec, tmp_path))


def test_invalid_config_is_refused_before_any_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("model: m\ndataset: d\nbatch_sise: 8\n", encoding="utf-8")
    assert main(["run", "train", "--config", str(config)]) == 1
    assert "unknown field 'batch_sise'" in capsys.readouterr().err
    assert JobManager().list() == []
    assert main(["run", "train", "--config", str(config), "--set", "oops"]) == 1
    assert main(["runs", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.slow
def test_create_trainer_from_a_script(
    tiny_model: Callable[[str], Path], bbc: Path, tmp_path: Path
) -> None:
    import hf_ecosystem

    bundle = hf_ecosystem.create_trainer(
        {
            "model": str(tiny_model("text-classification")),
            "dataset": str(bbc),
            "text_column": "headline",
            "max_steps": 2,
            "batch_size": 4,
            "max_train_samples": 16,
            "max_eval_samples": 8,
            "report_to": ["none"],
            "save_strategy": "no",
        },
        output_dir=tmp_path / "run",
    )
    assert bundle.precision == "fp32" and bundle.data.num_labels == 5
    bundle.trainer.train()
    metrics = bundle.trainer.evaluate()
    assert 0 <= metrics["eval_accuracy"] <= 1 and "eval_f1_macro" in metrics


@pytest.mark.slow
def test_two_processes_train_one_run_with_ddp(
    tiny_model: Callable[[str], Path], bbc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HFTUI_TRAIN_PROCESSES=2 on a CPU box: torchrun + gloo DDP, rank 0 reports once."""
    monkeypatch.setenv("HFTUI_TRAIN_PROCESSES", "2")
    config = {
        "model": str(tiny_model("text-classification")),
        "dataset": str(bbc),
        "text_column": "headline",
        "max_steps": 6,
        "batch_size": 8,
        "max_train_samples": 64,
        "max_eval_samples": 32,
        "logging_steps": 2,
        "report_to": ["none"],
        "save_strategy": "no",
        "output_dir": str(tmp_path / "ddp"),
    }
    manager = JobManager(load_settings())
    record = manager.wait(manager.launch(JobSpec.create("train", config=config)).id, timeout=300)
    assert record.status == "succeeded", record.error
    assert record.result is not None
    # 2 processes × batch 8 = 16 rows per step: 6 steps over 64 rows is 1.5 epochs.
    assert record.result["train_metrics"]["epoch"] == pytest.approx(1.5)
    events = read_events(manager.events_path(record.id))[0]
    losses = [e for e in events if e.type == "metric" and "loss" in e.data]
    assert [e.data["step"] for e in losses] == [2, 4, 6]  # rank 0 only: no duplicates
    assert any(e.data.get("message") == "training in 2 processes" for e in events)
    # The evaluation loss is a mean over rows, not scaled by the process count.
    assert record.result["metrics"]["eval_loss"] < 2.5  # ln(5) ≈ 1.61 for an untrained head
