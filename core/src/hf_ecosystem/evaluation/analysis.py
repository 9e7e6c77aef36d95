"""Evaluation numbers as plain data: confusion matrix, per-class report, error analysis,
ROUGE/BLEU/chrF (through the shipped offline `evaluate` modules), sliding-window perplexity,
and their export to JSON, CSV and a PNG plot.

Light at import time: numpy, evaluate, torch and matplotlib are imported inside the functions.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.evaluation.base import EvaluationError
from hf_ecosystem.evaluation.base import Plain as _Plain
from hf_ecosystem.tasks import EVAL_TASKS, evaluation_task

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def normalize_task(task: str) -> str:
    """The evaluation task for a task name or alias; EvaluationError when unknown."""
    name = evaluation_task(task)
    if name is None:
        raise EvaluationError(
            f"Unknown evaluation task {task!r}",
            f"Use one of: {', '.join(EVAL_TASKS)}"
            " (or summarization, translation, text-generation).",
        )
    return name


# -- classification --------------------------------------------------------------------------


def _indices(values: Sequence[int | str], labels: Sequence[str], what: str) -> list[int]:
    """Class indices from indices or label names."""
    position = {name: i for i, name in enumerate(labels)}
    out: list[int] = []
    for row, value in enumerate(values):
        if isinstance(value, str):
            if value not in position:
                raise EvaluationError(
                    f"{what}[{row}] is {value!r}, not one of the labels",
                    f"Labels: {', '.join(labels)}.",
                )
            out.append(position[value])
        elif 0 <= int(value) < len(labels):
            out.append(int(value))
        else:
            raise EvaluationError(
                f"{what}[{row}] is {value!r}, outside 0…{len(labels) - 1}",
                f"Labels: {', '.join(labels)}.",
            )
    return out


def _pairs(
    y_true: Sequence[int | str], y_pred: Sequence[int | str], labels: Sequence[str]
) -> tuple[list[int], list[int]]:
    if len(y_true) != len(y_pred):
        raise EvaluationError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    return _indices(y_true, labels, "y_true"), _indices(y_pred, labels, "y_pred")


@dataclass(frozen=True)
class ConfusionResult(_Plain):
    """Counts[true][predicted]; `normalized` divides each row by its total (empty rows stay 0)."""

    labels: list[str]
    counts: list[list[int]]
    normalized: list[list[float]]


def confusion(
    y_true: Sequence[int | str], y_pred: Sequence[int | str], labels: Sequence[str]
) -> ConfusionResult:
    """The confusion matrix over `labels` (rows are the true class)."""
    true, pred = _pairs(y_true, y_pred, labels)
    n = len(labels)
    counts = [[0] * n for _ in range(n)]
    for t, p in zip(true, pred, strict=True):
        counts[t][p] += 1
    normalized = [[c / sum(row) if sum(row) else 0.0 for c in row] for row in counts]
    return ConfusionResult(list(labels), counts, normalized)


@dataclass(frozen=True)
class ClassScores(_Plain):
    """Precision, recall and F1 of one class (or an average), with its support."""

    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ClassificationReport(_Plain):
    """Per-class scores, their macro and support-weighted averages, and accuracy."""

    classes: list[ClassScores]
    macro: ClassScores
    weighted: ClassScores
    accuracy: float
    samples: int

    def flat(self) -> dict[str, float]:
        """The summary numbers by name (accuracy, f1_macro, precision_weighted, …)."""
        out = {"accuracy": self.accuracy}
        for avg in (self.macro, self.weighted):
            for name in ("precision", "recall", "f1"):
                out[f"{name}_{avg.name}"] = getattr(avg, name)
        return out


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def classification_report(
    y_true: Sequence[int | str], y_pred: Sequence[int | str], labels: Sequence[str]
) -> ClassificationReport:
    """Per-class precision/recall/F1/support; undefined ratios count as 0 (as sklearn's)."""
    matrix = confusion(y_true, y_pred, labels).counts
    total = len(y_true)
    classes: list[ClassScores] = []
    for i, name in enumerate(labels):
        hits = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision, recall = _ratio(hits, predicted), _ratio(hits, support)
        f1 = _ratio(2 * precision * recall, precision + recall)
        classes.append(ClassScores(name, precision, recall, f1, support))

    def average(name: str, weights: list[float]) -> ClassScores:
        norm = sum(weights)
        scores = [
            _ratio(sum(w * getattr(c, field) for w, c in zip(weights, classes, strict=True)), norm)
            for field in ("precision", "recall", "f1")
        ]
        return ClassScores(name, *scores, support=total)

    macro = average("macro", [1.0] * len(classes))
    weighted = average("weighted", [float(c.support) for c in classes])
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return ClassificationReport(classes, macro, weighted, _ratio(correct, total), total)


@dataclass(frozen=True)
class ErrorExample(_Plain):
    """One misclassified example."""

    index: int
    text: str
    true: str
    predicted: str
    confidence: float


def error_analysis(
    texts: Sequence[str],
    y_true: Sequence[int | str],
    y_pred: Sequence[int | str],
    confidences: Sequence[float],
    labels: Sequence[str],
) -> list[ErrorExample]:
    """The examples whose prediction is wrong, in dataset order."""
    true, pred = _pairs(y_true, y_pred, labels)
    if not len(texts) == len(confidences) == len(true):
        raise EvaluationError("texts, labels and confidences differ in length")
    return [
        ErrorExample(i, texts[i], labels[t], labels[p], float(confidences[i]))
        for i, (t, p) in enumerate(zip(true, pred, strict=True))
        if t != p
    ]


def filter_errors(
    errors: Iterable[ErrorExample], *, true: str | None = None, predicted: str | None = None
) -> list[ErrorExample]:
    """Errors of one true class and/or one predicted class (None matches any)."""
    return [
        e
        for e in errors
        if (true is None or e.true == true) and (predicted is None or e.predicted == predicted)
    ]


def sort_errors(
    errors: Iterable[ErrorExample], by: str = "confidence", *, descending: bool = True
) -> list[ErrorExample]:
    """Errors ordered by a field (confident mistakes first by default); ties keep index order."""
    fields = {f.name for f in dataclasses.fields(ErrorExample)}
    if by not in fields:
        raise EvaluationError(f"Cannot sort errors by {by!r}", f"Use one of: {sorted(fields)}.")
    items = sorted(errors, key=lambda e: e.index)
    return sorted(items, key=lambda e: getattr(e, by), reverse=descending)


# -- generation metrics through the shipped evaluate modules ----------------------------------


@functools.cache
def load_metric(name: str) -> Any:
    """A shipped metric module loaded through `evaluate` (offline); loaded once per process."""
    import evaluate

    from hf_ecosystem.metrics.modules import metric_path

    return evaluate.load(metric_path(name))  # pyright: ignore[reportUnknownMemberType]


@dataclass(frozen=True)
class RougeScore(_Plain):
    """One ROUGE type's F-measure: bootstrap low / mid / high."""

    name: str
    low: float
    mid: float
    high: float


@dataclass(frozen=True)
class RougeResult(_Plain):
    """ROUGE-1/2/L/Lsum with bootstrap confidence intervals."""

    scores: list[RougeScore]
    confidence: float
    n_samples: int

    def flat(self) -> dict[str, float]:
        """rouge1 (mid), rouge1_low, rouge1_high, … by name."""
        out: dict[str, float] = {}
        for s in self.scores:
            out |= {s.name: s.mid, f"{s.name}_low": s.low, f"{s.name}_high": s.high}
        return out


@dataclass(frozen=True)
class CorpusScore(_Plain):
    """A sacrebleu corpus score with its reproducibility signature."""

    name: str
    score: float
    signature: str


def _check_lengths(predictions: Sequence[Any], references: Sequence[Any]) -> None:
    if len(predictions) != len(references):
        raise EvaluationError(f"{len(predictions)} predictions but {len(references)} references")
    if not predictions:
        raise EvaluationError("Nothing to score: no predictions")


def rouge_scores(
    predictions: Sequence[str],
    references: Sequence[str],
    *,
    confidence: float = 0.95,
    n_samples: int = 1000,
    seed: int = 0,
) -> RougeResult:
    """ROUGE F-measures with rouge-score's bootstrap intervals (reproducible with `seed`)."""
    _check_lengths(predictions, references)
    raw = load_metric("rouge").compute(
        predictions=list(predictions),
        references=list(references),
        confidence=confidence,
        n_samples=n_samples,
        seed=seed,
    )
    scores = [
        RougeScore(name, *(float(raw[name][b]) for b in ("low", "mid", "high")))
        for name in ROUGE_TYPES
    ]
    return RougeResult(scores, confidence, n_samples)


def _corpus(name: str, predictions: Sequence[str], references: Sequence[Any]) -> CorpusScore:
    _check_lengths(predictions, references)
    raw = load_metric(name).compute(predictions=list(predictions), references=list(references))
    return CorpusScore(name, float(raw["score"]), str(raw["signature"]))


def bleu_score(
    predictions: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]
) -> CorpusScore:
    """sacrebleu's corpus BLEU (one reference string, or a list of them, per prediction)."""
    return _corpus("bleu", predictions, references)


