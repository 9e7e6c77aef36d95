"""Recall (true positives / actual positives) over single-label class ids (scikit-learn)."""

from typing import Any

import datasets
import evaluate
from sklearn.metrics import recall_score  # pyright: ignore[reportUnknownVariableType]  (partly untyped)

_DESCRIPTION = "Recall (true positives / actual positives), averaged as asked."
_KWARGS = """
predictions (list of int): predicted class ids.
references (list of int): reference class ids.
average (str): "macro", "weighted", "micro" or "binary" (default "macro").
labels (list of int, optional): the classes to include.
pos_label (int): the positive class when average="binary" (default 1).
zero_division (float): the value for an undefined ratio (default 0).
sample_weight (list of float, optional): per-sample weights.
Returns: {"recall": float}
"""


class Recall(evaluate.Metric):
    """Recall (true positives / actual positives)."""

    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_KWARGS,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
            reference_urls=["https://scikit-learn.org/stable/modules/model_evaluation.html"],
        )

    # evaluate passes every argument by name; unknown ones should fail, so no **kwargs.
    def _compute(  # pyright: ignore[reportIncompatibleMethodOverride]
        self,
        *,
        predictions: list[int],
        references: list[int],
        average: str = "macro",
        labels: list[int] | None = None,
        pos_label: int = 1,
        zero_division: Any = 0,
        sample_weight: list[float] | None = None,
    ) -> dict[str, float]:
        score = recall_score(
            references,
            predictions,
            average=average,
            labels=labels,
            pos_label=pos_label,
            zero_division=zero_division,
            sample_weight=sample_weight,
        )
        return {"recall": float(score)}
