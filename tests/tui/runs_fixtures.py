"""Training runs and evaluate jobs written into the real job store, as workers would write them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs.events import EventWriter, JobEvent
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore, Status
from hf_ecosystem.training.spec import TrainSpec

Event = tuple[str, dict[str, Any]]


def job_store() -> JobStore:
    """The store of the test's isolated HFTUI_HOME (the one the app reads)."""
    return JobStore(load_settings().home)


def train_config(**fields: Any) -> dict[str, Any]:
    """A valid TrainSpec as the job stores it."""
    base = {"model": "acme/tiny-bert", "dataset": "acme/reviews", "max_steps": 40}
    return TrainSpec.parse({**base, **fields}).to_dict()


def curve_events(steps: Iterable[int], total: int = 40, *, start_loss: float = 1.0) -> list[Event]:
    """progress + train loss + an evaluation at each step."""
    events: list[Event] = []
    for i, step in enumerate(steps):
        loss = round(start_loss / (i + 1), 4)
        events += [
            ("progress", {"done": step, "total": total, "unit": "steps", "rate": 2.0,
                          "eta": (total - step) / 2.0}),
            ("metric", {"step": step, "epoch": step / total, "loss": loss,
                        "learning_rate": 5e-5, "samples_per_second": 32.0}),
            ("metric", {"step": step, "epoch": step / total, "eval_loss": loss + 0.1,
                        "eval_accuracy": round(0.5 + 0.1 * i, 4), "eval_runtime": 1.5}),
        ]  # fmt: skip
    return events


def write_events(store: JobStore, job_id: str, events: Iterable[Event]) -> None:
    """Append events the way a worker does."""
    writer = EventWriter(store.events_path(job_id))
    for kind, data in events:
        writer.emit(kind, **data)  # type: ignore[arg-type]


def write_fixed_events(store: JobStore, job_id: str, events: Iterable[Event], when: float) -> None:
    """Append events stamped with a fixed time (for snapshots)."""
    with store.events_path(job_id).open("a", encoding="utf-8") as handle:
        for kind, data in events:
            handle.write(JobEvent(kind, data, when).to_json() + "\n")  # type: ignore[arg-type]


def make_run(
    store: JobStore,
    config: dict[str, Any] | None = None,
    events: Iterable[Event] = (),
    *,
    status: Status | None = None,
    result: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> str:
    """A train job with these events; finished with `status` when given (else queued)."""
    record = store.create(JobSpec.create("train", config=config or train_config()))
    write_events(store, record.id, events)
    if status is not None:
        store.finish(record.id, status, result=result, error=error)
    return record.id


def make_evaluation(
    store: JobStore,
    model_dir: Path,
    events: Iterable[Event] = (),
    *,
    result: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    **params: Any,
) -> str:
    """An evaluate job; finished as succeeded with `result` (failed with `error`) when given."""
    spec = JobSpec.create(
        "evaluate", model=str(model_dir), dataset="acme/reviews", task="text-classification",
        **params,
    )  # fmt: skip
    record = store.create(spec)
    write_events(store, record.id, events)
    if result is not None:
        store.finish(record.id, "succeeded", result=result)
    elif error is not None:
        store.finish(record.id, "failed", error=error)
    return record.id
