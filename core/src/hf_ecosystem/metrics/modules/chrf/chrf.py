"""Corpus chrF (character n-gram F-score) through sacrebleu, with its signature, offline."""

from collections.abc import Sequence
from typing import Any

import datasets
import evaluate
from sacrebleu.metrics.chrf import CHRF

_DESCRIPTION = "sacrebleu's corpus chrF: character n-gram F-score (word n-grams with word_order)."
_INPUTS = """
predictions: generated texts. references: one reference, or a list of references, per prediction
(every prediction the same number).
char_order, word_order, beta, lowercase, whitespace: as sacrebleu's CHRF.
Returns {"score", "signature", "char_order", "word_order", "beta"}.
"""
_CITATION = "Popović, Maja. chrF: character n-gram F-score for automatic MT evaluation. WMT 2015."


def reference_streams(references: Sequence[str | Sequence[str]]) -> list[list[str]]:
    """Per-prediction references → sacrebleu's list of reference streams."""
    rows = [[r] if isinstance(r, str) else list(r) for r in references]
    counts = {len(row) for row in rows}
    if len(counts) != 1:
        raise ValueError("every prediction needs the same number of references")
    return [list(stream) for stream in zip(*rows, strict=True)]


class Chrf(evaluate.Metric):
    """sacrebleu chrF."""

    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_INPUTS,
            features=[
                datasets.Features(
                    {
                        "predictions": datasets.Value("string"),
                        "references": datasets.Sequence(datasets.Value("string")),
                    }
                ),
                datasets.Features(
                    {
                        "predictions": datasets.Value("string"),
                        "references": datasets.Value("string"),
                    }
                ),
            ],
            reference_urls=["https://github.com/mjpost/sacrebleu"],
        )

    def _compute(  # pyright: ignore[reportIncompatibleMethodOverride]
        self,
        predictions: Sequence[str],
        references: Sequence[str | Sequence[str]],
        char_order: int = 6,
        word_order: int = 0,
        beta: int = 2,
        lowercase: bool = False,
        whitespace: bool = False,
    ) -> dict[str, Any]:
        chrf = CHRF(
            char_order=char_order,
            word_order=word_order,
            beta=beta,
            lowercase=lowercase,
            whitespace=whitespace,
        )
        score = chrf.corpus_score(list(predictions), reference_streams(references))
        return {
            "score": score.score,
            "signature": chrf.get_signature().format(),
            "char_order": char_order,
            "word_order": word_order,
            "beta": beta,
        }
