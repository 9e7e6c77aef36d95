"""How long a fine-tune will take, said before it starts. An estimate, not a measurement.

Training a transformer costs about 6 FLOPs per parameter per token (2 forward, 4 backward;
Kaplan et al. 2020 — the count transformers reports as `total_flos`), embeddings excluded (a
lookup, not a matmul). The run's FLOPs divided by the speed this machine reaches give seconds.
The speed is measured here: the FLOPs per second of the training runs already finished on this
machine (`total_flos / train_runtime`, the median), or before there is one, a short float32
matrix-multiply benchmark on the CPU times the share of that peak a CPU fine-tune reaches.
Not counted: loading, evaluation passes, checkpoints. Texts shorter than `max_length` make the
real run faster; the estimate reads a sample of the texts to size the tokens per row.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from hf_ecosystem.errors import HfEcoError

if TYPE_CHECKING:
    from hf_ecosystem.hub.backend import HubBackend
    from hf_ecosystem.jobs.manager import JobManager
    from hf_ecosystem.training.spec import TrainSpec

FLOPS_PER_PARAMETER_TOKEN = 6.0
# The share of the matmul benchmark's peak a CPU fine-tune reaches (padding, attention,
# optimizer and data collation cost time the benchmark does not count).
CPU_TRAINING_EFFICIENCY = 0.25
CHARS_PER_TOKEN = 4.0  # English text in a subword vocabulary; a sample sets tokens per row
SPECIAL_TOKENS = 2  # [CLS] … [SEP], <s> … </s>
SAMPLE_ROWS = 10_000  # rows read to count a split whose size is not recorded, and to size texts


class EstimateError(HfEcoError):
    """An estimate cannot be made (unknown parameters, impossible numbers)."""

    default_title = "No time estimate"
    default_hint = "The run can still start; its view shows the real pace."


@dataclass(frozen=True)
class MachineSpeed:
    """Training FLOPs per second this machine reaches, and where that figure comes from."""

    flops_per_second: float
    basis: str


@dataclass(frozen=True)
class TrainEstimate:
    """A run's size and its estimated wall time."""

    steps: int  # optimizer steps
    samples: int  # training rows seen, repeats included
    tokens: int
    flops: float
    seconds: float
    basis: str  # where the speed came from
    at_least: bool = False  # the dataset has more rows than were counted

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def plan_steps(
    rows: int,
    *,
    epochs: float | None,
    max_steps: int | None,
    batch_size: int,
    gradient_accumulation_steps: int = 1,
) -> tuple[int, int]:
    """(optimizer steps, samples seen) the Trainer will run: max_steps wins over epochs."""
    if rows < 0 or batch_size < 1 or gradient_accumulation_steps < 1:
        raise EstimateError("rows, batch size and accumulation must be positive")
    per_step = batch_size * gradient_accumulation_steps
    if max_steps is not None:
        return max_steps, max_steps * per_step
    epochs = 3.0 if epochs is None else epochs  # TrainSpec's default
    steps_per_epoch = max(1, math.ceil(math.ceil(rows / batch_size) / gradient_accumulation_steps))
    return math.ceil(steps_per_epoch * epochs), math.ceil(rows * epochs)


def estimate(
    parameters: int,
    rows: int,
    tokens_per_row: float,
    speed: MachineSpeed,
    *,
    epochs: float | None = None,
    max_steps: int | None = None,
    batch_size: int = 16,
    gradient_accumulation_steps: int = 1,
) -> TrainEstimate:
    """Seconds = 6 × parameters × tokens seen ÷ the machine's training FLOPs per second."""
    if parameters <= 0 or tokens_per_row <= 0 or speed.flops_per_second <= 0:
        raise EstimateError("parameters, tokens per row and speed must be positive")
    steps, samples = plan_steps(
        rows,
        epochs=epochs,
        max_steps=max_steps,
        batch_size=batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps,
    )
    tokens = math.ceil(samples * tokens_per_row)
    flops = FLOPS_PER_PARAMETER_TOKEN * parameters * tokens
    return TrainEstimate(steps, samples, tokens, flops, flops / speed.flops_per_second, speed.basis)


