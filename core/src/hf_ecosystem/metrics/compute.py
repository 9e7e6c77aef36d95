"""Classification metrics for Trainer evaluations, computed through offline `evaluate` modules.

`evaluate` costs ~9 s to import, so it is imported lazily and each module is loaded once per
process; neither torch nor evaluate is imported when this module is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.metrics.modules import metric_path

if TYPE_CHECKING:
    import evaluate

CustomMetric = Callable[[np.ndarray, np.ndarray], Mapping[str, float]]
IGNORE_INDEX = -100
_GENERATIVE = ("causal-lm", "seq2seq")


class MetricError(HfEcoError):
    """A metric cannot be computed: unknown name or task, or predictions that do not fit labels."""

    default_title = "Cannot compute metrics"
    default_hint = "Check the metric names and that the eval set has labels matching the task."


class _Measure(NamedTuple):
    """How one public metric name is computed: module, `average` argument, key of its result."""

    module: str
    average: str | None
    key: str


_SINGLE_LABEL: dict[str, _Measure] = {
    "accuracy": _Measure("accuracy", None, "accuracy"),
    "f1_macro": _Measure("f1", "macro", "f1"),
    "f1_weighted": _Measure("f1", "weighted", "f1"),
    "precision_macro": _Measure("precision", "macro", "precision"),
    "precision_weighted": _Measure("precision", "weighted", "precision"),
    "recall_macro": _Measure("recall", "macro", "recall"),
    "recall_weighted": _Measure("recall", "weighted", "recall"),
}
_MULTI_LABEL: dict[str, _Measure] = {
    # subset accuracy and Hamming loss do not depend on the average; "micro" is arbitrary.
    "subset_accuracy": _Measure("multilabel", "micro", "subset_accuracy"),
    "f1_micro": _Measure("multilabel", "micro", "f1"),
    "f1_macro": _Measure("multilabel", "macro", "f1"),
    "f1_samples": _Measure("multilabel", "samples", "f1"),
    "hamming_loss": _Measure("multilabel", "micro", "hamming_loss"),
    "precision_micro": _Measure("multilabel", "micro", "precision"),
    "recall_micro": _Measure("multilabel", "micro", "recall"),
}
_MEASURES: dict[str, dict[str, _Measure]] = {
    "text-classification": _SINGLE_LABEL,
    "token-classification": _SINGLE_LABEL,
    "multi-label-classification": _MULTI_LABEL,
    # Generative tasks report eval loss / perplexity elsewhere.
    "causal-lm": {},
    "seq2seq": {},
}
_SINGLE_LABEL_DEFAULTS = ["accuracy", "f1_macro", "f1_weighted", "precision_macro", "recall_macro"]
_DEFAULTS: dict[str, list[str]] = {
    "text-classification": _SINGLE_LABEL_DEFAULTS,
    "token-classification": _SINGLE_LABEL_DEFAULTS,
    "multi-label-classification": ["subset_accuracy", "f1_micro", "f1_macro", "hamming_loss"],
    "causal-lm": [],
    "seq2seq": [],
}


def _measures(task: str) -> dict[str, _Measure]:
    try:
        return _MEASURES[task]
    except KeyError:
        raise MetricError(
            f"Unknown task {task!r} for metrics", f"Known tasks: {', '.join(_MEASURES)}."
        ) from None


def known_metric_names(task: str) -> list[str]:
    """Every metric name `compute_metrics` accepts for `task`."""
    return list(_measures(task))


def default_metrics(task: str) -> list[str]:
    """The metrics reported for `task` when none are asked for."""
    _measures(task)
    return list(_DEFAULTS[task])


def _check_threshold(threshold: float) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise MetricError(
            f"Invalid multi-label threshold {threshold}", "Use a probability between 0 and 1."
        )


def _resolve(task: str, metrics: Sequence[str] | None) -> list[str]:
    """The metric names to compute, checked against the task's known names."""
    known = _measures(task)
    names = default_metrics(task) if metrics is None else list(metrics)
    for name in names:
        if name not in known:
            listed = ", ".join(known) if known else "none (eval loss is reported instead)"
            raise MetricError(
                f"Unknown metric {name!r} for {task}", f"Metrics known for {task}: {listed}."
            )
    return list(dict.fromkeys(names))


@functools.lru_cache(maxsize=16)
def _load_module(name: str) -> evaluate.EvaluationModule:
    """A shipped metric module, loaded (offline) once per process and kept in memory."""
    import evaluate

    # evaluate.load's signature has untyped parts; it returns an EvaluationModule.
    return evaluate.load(metric_path(name), keep_in_memory=True)  # pyright: ignore[reportUnknownMemberType]


