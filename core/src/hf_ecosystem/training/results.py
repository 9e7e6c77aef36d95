"""The `train` job's result as a type the CLI and the TUI read (light: no torch, no pydantic)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from hf_ecosystem.jobs import results as read


@dataclass(frozen=True, slots=True)
class TrainResult:
    """What a finished training run left: folders, final metrics, its labels and precision."""

    output_dir: str = ""  # the run's folder (checkpoints, TensorBoard, evaluations)
    metrics: dict[str, float] = field(default_factory=dict[str, float])  # final evaluation
    train_metrics: dict[str, float] = field(default_factory=dict[str, float])
    global_step: int = 0
    best_checkpoint: str | None = None
    labels: tuple[str, ...] = ()  # class names (classification tasks)
    precision: str = ""
    model_dir: str | None = None  # the final model (set by the main process only)
    tensorboard: str | None = None  # when the run reported to TensorBoard

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the job record's key order (absent folders are left out)."""
        data: dict[str, Any] = {
            "output_dir": self.output_dir,
            "metrics": dict(self.metrics),
            "train_metrics": dict(self.train_metrics),
            "global_step": self.global_step,
            "best_checkpoint": self.best_checkpoint,
            "labels": list(self.labels),
            "precision": self.precision,
        }
        if self.model_dir is not None:
            data["model_dir"] = self.model_dir
        if self.tensorboard is not None:
            data["tensorboard"] = self.tensorboard
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result (missing fields take their defaults)."""
        return cls(
            output_dir=read.text(data, "output_dir"),
            metrics=read.numbers(data, "metrics"),
            train_metrics=read.numbers(data, "train_metrics"),
            global_step=read.integer(data, "global_step"),
            best_checkpoint=read.optional_text(data, "best_checkpoint"),
            labels=read.texts(data, "labels"),
            precision=read.text(data, "precision"),
            model_dir=read.optional_text(data, "model_dir"),
            tensorboard=read.optional_text(data, "tensorboard"),
        )