def estimate_run(
    spec: TrainSpec, speed: MachineSpeed, backend: HubBackend | None = None
) -> TrainEstimate:
    """Estimate a TrainSpec: its model's parameters (safetensors headers or config.json), its
    training rows (counted up to SAMPLE_ROWS) and their text lengths, its epochs or steps."""
    from hf_ecosystem.data.preview import preview  # pyarrow: only once an estimate is asked

    parameters = trained_parameters(spec.model, backend)
    page = preview(spec.dataset, split=spec.train_split, config=spec.dataset_config,
                   rows=SAMPLE_ROWS, columns=[spec.text_column],
                   max_cell_chars=4 * spec.max_length)  # fmt: skip
    rows = page.total_rows if page.total_rows is not None else len(page.rows)
    at_least = page.total_rows is None and len(page.rows) == SAMPLE_ROWS
    if spec.eval_split is None:  # the held-out validation share does not train
        rows = math.ceil(rows * (1 - spec.validation_split))
    if spec.max_train_samples is not None and spec.max_train_samples <= rows:
        rows, at_least = spec.max_train_samples, False  # capped after the split, as training does
    texts = [str(row[0]) for row in page.rows if row and row[0] is not None]
    found = estimate(
        parameters,
        rows,
        tokens_per_row(texts, spec.max_length),
        speed,
        epochs=spec.epochs,
        max_steps=spec.max_steps,
        batch_size=spec.batch_size,
        gradient_accumulation_steps=spec.gradient_accumulation_steps,
    )
    return replace(found, at_least=at_least and spec.max_steps is None)


def trained_parameters(model: str, backend: HubBackend | None = None) -> int:
    """The parameters whose matmuls training pays for: all but the embedding lookups."""
    from hf_ecosystem.device.model_shape import shape_from_config
    from hf_ecosystem.device.repo_model import load_repo_model

    repo = load_repo_model(model, backend)
    shape = shape_from_config(repo.config) if repo.config else None
    total = repo.parameters or (shape.parameter_count() if shape else None)
    if not total:
        raise EstimateError(f"the parameters of {model} are not known")
    embeddings = shape.embedding_parameters() if shape else 0
    return max(total - embeddings, total // 10)


def tokens_per_row(texts: Iterable[str], max_length: int) -> float:
    """The mean tokens a row becomes (characters / 4 + special tokens, cut at max_length);
    max_length when there is no sample."""
    sizes = [min(max_length, len(t) / CHARS_PER_TOKEN + SPECIAL_TOKENS) for t in texts]
    return statistics.fmean(sizes) if sizes else float(max_length)


def speed_from_runs(train_metrics: Iterable[Mapping[str, float]]) -> MachineSpeed | None:
    """The median training FLOPs per second of finished runs (`total_flos / train_runtime`)."""
    speeds = [
        m["total_flos"] / m["train_runtime"]
        for m in train_metrics
        if m.get("total_flos", 0) > 0 and m.get("train_runtime", 0) > 0
    ]
    if not speeds:
        return None
    noun = "run" if len(speeds) == 1 else "runs"
    return MachineSpeed(statistics.median(speeds), f"{len(speeds)} finished {noun} here")


def machine_speed(manager: JobManager) -> MachineSpeed:
    """This machine's training speed: from its finished runs, else a short CPU benchmark."""
    from hf_ecosystem.jobs.results import result_as
    from hf_ecosystem.training.results import TrainResult

    metrics = [
        result.train_metrics
        for record in manager.list()
        if record.kind == "train" and record.status == "succeeded"
        if (result := result_as(record, TrainResult)) is not None
    ]
    return speed_from_runs(metrics) or cpu_benchmark()


def cpu_benchmark(seconds: float = 0.25, size: int = 256) -> MachineSpeed:
    """float32 matrix multiplies for about `seconds`, scaled to what a CPU fine-tune reaches."""
    import numpy as np

    a = np.ones((size, size), dtype=np.float32)
    b = np.ones((size, size), dtype=np.float32)
    out = np.empty_like(a)
    runs = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or runs == 0:
        np.matmul(a, b, out=out)
        runs += 1
    peak = 2 * size**3 * runs / max(elapsed, 1e-9)
    basis = f"CPU benchmark ({peak / 1e9:.0f} GFLOP/s peak × {CPU_TRAINING_EFFICIENCY:g})"
    return MachineSpeed(peak * CPU_TRAINING_EFFICIENCY, basis)


def describe(seconds: float) -> str:
    """`about 40 s`, `about 3 min`, `about 2.5 h`."""
    if seconds < 90:
        return f"about {max(1, round(seconds / 10) * 10 if seconds >= 10 else round(seconds))} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"