def chrf_score(
    predictions: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]
) -> CorpusScore:
    """sacrebleu's corpus chrF."""
    return _corpus("chrf", predictions, references)


# -- export -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in cast("Mapping[Any, Any]", value).items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in cast("Sequence[Any]", value)]
    return value


def export_json(result: Any, path: Path | str) -> Path:
    """A result (dataclass with to_dict, mapping or list) as indented JSON."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_plain(result), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return out


def export_csv(rows: Mapping[str, Any] | Iterable[Any], path: Path | str) -> Path:
    """A CSV: a mapping becomes a metric,value table; records (dataclasses or mappings) one row
    each with the first record's fields as columns (empty input: an empty file)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(rows, Mapping):
        records: list[dict[str, Any]] = [{"metric": k, "value": v} for k, v in rows.items()]  # pyright: ignore[reportUnknownVariableType]
    else:
        records = [_plain(r) for r in rows]
    with out.open("w", encoding="utf-8", newline="") as handle:
        if records:
            writer = csv.DictWriter(handle, fieldnames=list(records[0]), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(records)
    return out


def report_rows(report: ClassificationReport) -> list[dict[str, Any]]:
    """The report as table rows: one per class, then the two averages."""
    return [c.to_dict() for c in [*report.classes, report.macro, report.weighted]]


def confusion_png(result: ConfusionResult, path: Path | str, *, normalized: bool = True) -> Path:
    """The confusion matrix as a heat map with counts in the cells (matplotlib, Agg, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(result.labels)
    size = min(4 + 0.5 * n, 20)
    # Any: matplotlib's drawing methods take untyped **kwargs.
    figure: Any = Figure(figsize=(size + 1.5, size), dpi=100)
    FigureCanvasAgg(figure)
    ax: Any = figure.add_subplot()
    values = result.normalized if normalized else result.counts
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalized else None)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(n), result.labels, rotation=45, ha="right")
    ax.set_yticks(range(n), result.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix" + (" (row-normalised)" if normalized else ""))
    if n <= 30:  # beyond that the numbers no longer fit their cells
        for t in range(n):
            for p in range(n):
                dark = result.normalized[t][p] > 0.5
                ax.text(p, t, str(result.counts[t][p]), ha="center", va="center",
                        color="white" if dark else "black", fontsize=8)  # fmt: skip
    figure.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out)
    return out
