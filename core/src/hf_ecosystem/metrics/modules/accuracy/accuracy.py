"""Accuracy: the fraction of predictions equal to their reference (scikit-learn)."""

import datasets
import evaluate
from sklearn.metrics import accuracy_score  # pyright: ignore[reportUnknownVariableType]  (partly untyped)

_DESCRIPTION = "Accuracy = correct predictions / all predictions, for single-label class ids."
_KWARGS = """
predictions (list of int): predicted class ids.
references (list of int): reference class ids.
sample_weight (list of float, optional): per-sample weights.
Returns: {"accuracy": float}
"""


class Accuracy(evaluate.Metric):
    """Accuracy over class ids."""

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
        sample_weight: list[float] | None = None,
    ) -> dict[str, float]:
        score = accuracy_score(references, predictions, sample_weight=sample_weight)
        return {"accuracy": float(score)}
