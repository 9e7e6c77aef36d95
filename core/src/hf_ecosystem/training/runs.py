"""Training runs as the CLI and the TUI see them: read back from job records and event logs.

Light on imports (no torch, no pydantic until a spec is built): the TUI process uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hf_ecosystem.config import Settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.events import JobEvent, read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.results import result_as
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.metrics.direction import best_indices, is_bookkeeping
from hf_ecosystem.training.results import TrainResult

# Hyperparameters shown side by side in a compare view (the full config is in the job's spec).
COMPARE_FIELDS = (
    "model",
    "dataset",
    "task",
    "epochs",
    "max_steps",
    "batch_size",
    "gradient_accumulation_steps",
    "learning_rate",
    "lr_scheduler",
    "warmup_ratio",
    "weight_decay",
    "loss",
    "seed",
    "lora",
)
_TRAIN_ONLY = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss")


class RunError(HfEcoError):
    """A job id that is not a training run, or a run that cannot be resumed."""

    default_title = "Not a training run"
    default_hint = "List runs with `hf-tui runs list`."


@dataclass
class RunHistory:
    """Curves and summary numbers of one run, from its events."""

    # name -> (step, v)
    steps: dict[str, list[tuple[int, float]]] = field(
        default_factory=dict[str, list[tuple[int, float]]]
    )
    last: dict[str, float] = field(default_factory=dict[str, float])  # newest value of each metric
    run_dir: str | None = None
    checkpoints: list[str] = field(default_factory=list[str])
    model_dir: str | None = None
    progress: tuple[float, float | None] | None = None  # (done, total) steps
    eta: float | None = None
    rate: float | None = None

    def add(self, event: JobEvent) -> None:
        """Fold one event in (events arrive in file order)."""
        data = event.data
        if event.type == "metric":
            step = int(data.get("step", 0))
            for name, value in data.items():
                if name in ("step", "epoch") or isinstance(value, bool):
                    continue
                if isinstance(value, int | float):
                    self.steps.setdefault(name, []).append((step, float(value)))
                    self.last[name] = float(value)
        elif event.type == "artifact":
            kind = data.get("kind")
            path = str(data.get("path", ""))
            if kind == "run-dir":
                self.run_dir = path
            elif kind == "checkpoint" and path not in self.checkpoints:
                self.checkpoints.append(path)
            elif kind == "model":
                self.model_dir = path
        elif event.type == "progress":
            self.progress = (float(data.get("done", 0)), data.get("total"))
            self.eta = data.get("eta")
            self.rate = data.get("rate")

    def extend(self, events: Iterable[JobEvent]) -> None:
        """Fold many events in."""
        for event in events:
            self.add(event)

    @property
    def final_metrics(self) -> dict[str, float]:
        """The newest evaluation metrics (`eval_*`) and training summary numbers."""
        keep = {k: v for k, v in self.last.items() if k.startswith("eval_") or k in _TRAIN_ONLY}
        return dict(sorted(keep.items()))


@dataclass(frozen=True)
class RunSummary:
    """One run for a list or a compare view."""

    record: JobRecord
    config: dict[str, Any]
    history: RunHistory

    @property
    def metrics(self) -> dict[str, float]:
        """Final metrics: the job's result when it has one, else the newest from its events."""
        result = self.result
        if result is not None and result.metrics:
            return dict(result.metrics)
        return self.history.final_metrics

    @property
    def result(self) -> TrainResult | None:
        """The finished run's result (None while it has none)."""
        return result_as(self.record, TrainResult)

    @property
    def model_dir(self) -> Path | None:
        """The folder holding the run's final model, None until it has saved one."""
        return run_model_dir(self.record, self.history)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "id": self.record.id,
            "status": self.record.status,
            "config": self.config,
            "metrics": self.metrics,
            "run_dir": self.history.run_dir,
            "model_dir": str(self.model_dir) if self.model_dir else None,
            "checkpoints": self.history.checkpoints,
        }


def run_model_dir(record: JobRecord, history: RunHistory) -> Path | None:
    """Where a run saved its final model: its `model` artifact, else its result's model_dir.

    The one answer for every view and command (the events can be cut short, the result not).
    """
    if history.model_dir:
        return Path(history.model_dir)
    result = result_as(record, TrainResult)
    return Path(result.model_dir) if result is not None and result.model_dir else None


