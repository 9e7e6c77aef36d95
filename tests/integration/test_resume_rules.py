"""Resume rules with real training (tiny model, in-process job handlers): a cancelled run's
continuation writes its own model folder and carries the cancelled run's curves; an evaluation
reports its rows as progress of a known total from the start."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from models import fixtures

from hf_ecosystem.config import load_settings
from hf_ecosystem.evaluation.job import run_evaluate_job
from hf_ecosystem.jobs.context import JobCancelled, JobContext
from hf_ecosystem.jobs.events import EventWriter, read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.training.job import run_train_job
from hf_ecosystem.training.runs import RunError, read_history, resume_spec

tiny_model = fixtures.tiny_model
TEXTS = ["great film", "terrible plot", "it was fine", "loved it", "boring", "average"]


def reviews(folder: Path, rows: int = 48) -> Path:
    path = folder / "reviews.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(rows):
            writer.writerow([TEXTS[i % len(TEXTS)], ["positive", "negative", "neutral"][i % 3]])
    return path


def context(manager: JobManager, record: JobRecord) -> JobContext:
    """The context a worker builds for this job: its events go where the UI reads them."""
    events = EventWriter(manager.events_path(record.id))
    return JobContext(record.id, record.spec, events, manager.store.job_dir(record.id),
                      manager.settings)  # fmt: skip


@pytest.mark.slow
def test_a_continuation_writes_its_own_model_and_carries_the_curves(
    tiny_model,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    manager = JobManager(load_settings())
    run_dir = tmp_path / "run"
    config = {"model": str(tiny_model("text-classification")), "dataset": str(reviews(tmp_path)),
              "max_steps": 4, "batch_size": 4, "logging_steps": 1, "save_strategy": "steps",
              "save_steps": 2, "eval_strategy": "no", "report_to": ["none"],
              "output_dir": str(run_dir)}  # fmt: skip
    first = manager.store.create(JobSpec.create("train", config=config))
    ctx = context(manager, first)
    report = ctx.artifact

    def artifact(path: Path | str, kind: str = "file") -> None:
        report(path, kind)
        if kind == "checkpoint" and str(path).endswith("checkpoint-2"):
            ctx.cancel.set()  # the user cancels right after the first checkpoint

    ctx.artifact = artifact  # type: ignore[method-assign]
    with pytest.raises(JobCancelled):
        run_train_job(ctx)
    manager.store.finish(first.id, "cancelled")
    assert not (run_dir / "model").exists()

    second = manager.store.create(resume_spec(manager, first.id))
    result = run_train_job(context(manager, second))
    manager.store.finish(second.id, "succeeded", result=result.to_dict())
    assert result.global_step == 4
    assert result.model_dir == str(run_dir / f"model-{second.id}")
    assert (run_dir / f"model-{second.id}" / "config.json").is_file()
    assert not (run_dir / "model").exists()  # no folder a finished run could own was written

    history = read_history(manager, second.id)  # one run: steps 1-2 from the first job
    assert [step for step, _ in history.steps["loss"]] == [1, 2, 3, 4]
    with pytest.raises(RunError, match=f"continued as {second.id}"):
        resume_spec(manager, first.id)
    with pytest.raises(RunError, match="nothing to resume"):
        resume_spec(manager, second.id)


@pytest.mark.slow
def test_an_evaluation_reports_rows_of_a_known_total(tiny_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = JobManager(load_settings())
    spec = JobSpec.create("evaluate", model=str(tiny_model("text-classification")),
                          dataset=str(reviews(tmp_path, rows=10)), task="text-classification",
                          batch_size=4, device="cpu")  # fmt: skip
    record = manager.store.create(spec)
    run_evaluate_job(context(manager, record))
    events, _ = read_events(manager.events_path(record.id))
    progress = [(e.data["done"], e.data["total"]) for e in events if e.type == "progress"]
    assert progress == [(0, 10), (4, 10), (8, 10), (10, 10)]