def _split_eval_pred(eval_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """(predictions, labels) from an EvalPrediction or a (predictions, label_ids) tuple."""
    if hasattr(eval_pred, "predictions") and hasattr(eval_pred, "label_ids"):
        predictions, labels = eval_pred.predictions, eval_pred.label_ids
    else:
        try:
            predictions, labels = eval_pred[0], eval_pred[1]
        except (TypeError, IndexError, KeyError):
            raise MetricError(
                "Unexpected evaluation output",
                "Pass an EvalPrediction or a (predictions, label_ids) tuple.",
            ) from None
    if isinstance(predictions, tuple) and predictions:
        # model outputs beyond the logits (hidden states, ...)
        predictions = cast("tuple[Any, ...]", predictions)[0]
    if labels is None:
        raise MetricError(
            "The eval set has no labels", "Metrics need a labelled eval split (a label column)."
        )
    return np.asarray(cast("Any", predictions)), np.asarray(labels)


def _shape_error(task: str, predictions: np.ndarray, labels: np.ndarray) -> MetricError:
    return MetricError(
        f"Predictions of shape {predictions.shape} do not fit labels of shape {labels.shape}",
        f"For {task} the model's outputs and the label column must describe the same examples.",
    )


def _single_label(
    task: str, predictions: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Class ids (argmax of logits unless already ids) and labels, -100 positions dropped."""
    if predictions.ndim == labels.ndim + 1:
        predictions = predictions.argmax(axis=-1)
    if predictions.shape != labels.shape:
        raise _shape_error(task, predictions, labels)
    if task == "token-classification":
        keep = labels != IGNORE_INDEX
        return predictions[keep].astype(np.int64), labels[keep].astype(np.int64)
    return predictions.reshape(-1).astype(np.int64), labels.reshape(-1).astype(np.int64)


def _multi_label(
    predictions: np.ndarray, labels: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-hot predictions (sigmoid(logits) >= threshold unless already 0/1 ints) and labels."""
    if predictions.ndim != 2 or predictions.shape != labels.shape:
        raise _shape_error("multi-label-classification", predictions, labels)
    if not np.isin(labels, (0, 1)).all():
        raise MetricError(
            "Multi-label references must be 0/1",
            "Encode each example's labels as a multi-hot row (1.0 where the label applies).",
        )
    if np.issubdtype(predictions.dtype, np.floating):
        with np.errstate(over="ignore"):
            probabilities = 1.0 / (1.0 + np.exp(-predictions.astype(np.float64)))
        predictions = probabilities >= threshold
    return predictions.astype(np.int32), labels.astype(np.int32)


def _merge_custom(
    result: dict[str, float],
    custom: Sequence[CustomMetric],
    predictions: np.ndarray,
    labels: np.ndarray,
) -> dict[str, float]:
    for fn in custom:
        for name, value in fn(predictions, labels).items():
            if name in result:
                raise MetricError(
                    f"Custom metric {name!r} clashes with another metric",
                    "Give each custom metric a name of its own.",
                )
            result[name] = float(value)
    return result


def compute_metrics(
    eval_pred: Any,
    *,
    task: str = "text-classification",
    metrics: Sequence[str] | None = None,
    threshold: float = 0.5,
    custom: Sequence[CustomMetric] = (),
) -> dict[str, float]:
    """Named scores (plain floats) for one evaluation's predictions and labels.

    Custom callables receive the class ids (or multi-hot rows) and references the built-in
    metrics score; for causal-lm and seq2seq they receive the raw arrays, and only they report.
    """
    names = _resolve(task, metrics)
    _check_threshold(threshold)
    if task in _GENERATIVE:
        if not custom:
            return {}
        return _merge_custom({}, custom, *_split_eval_pred(eval_pred))
    predictions, labels = _split_eval_pred(eval_pred)
    if task == "multi-label-classification":
        predictions, labels = _multi_label(predictions, labels, threshold)
    else:
        predictions, labels = _single_label(task, predictions, labels)
    if labels.shape[0] == 0:
        raise MetricError(
            "Nothing to score", "The eval set has no labelled examples (or every label is -100)."
        )
    measures = _measures(task)
    computed: dict[tuple[str, str | None], Mapping[str, Any]] = {}
    result: dict[str, float] = {}
    for name in names:
        measure = measures[name]
        call = (measure.module, measure.average)
        if call not in computed:
            kwargs: dict[str, Any] = {}
            if measure.average is not None:
                kwargs = {"average": measure.average, "zero_division": 0}
            module = _load_module(measure.module)
            # compute()'s signature has untyped parts.
            compute = cast("Callable[..., Any]", module.compute)  # pyright: ignore[reportUnknownMemberType]
            output = compute(predictions=predictions, references=labels, **kwargs)
            # compute() answers None only on non-zero ranks of a multi-process module; ours is not.
            computed[call] = cast("Mapping[str, Any]", output)
        result[name] = float(computed[call][measure.key])
    return _merge_custom(result, custom, predictions, labels)


def build_compute_metrics(
    task: str,
    metrics: Sequence[str] | None = None,
    *,
    threshold: float = 0.5,
    custom: Sequence[CustomMetric] = (),
) -> Callable[[Any], dict[str, float]]:
    """A Trainer `compute_metrics` callable; metric names are checked now, not mid-training."""
    names = _resolve(task, metrics)
    _check_threshold(threshold)
    return functools.partial(
        compute_metrics, task=task, metrics=tuple(names), threshold=threshold, custom=tuple(custom)
    )