def read_history(manager: JobManager, job_id: str) -> RunHistory:
    """Every event of a run folded into curves and summaries; a continuation's curves start
    with the run it continues (one run, not two halves)."""
    history = RunHistory()
    history.extend(earlier_events(manager, manager.get(job_id)))
    events, _ = read_events(manager.events_path(job_id))
    history.extend(events)
    return history


def resumed_step(record: JobRecord, events: Iterable[JobEvent] = ()) -> int | None:
    """The step a continuation started from: its `resumed-from` checkpoint (checkpoint-N)."""
    if not record.spec.params.get("resume_from"):
        return None
    for event in events:
        if event.type == "artifact" and event.data.get("kind") == "resumed-from":
            return checkpoint_step(Path(str(event.data.get("path", ""))))
    return None


def checkpoint_step(path: Path) -> int | None:
    """N of a `checkpoint-N` folder."""
    number = path.name.removeprefix("checkpoint-")
    return int(number) if path.name.startswith("checkpoint-") and number.isdigit() else None


def earlier_events(manager: JobManager, record: JobRecord, depth: int = 0) -> list[JobEvent]:
    """The metric events of the runs a continuation continues, up to the step it resumed from.

    Steps after that checkpoint were trained again by the continuation: the earlier run's
    values for them are left out. Before the continuation has said where it resumed, every
    metric of the earlier run counts.
    """
    parent_id = record.spec.params.get("resume_from")
    if not parent_id or depth > 50:  # a chain longer than that is not one a user made
        return []
    try:
        parent = manager.get(str(parent_id))
    except HfEcoError:  # the earlier run was removed: this run's own events are all there is
        return []
    own, _ = read_events(manager.events_path(record.id))
    start = resumed_step(record, own)
    parent_events, _ = read_events(manager.events_path(parent.id))
    return [
        event
        for event in [*earlier_events(manager, parent, depth + 1), *parent_events]
        if event.type == "metric" and (start is None or int(event.data.get("step", 0)) <= start)
    ]


def is_run(record: JobRecord) -> bool:
    """A training job."""
    return record.kind == "train"


def list_runs(manager: JobManager) -> list[RunSummary]:
    """Every training run, newest first."""
    return [summarize(manager, r) for r in manager.list() if is_run(r)]


def get_run(manager: JobManager, job_id: str) -> RunSummary:
    """One run by id (a unique prefix works); RunError when the job is not a training run."""
    record = manager.get(job_id)
    if not is_run(record):
        raise RunError(f"Job {record.id} is a {record.kind} job, not a training run")
    return summarize(manager, record)


def summarize(manager: JobManager, record: JobRecord) -> RunSummary:
    """A run's config, history and final metrics."""
    config = dict(record.spec.params.get("config", {}))
    return RunSummary(record, config, read_history(manager, record.id))


@dataclass(frozen=True)
class CompareRow:
    """One line of a compare view: the status, a hyperparameter or a final metric, across runs."""

    name: str
    cells: tuple[str, ...]  # one per run, as shown ("—" where a run has none)
    kind: Literal["status", "field", "metric"]
    best: tuple[int, ...] = ()  # the runs holding the best value of a metric (ties: all of them)

    @property
    def differs(self) -> bool:
        """True when the runs do not all show the same value."""
        return len(set(self.cells)) > 1


def compare_table(runs: Sequence[RunSummary]) -> list[CompareRow]:
    """A compare view's rows, one column per run: the status, the hyperparameters any run sets,
    then every final metric except bookkeeping (runtime, throughput, FLOPs, epoch), each metric
    with its best run marked (lower loss and perplexity, higher accuracy, F1, BLEU…)."""
    rows = [CompareRow("status", tuple(r.record.status for r in runs), "status")]
    for name in COMPARE_FIELDS:
        cells = tuple(_show(r.config.get(name)) for r in runs)
        if any(v != "—" for v in cells):
            rows.append(CompareRow(name, cells, "field"))
    names = sorted({k for r in runs for k in r.metrics if not is_bookkeeping(k)})
    for name in names:
        values = [r.metrics.get(name) for r in runs]
        cells = tuple(_show(v) for v in values)
        rows.append(CompareRow(name, cells, "metric", best_indices(name, values)))
    return rows


