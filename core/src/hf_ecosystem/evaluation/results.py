"""The `evaluate` job's result as a type the CLI and the TUI read (light: no torch, no evaluate).

Every task has the head (what was evaluated, metrics, files); classification adds the confusion
counts and the first errors, seq2seq the metric signatures and the first examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from hf_ecosystem.evaluation.analysis import ErrorExample, filter_errors, sort_errors
from hf_ecosystem.jobs import results as read


@dataclass(frozen=True, slots=True)
class ConfusionCounts:
    """Counts[true][predicted] over the model's labels."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"labels": list(self.labels), "counts": [list(row) for row in self.counts]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read stored counts."""
        rows = data.get("counts")
        counts = tuple(
            tuple(int(c) for c in row)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
            for row in (rows if isinstance(rows, list) else [])  # pyright: ignore[reportUnknownVariableType]
            if isinstance(row, list)
        )
        return cls(read.texts(data, "labels"), counts)


@dataclass(frozen=True, slots=True)
class GeneratedExample:
    """One seq2seq example: its input, the reference and the model's output."""

    index: int
    source: str
    reference: str
    prediction: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "index": self.index,
            "source": self.source,
            "reference": self.reference,
            "prediction": self.prediction,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored example."""
        return cls(
            read.integer(data, "index"),
            read.text(data, "source"),
            read.text(data, "reference"),
            read.text(data, "prediction"),
        )


def error_from_dict(data: Mapping[str, Any]) -> ErrorExample:
    """A stored misclassified example."""
    confidence = data.get("confidence")
    return ErrorExample(
        index=read.integer(data, "index"),
        text=read.text(data, "text"),
        true=str(data.get("true", "")),
        predicted=str(data.get("predicted", "")),
        confidence=float(confidence) if isinstance(confidence, int | float) else -1.0,
    )


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]] | None:
    value = data.get(key)
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, Mapping)]  # pyright: ignore[reportUnknownVariableType]


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """What an evaluation measured and where its files are."""

    task: str = ""
    model: str = ""
    dataset: str = ""
    split: str = ""
    samples: int = 0
    run: str | None = None  # the training run it belongs to
    metrics: dict[str, float] = field(default_factory=dict[str, float])
    output_dir: str = ""
    files: dict[str, str] = field(default_factory=dict[str, str])  # kind -> path
    confusion: ConfusionCounts | None = None  # classification
    errors: tuple[ErrorExample, ...] | None = None  # classification: the first ones
    errors_total: int | None = None  # classification: every error is in errors.csv
    signatures: dict[str, str] | None = None  # seq2seq: BLEU and chrF signatures
    examples: tuple[GeneratedExample, ...] | None = None  # seq2seq: the first ones

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the job record's key order (a task's absent parts are left out)."""
        data: dict[str, Any] = {
            "task": self.task,
            "model": self.model,
            "dataset": self.dataset,
            "split": self.split,
            "samples": self.samples,
            "run": self.run,
            "metrics": dict(self.metrics),
            "output_dir": self.output_dir,
            "files": dict(self.files),
        }
        if self.confusion is not None:
            data["confusion"] = self.confusion.to_dict()
        if self.errors is not None:
            data["errors"] = [e.to_dict() for e in self.errors]
        if self.errors_total is not None:
            data["errors_total"] = self.errors_total
        if self.signatures is not None:
            data["signatures"] = dict(self.signatures)
        if self.examples is not None:
            data["examples"] = [e.to_dict() for e in self.examples]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result (missing fields take their defaults)."""
        confusion = data.get("confusion")
        errors = _items(data, "errors")
        examples = _items(data, "examples")
        signatures = data.get("signatures")
        return cls(
            task=read.text(data, "task"),
            model=read.text(data, "model"),
            dataset=read.text(data, "dataset"),
            split=read.text(data, "split"),
            samples=read.integer(data, "samples"),
            run=read.optional_text(data, "run"),
            metrics=read.numbers(data, "metrics"),
            output_dir=read.text(data, "output_dir"),
            files={k: str(v) for k, v in read.mapping(data, "files").items()},
            confusion=ConfusionCounts.from_dict(confusion)  # pyright: ignore[reportUnknownArgumentType]
            if isinstance(confusion, Mapping)
            else None,
            errors=None if errors is None else tuple(error_from_dict(e) for e in errors),
            errors_total=data["errors_total"]
            if isinstance(data.get("errors_total"), int)
            else None,
            signatures={k: str(v) for k, v in read.mapping(data, "signatures").items()}
            if isinstance(signatures, Mapping)
            else None,
            examples=None
            if examples is None
            else tuple(GeneratedExample.from_dict(e) for e in examples),
        )

    @property
    def errors_in_all(self) -> int:
        """How many examples were wrong (the result keeps the first ones only)."""
        if self.errors_total is not None:
            return self.errors_total
        return len(self.errors or ())

    def find_errors(
        self, *, true: str | None = None, predicted: str | None = None, descending: bool = True
    ) -> list[ErrorExample]:
        """The kept errors of one true and/or predicted class, by confidence (core's filters)."""
        found = filter_errors(self.errors or (), true=true, predicted=predicted)
        return sort_errors(found, "confidence", descending=descending)
