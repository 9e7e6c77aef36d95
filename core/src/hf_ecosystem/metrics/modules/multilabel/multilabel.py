"""Multi-label scores over multi-hot rows: subset accuracy, Hamming loss, F1/precision/recall."""

from typing import Any, cast

import datasets
import evaluate
import numpy as np

# scikit-learn's metric signatures are partly untyped.
from sklearn.metrics import (
    accuracy_score,  # pyright: ignore[reportUnknownVariableType]
    f1_score,  # pyright: ignore[reportUnknownVariableType]
    hamming_loss,  # pyright: ignore[reportUnknownVariableType]
    precision_score,  # pyright: ignore[reportUnknownVariableType]
    recall_score,  # pyright: ignore[reportUnknownVariableType]
)

_DESCRIPTION = (
    "Scores for multi-label classification, where each prediction and reference is a multi-hot "
    "row (1 where the label applies): subset accuracy (exact-match ratio), Hamming loss (fraction "
    "of wrong label slots) and F1, precision and recall averaged as asked."
)
_KWARGS = """
predictions (list of list of int): predicted multi-hot rows (0/1), one per sample.
references (list of list of int): reference multi-hot rows (0/1), one per sample.
average (str): "micro", "macro", "weighted" or "samples" (default "micro").
zero_division (float): the value for an undefined ratio (default 0).
Returns: {"subset_accuracy", "hamming_loss", "f1", "precision", "recall"}, all floats.
"""


class Multilabel(evaluate.Metric):
    """Multi-label classification scores."""

    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_KWARGS,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("int32")),
                    "references": datasets.Sequence(datasets.Value("int32")),
                }
            ),
            reference_urls=["https://scikit-learn.org/stable/modules/model_evaluation.html"],
        )

    # evaluate passes every argument by name; unknown ones should fail, so no **kwargs.
    def _compute(  # pyright: ignore[reportIncompatibleMethodOverride]
        self,
        *,
        predictions: list[list[int]],
        references: list[list[int]],
        average: str = "micro",
        zero_division: Any = 0,
    ) -> dict[str, float]:
        y_pred = np.asarray(predictions, dtype=np.int64)
        y_true = np.asarray(references, dtype=np.int64)
        common: dict[str, Any] = {"average": average, "zero_division": zero_division}
        return {
            "subset_accuracy": float(accuracy_score(y_true, y_pred)),
            "hamming_loss": float(cast("float", hamming_loss(y_true, y_pred))),
            "f1": float(f1_score(y_true, y_pred, **common)),
            "precision": float(precision_score(y_true, y_pred, **common)),
            "recall": float(recall_score(y_true, y_pred, **common)),
        }