def compare_rows(runs: Sequence[RunSummary]) -> tuple[list[str], list[list[str]]]:
    """compare_table as plain text: a header of run ids and one row per field or metric."""
    header = ["", *[r.record.id for r in runs]]
    return header, [[row.name, *row.cells] for row in compare_table(runs)]


def eval_curves(runs: Sequence[RunSummary]) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """Each evaluation metric logged during training (eval_loss first), with every run's curve
    of it: what a compare view overlays. Bookkeeping such as eval_runtime is left out."""
    names = {n for r in runs for n in r.history.steps if n.startswith("eval_")}
    names = {n for n in names if not is_bookkeeping(n)}
    ordered = sorted(names, key=lambda n: (n != "eval_loss", n))
    return {
        name: {r.record.id: list(r.history.steps[name]) for r in runs if r.history.steps.get(name)}
        for name in ordered
    }


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())  # pyright: ignore[reportUnknownVariableType]
    return str(value)


def default_run_dir(settings: Settings, job_id: str) -> Path:
    """Where a run writes checkpoints when its config names no output_dir."""
    return settings.home / "runs" / job_id


def run_folder(run: RunSummary, settings: Settings) -> Path:
    """Where a run writes: its run-dir artifact, else its config's output_dir, else the default."""
    named = run.history.run_dir or run.config.get("output_dir")
    return Path(str(named)) if named else default_run_dir(settings, run.record.id)


def resume_spec(manager: JobManager, job_id: str) -> JobSpec:
    """A new train job that continues `job_id` from its last checkpoint (same config, same dir)."""
    run = get_run(manager, job_id)
    if run.record.is_active:
        raise RunError(
            f"Run {run.record.id} is still {run.record.status}",
            "Cancel it first, or wait for it to end.",
        )
    run_dir = run_folder(run, manager.settings)
    if run.record.status == "succeeded":
        # Resuming would train past its last step and write into its finished model/ folder.
        model_dir = run_model_dir(run.record, run.history) or run_dir / "model"
        raise RunError(
            f"Run {run.record.id} finished: there is nothing to resume",
            f"To train further, start a new run from its model (model: {model_dir}).",
        )
    if (later := continuation_of(manager, run.record.id)) is not None:
        what = "is still running" if later.is_active else f"ended ({later.status})"
        hint = (
            f"Resume {later.id} instead."
            if not later.is_active and later.status != "succeeded"
            else "Follow that run; it carries this one's history."
        )
        raise RunError(f"Run {run.record.id} was continued as {later.id}, which {what}", hint)
    if last_complete_checkpoint(run_dir) is None:
        raise RunError(
            f"Run {run.record.id} has no checkpoint to resume from in {run_dir}",
            "Start it again instead; checkpoints are saved by save_strategy.",
        )
    config = {**run.config, "output_dir": str(run_dir)}
    return JobSpec.create("train", config=config, resume_from=run.record.id)


def continuation_of(manager: JobManager, job_id: str) -> JobRecord | None:
    """The newest train job that continues `job_id`, if any."""
    return next(
        (r for r in manager.list() if is_run(r) and r.spec.params.get("resume_from") == job_id),
        None,
    )


def final_model_dir(run_dir: Path, job_id: str, *, continuation: bool) -> Path:
    """Where a run saves its final model: `model/`, unless this is a continuation or `model/`
    already holds another run's model; then `model-<job id>/`. No run writes into another's."""
    folder = run_dir / "model"
    if continuation or (folder.is_dir() and any(folder.iterdir())):
        return run_dir / f"model-{job_id}"
    return folder


def checkpoints(folder: Path) -> list[Path]:
    """checkpoint-N folders, oldest first."""
    try:
        found = [p for p in folder.iterdir() if p.is_dir() and p.name.startswith("checkpoint-")]
    except OSError:
        return []
    return sorted(found, key=lambda p: int(p.name.split("-")[-1] or 0))


def last_complete_checkpoint(folder: Path) -> Path | None:
    """The newest checkpoint the Trainer finished writing.

    A run killed mid-save leaves a folder with weights but no optimizer state; resuming from it
    would silently restart the optimizer. The Trainer writes trainer_state.json last, so only
    folders holding it count.
    """
    done = [p for p in checkpoints(folder) if (p / "trainer_state.json").is_file()]
    return done[-1] if done else None
