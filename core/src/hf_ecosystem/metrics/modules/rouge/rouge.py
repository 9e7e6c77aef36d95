"""ROUGE F-measures with bootstrap confidence intervals (rouge-score), usable offline."""

from collections.abc import Sequence
from typing import Any, cast

import datasets
import evaluate
import numpy as np
from rouge_score import rouge_scorer, scoring

_DESCRIPTION = "ROUGE-1/2/L/Lsum F-measures, aggregated by rouge-score's BootstrapAggregator."
_INPUTS = """
predictions: generated texts. references: one reference text per prediction.
rouge_types: default rouge1, rouge2, rougeL, rougeLsum. use_stemmer: Porter stemming (default off).
confidence: the interval's level (0.95). n_samples: bootstrap resamples (1000). seed: their seed.
Returns {rouge_type: {"low", "mid", "high"}} of F-measures.
"""
_CITATION = "Lin, Chin-Yew. ROUGE: a Package for Automatic Evaluation of Summaries. 2004."
DEFAULT_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


class Rouge(evaluate.Metric):
    """ROUGE through rouge-score."""

    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
            reference_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
        )

    def _compute(  # pyright: ignore[reportIncompatibleMethodOverride]
        self,
        predictions: Sequence[str],
        references: Sequence[str],
        rouge_types: Sequence[str] | None = None,
        use_stemmer: bool = False,
        confidence: float = 0.95,
        n_samples: int = 1000,
        seed: int = 0,
    ) -> dict[str, dict[str, float]]:
        types = list(rouge_types or DEFAULT_TYPES)
        scorer = rouge_scorer.RougeScorer(types, use_stemmer=use_stemmer)
        aggregator = scoring.BootstrapAggregator(
            confidence_interval=confidence, n_samples=n_samples
        )
        for prediction, reference in zip(predictions, references, strict=True):
            aggregator.add_scores(scorer.score(reference, prediction))  # pyright: ignore[reportUnknownMemberType]
        # rouge-score resamples with numpy's global generator: seed it, then put it back.
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            # rouge-score is untyped: a dict of name -> AggregateScore(low, mid, high).
            result = cast("dict[str, Any]", aggregator.aggregate())  # pyright: ignore[reportUnknownMemberType]
        finally:
            np.random.set_state(state)
        return {
            name: {
                "low": float(result[name].low.fmeasure),
                "mid": float(result[name].mid.fmeasure),
                "high": float(result[name].high.fmeasure),
            }
            for name in types
        }
