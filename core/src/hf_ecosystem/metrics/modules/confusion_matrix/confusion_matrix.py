"""Confusion matrix (counts and row-normalised) over class indices, usable offline."""

from collections.abc import Sequence
from typing import Any

import datasets
import evaluate

from hf_ecosystem.evaluation import analysis as evaluation

_DESCRIPTION = "Confusion matrix: rows are the true class, columns the predicted class."
_INPUTS = """
predictions, references: class indices. labels: class names (default "0"…"n-1" for the largest
index seen). Returns {"confusion_matrix": counts, "normalized": row-normalised, "labels"}.
"""


class ConfusionMatrix(evaluate.Metric):
    """Counts of (true, predicted) pairs."""

    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
        )

    def _compute(  # pyright: ignore[reportIncompatibleMethodOverride]
        self,
        predictions: Sequence[int],
        references: Sequence[int],
        labels: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        if labels is None:
            top = max([*predictions, *references], default=-1)
            labels = [str(i) for i in range(top + 1)]
        result = evaluation.confusion(list(references), list(predictions), list(labels))
        return {
            "confusion_matrix": result.counts,
            "normalized": result.normalized,
            "labels": result.labels,
        }
