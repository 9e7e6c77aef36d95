"""Corpus BLEU through sacrebleu, with its signature, usable offline."""

from collections.abc import Sequence
from typing import Any

import datasets
import evaluate
from sacrebleu.metrics.bleu import BLEU

_DESCRIPTION = "sacrebleu's corpus BLEU (13a tokenisation, exponential smoothing by default)."
_INPUTS = """
predictions: generated texts. references: one reference, or a list of references, per prediction
(every prediction the same number). tokenize, lowercase: passed to sacrebleu's BLEU.
Returns {"score", "signature", "precisions", "bp", "sys_len", "ref_len"}.
"""
_CITATION = "Post, Matt. A Call for Clarity in Reporting BLEU Scores. WMT 2018."


def reference_streams(references: Sequence[str | Sequence[str]]) -> list[list[str]]:
    """Per-prediction references → sacrebleu's list of reference streams."""
    rows = [[r] if isinstance(r, str) else list(r) for r in references]
    counts = {len(row) for row in rows}
    if len(counts) != 1:
        raise ValueError("every prediction needs the same number of references")
    return [list(stream) for stream in zip(*rows, strict=True)]


class Bleu(evaluate.Metric):
    """sacrebleu BLEU."""

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
        tokenize: str | None = None,
        lowercase: bool = False,
    ) -> dict[str, Any]:
        bleu = BLEU(tokenize=tokenize, lowercase=lowercase)
        score = bleu.corpus_score(list(predictions), reference_streams(references))
        return {
            "score": score.score,
            "signature": bleu.get_signature().format(),
            "precisions": list(score.precisions),
            "bp": score.bp,
            "sys_len": score.sys_len,
            "ref_len": score.ref_len,
        }
